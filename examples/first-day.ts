// A signup service: failover, route, guard and Redis from one config file (docs/first-day.md).
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { RateLimitError, createProvider, isVerifyError, logEvents, scorecard, scorecardHtml, type Logger, type PolyverifyConfig } from 'polyverify';
import { connectRedisStore } from 'polyverify/redis';

/** Where the service's state and vendors come from. */
export interface SignupOptions {
  readonly configFile: string;
  readonly redisUrl: string;
  readonly logger?: Logger;
  /** The client's address (the socket's, or your proxy's header). */
  readonly clientIp?: (request: Request) => string;
}

export async function createSignupService(options: SignupOptions) {
  const config = JSON.parse(await readFile(options.configFile, 'utf8')) as PolyverifyConfig;
  // One store shares everything between instances: codes, try counts and the guard's limits.
  const store = await connectRedisStore(options.redisUrl, { prefix: 'signup:', retainMs: 31 * 86_400_000 });
  const verify = await createProvider(config, { store, onEvent: logEvents(options.logger ?? console) });
  const clientIp = options.clientIp ?? (() => 'unknown');
  const app = new Hono();

  app.post('/signup/start', async (c) => {
    const { phone } = await c.req.json<{ phone: string }>();
    const v = await verify.start({ to: phone }, { limitKey: clientIp(c.req.raw) });
    return c.json({ id: v.id, expiresAt: v.expiresAt }, 201);
  });

  app.post('/signup/check', async (c) => {
    const { id, code } = await c.req.json<{ id: string; code: string }>();
    // A CheckResult is safe to hand back as it is: no number, no vendor record.
    const result = await verify.check(id, code);
    return c.json(result, result.verified ? 200 : 422);
  });

  app.get('/admin/report', async (c) => {
    const from = new Date(Date.now() - 7 * 86_400_000);
    return c.html(scorecardHtml(await scorecard(verify.list({ from })), { from }));
  });

  app.onError((error, c) => {
    if (error instanceof RateLimitError) {
      c.header('retry-after', String(Math.ceil((error.retryAfterMs ?? 60_000) / 1000)));
      return c.json({ error: 'too many codes; try again later' }, 429);
    }
    if (isVerifyError(error) && error.code === 'validation') return c.json({ error: error.message }, 400);
    if (isVerifyError(error) && error.sent === 'maybe') return c.json({ error: 'a code may be on its way; wait before asking again' }, 503);
    return c.json({ error: 'verification is unavailable; try again later' }, 503);
  });

  return { app, close: () => store.close() };
}
