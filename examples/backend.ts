/**
 * A small backend that uses polyverify: sign-up phone verification over HTTP.
 *
 *   POST /verifications          {"phone": "+491701234567"}   → 201 {"id": "…", "expiresAt": "…"}
 *   POST /verifications/:id/check {"code": "123456"}           → 200 {"verified": true}
 *                                                              → 422 {"verified": false, "reason": "incorrect_code", "attemptsRemaining": 2}
 *                                                              → 429 (Retry-After) when the guard's limits are reached
 *
 * Every start goes through `guard()` with the defaults docs/fraud-guard.md recommends, keyed by
 * the client's IP address.
 *
 * Run directly (compiled, or with a TypeScript runner), it takes its vendors from the
 * environment (POLYVERIFY_PROVIDER=… or POLYVERIFY_CONFIG=…) and listens on PORT (3000).
 * `test/example-backend.test.ts` drives it against the simulators.
 */
import { realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { guard, isVerifyError, providerFromEnv, RateLimitError, type GuardOptions, type VerifyProvider } from 'polyverify';

/** The guard this backend runs with: a few codes per phone, a bound per client, real numbers only. */
export const RECOMMENDED_GUARD: GuardOptions = {
  perPhone: [{ max: 3, windowSeconds: 600 }, { max: 10, windowSeconds: 86_400 }],
  perKey: [{ max: 10, windowSeconds: 600 }, { max: 50, windowSeconds: 86_400 }],
  strictNumbers: true,
};

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

/** The HTTP app around one provider (a single vendor, a failover or a route), under `guard(provider, guardOptions)`. */
export function createApp(provider: VerifyProvider, guardOptions: GuardOptions = RECOMMENDED_GUARD): Server {
  const verify = guard(provider, guardOptions);
  return createServer(async (req, res) => {
    try {
      if (req.method === 'POST' && req.url === '/verifications') {
        const { phone } = await body(req);
        const limitKey = req.socket.remoteAddress ?? 'unknown';
        const v = await verify.start({ to: String(phone ?? ''), reference: `signup-${Date.now()}` }, { limitKey });
        return send(res, 201, { id: v.id, expiresAt: v.expiresAt });
      }
      const check = /^\/verifications\/([^/]+)\/check$/.exec(req.url ?? '');
      if (req.method === 'POST' && check) {
        const { code } = await body(req);
        const result = await verify.check(decodeURIComponent(check[1]!), String(code ?? ''));
        if (result.verified) return send(res, 200, { verified: true });
        return send(res, result.reason === 'not_found' ? 404 : 422, { verified: false, reason: result.reason, attemptsRemaining: result.attemptsRemaining });
      }
      return send(res, 404, { error: 'not found' });
    } catch (error) {
      // Typed errors say what went wrong without secrets; never pass internals to clients.
      if (error instanceof RateLimitError) {
        res.setHeader('retry-after', String(Math.ceil((error.retryAfterMs ?? 60_000) / 1000)));
        return send(res, 429, { error: 'too many verification requests; try again later' });
      }
      if (isVerifyError(error) && error.code === 'validation') return send(res, 400, { error: 'invalid request' });
      if (isVerifyError(error) && error.sent === 'maybe') return send(res, 503, { error: 'try again shortly; a code may already be on its way' });
      return send(res, 503, { error: 'verification is unavailable, try again later' });
    }
  });
}

// Started directly: vendors from the environment.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // With POLYVERIFY_REDIS_URL set, codes, try counts and the guard's counters live in Redis, shared by every instance.
  const url = process.env.POLYVERIFY_REDIS_URL;
  const store = url ? await (await import('polyverify/redis')).connectRedisStore(url) : undefined;
  const verify = await providerFromEnv(process.env, store ? { store } : {});
  createApp(verify, { ...RECOMMENDED_GUARD, ...(store && { limits: store.limits }) }).listen(Number(process.env.PORT ?? 3000), () => console.log(`listening on ${process.env.PORT ?? 3000}`));
}
