/**
 * Phone verification on Deno 2 (docs/runtimes.md): `Deno.serve` and LOX24.
 *
 *   POST /start  {"phone": "+491701234567"}       → 201 {"id": "…"}
 *   POST /check  {"id": "…", "code": "123456"}    → 200 {"verified": true} or {"verified": false, "reason": "…"}
 *
 *   deno run --allow-net --allow-env examples/deno.ts
 *
 * polyverify keeps LOX24's codes (a keyed hash) in this process; several processes share them
 * through `polyverify/redis`. Environment: LOX24_TOKEN, POLYVERIFY_SECRET (≥ 16 characters),
 * PORT; LOX24_BASE_URL only to point at a simulator. CI runs this file with Deno
 * (scripts/check-runtimes.sh) and type-checks it with `deno check`.
 */
import { isVerifyError } from 'polyverify';
import { lox24 } from 'polyverify/lox24';

const baseUrl = Deno.env.get('LOX24_BASE_URL');
const verify = lox24({
  token: Deno.env.get('LOX24_TOKEN') ?? '',
  secret: Deno.env.get('POLYVERIFY_SECRET') ?? '',
  ...(baseUrl && { baseUrl }),
});

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000) }, async (request) => {
  const body = (await request.json().catch(() => ({}))) as { phone?: string; id?: string; code?: string };
  try {
    switch (new URL(request.url).pathname) {
      case '/start': {
        const started = await verify.start({ to: String(body.phone) });
        return Response.json({ id: started.id }, { status: 201 });
      }
      case '/check': {
        const { verified, reason } = await verify.check(String(body.id), String(body.code));
        return Response.json({ verified, reason });
      }
      default:
        return new Response('not found', { status: 404 });
    }
  } catch (error) {
    // polyverify's messages name the field and never hold a secret, code or full number.
    if (!isVerifyError(error)) throw error;
    const status = { validation: 400, not_found: 404, rate_limited: 429 }[error.code as string] ?? 502;
    return Response.json({ error: error.message }, { status });
  }
});
