/**
 * Phone verification in a Cloudflare Worker (docs/runtimes.md). Works without `nodejs_compat`.
 *
 *   POST /start  {"phone": "+61401629754"}        → 201 {"id": "…"}
 *   POST /check  {"id": "…", "code": "123456"}    → 200 {"verified": true} or {"verified": false, "reason": "…"}
 *
 * Notificore keeps its codes itself, so no store is needed across the isolates that serve one
 * user. (LOX24's codes are kept by polyverify: on Workers give it a `store` every isolate shares.)
 * Secrets: `wrangler secret put NOTIFICORE_API_KEY`. CI runs this file in workerd
 * (scripts/check-runtimes.sh).
 */
import { isVerifyError } from 'polyverify';
import { notificore } from 'polyverify/notificore';

/** The Worker's bindings. */
export interface Env {
  NOTIFICORE_API_KEY: string;
  NOTIFICORE_TEMPLATE_ID: string;
  /** Only to point at a simulator in tests. */
  NOTIFICORE_BASE_URL?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const verify = notificore({
      apiKey: env.NOTIFICORE_API_KEY,
      templateId: Number(env.NOTIFICORE_TEMPLATE_ID),
      sender: 'MyApp',
      ...(env.NOTIFICORE_BASE_URL && { baseUrl: env.NOTIFICORE_BASE_URL }),
    });
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
  },
};
