// The floor of the backend benchmark: the least a service can do for the same two routes, on the
// same stack (Hono on @hono/node-server, node-redis). A start parses the body, makes the one
// LOX24 call with plain fetch and one Redis SET; a check parses the body, makes one Redis GET and
// answers 422. No validation, no limits, no hashing, no failure handling: what is left of a
// request once polyverify's work is taken away. Prints `{"type":"listening"}` as the example does.
import { randomInt } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createClient } from 'redis';

const { PORT, POLYVERIFY_REDIS_URL, LOX24_BASE_URL, LOX24_TOKEN } = process.env;
const redis = await createClient({ url: POLYVERIFY_REDIS_URL, disableOfflineQueue: true }).connect();
const app = new Hono();

app.post('/verifications', async (c) => {
  const { phone } = await c.req.json();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const body = { phone, code, is_code_deleted: true, payload: `signup-${Date.now()}`, lang: 'EN', routing_strategy: [{ channel: 'sms' }] };
  const answer = await fetch(`${LOX24_BASE_URL}/verify_codes`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-lox24-auth-token': LOX24_TOKEN }, body: JSON.stringify(body) });
  if (answer.status !== 201) return c.json({ error: 'vendor' }, 503);
  const { id } = await answer.json();
  const expiresAt = new Date(Date.now() + 600_000).toISOString();
  await redis.set(`floor:${id}`, code, { EX: 600 });
  return c.json({ id, expiresAt }, 201);
});
app.post('/verifications/:id/check', async (c) => {
  const { code } = await c.req.json();
  const stored = await redis.get(`floor:${c.req.param('id')}`);
  return c.json({ verified: false, reason: stored === code ? 'never' : 'incorrect_code' }, 422);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(PORT) }, () => process.stdout.write(JSON.stringify({ type: 'listening' }) + '\n'));
process.once('SIGTERM', () => {
  server.close(() => void redis.quit().then(() => process.exit(0)));
  server.closeAllConnections?.();
});
