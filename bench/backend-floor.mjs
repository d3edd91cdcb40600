// The floor of the backend benchmark: the least a service can do for the same two routes, on the
// same stack (Hono on @hono/node-server, node-redis). A start parses the body, makes the one
// LOX24 call with plain fetch and one Redis SET; a check parses the body, makes one Redis GET and
// answers 422. No validation, no limits, no hashing, no failure handling: what is left of a
// request once polyverify's work is taken away. Prints `{"type":"listening"}` as the example does.
//
// With FLOOR_STACK=1, the floor on polyverify's chosen stack: the same routes with the vendor call
// made through ky as polyverify's HTTP shell configures it (a ky instance, a beforeRequest hook
// for the token, a deadline's AbortController) and the recommended preset's four limits taken
// through rate-limiter-flexible first (two per phone, two per client): what those libraries cost
// before any of polyverify's own work.
import { randomInt } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import ky from 'ky';
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis.js';
import { createClient } from 'redis';

const { PORT, POLYVERIFY_REDIS_URL, LOX24_BASE_URL, LOX24_TOKEN, FLOOR_STACK } = process.env;
const redis = await createClient({ url: POLYVERIFY_REDIS_URL, disableOfflineQueue: true }).connect();
const app = new Hono();

/** The vendor call: plain fetch, or ky configured as polyverify's HTTP shell is. */
const vendor = FLOOR_STACK
  ? ky.create({
      prefixUrl: LOX24_BASE_URL,
      retry: 0,
      throwHttpErrors: false,
      timeout: false,
      redirect: 'manual',
      headers: { accept: 'application/json' },
      hooks: { beforeRequest: [(request) => request.headers.set('x-lox24-auth-token', LOX24_TOKEN)] },
    })
  : undefined;
async function send(body) {
  if (!vendor) {
    return fetch(`${LOX24_BASE_URL}/verify_codes`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-lox24-auth-token': LOX24_TOKEN }, body: JSON.stringify(body) });
  }
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), 10_000);
  try {
    return await vendor('verify_codes', { method: 'POST', json: body, signal: deadline.signal });
  } finally {
    clearTimeout(timer);
  }
}

// The recommended preset's limits: 3 per 10 min and 10 a day per phone, 10 per 10 min and 50 a day per client.
const limiter = (name, points, duration) => new RateLimiterRedis({ storeClient: redis, useRedisPackage: true, rejectIfRedisNotReady: true, keyPrefix: `floor-limit:${name}`, points, duration });
const limits = FLOOR_STACK ? [[limiter('phone-10m', 3, 600), 'phone'], [limiter('phone-day', 10, 86_400), 'phone'], [limiter('key-10m', 10, 600), 'key'], [limiter('key-day', 50, 86_400), 'key']] : [];

app.post('/verifications', async (c) => {
  const { phone } = await c.req.json();
  if (limits.length > 0) {
    const key = { phone, key: c.req.header('x-forwarded-for') ?? 'none' };
    await Promise.all(limits.map(([l, on]) => l.consume(key[on])));
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const body = { phone, code, is_code_deleted: true, payload: `signup-${Date.now()}`, lang: 'EN', routing_strategy: [{ channel: 'sms' }] };
  const answer = await send(body);
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
