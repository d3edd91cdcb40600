/**
 * The Notificore adapter: 2FA `authentications` of Notificore's One-API at
 * https://one-api.notificore.ru. Notificore owns the code: it generates and checks it.
 *
 * @example
 * ```ts
 * import { notificore } from 'polyverify/notificore';
 * const verify = notificore({ apiKey: process.env.NOTIFICORE_API_KEY!, sender: 'MyApp', templateId: 12 });
 * const v = await verify.start({ to: '+61401629754', channels: [{ channel: 'viber' }, { channel: 'sms', sender: 'MyAppSMS' }] });
 * const r = await verify.check(v.id, '76928');
 * ```
 * @module polyverify/notificore
 */
import * as v from 'valibot';
import { defineProvider, type CheckOutcome } from '../../src/adapter/define.js';
import { setupVendor } from '../../src/adapter/options.js';
import { AuthenticationError, InvalidResponseError, NotFoundError, type Operation } from '../../src/errors.js';
import { type HttpCall, type HttpResult } from '../../src/http/index.js';
import { MemoryTriesStore } from '../../src/codes/tries.js';
import type { Verification } from '../../src/model.js';
import type { VerifyProvider } from '../../src/provider.js';
import { UUID, brokenField, invalid } from '../../src/validate.js';
import { TokenKeeper } from './auth.js';
import { NOTIFICORE_CAPABILITIES, NOTIFICORE_OPTIONS, notificoreVendor, type NotificoreOptions, NOTIFICORE_BASE_URL } from './config.js';
import { checkOutcome, toCreateBody, toNotificoreError, toVerification } from './map.js';
import { notificorePaging, type Position } from './paging.js';
import { countedTries } from './tries.js';
import { authenticationSchema, singleSchema, type NotificoreAuthentication, type NotificoreCreateBody } from './wire.js';

export type { NotificoreOptions } from './config.js';


/** Notificore-only extras of `start()`, passed as `vendor`. */
interface NotificoreStartExtras {
  /** An approved template other than the adapter's `templateId`. */
  readonly templateId?: number;
  /** A sender other than the adapter's `sender`. */
  readonly sender?: string;
}

const extrasSchema = v.strictObject({ templateId: NOTIFICORE_OPTIONS.templateId, sender: v.optional(v.string()) });
const runtimeOptions = { triesStore: v.optional(v.looseObject({})), now: v.optional(v.function('must be a function')) };

/**
 * Creates a Notificore provider.
 *
 * @throws ValidationError when an option is missing or malformed (secrets are never echoed).
 */
export function notificore(options: NotificoreOptions): VerifyProvider<NotificoreStartExtras> {
  let tokens: TokenKeeper;
  const { name, config, warn, http, redactor, shell } = setupVendor(options, notificoreVendor, { ...NOTIFICORE_OPTIONS, ...runtimeOptions }, {
    baseUrl: NOTIFICORE_BASE_URL,
    credentials: (c) => [c.apiKey],
    authorize: (request) => {
      // The login itself carries the API key in its body; everything else the bearer.
      if (request.url.endsWith('/api/auth/login')) return;
      const bearer = tokens.current;
      if (bearer !== undefined) request.headers.set('Authorization', `Bearer ${bearer}`);
    },
    toError: toNotificoreError,
  });
  const now = options.now ?? Date.now;
  const tries = countedTries(options.triesStore ?? new MemoryTriesStore({ now }), warn);
  tokens = new TokenKeeper({ apiKey: config.apiKey, http, redactor, provider: name, now });

  /** A call with a valid token; after a 401, one new login and one more try (a 401 was not processed). */
  async function call(request: HttpCall): Promise<HttpResult> {
    await tokens.ensure(request.options);
    const bearer = tokens.current;
    try {
      return await http.request(request);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      await tokens.reject(bearer, request.options);
      return http.request(request);
    }
  }

  function toModel(raw: unknown, operation: Operation, sent: 'no' | 'maybe', failedAttempts: number | undefined): Verification {
    const parsed = v.safeParse(authenticationSchema, raw);
    const invalidResponse = (what: string) => new InvalidResponseError(`${name} ${operation}: ${what}`, { provider: name, operation, sent });
    if (!parsed.success) throw invalidResponse(`the authentication in the response does not fit Notificore's documented format (${brokenField(parsed.issues)})`);
    const wire: NotificoreAuthentication = parsed.output;
    try {
      return toVerification(wire, raw, { provider: name, failedAttempts, warn: (m) => warn(m, operation) });
    } catch {
      throw invalidResponse('the authentication has an unreadable created_at');
    }
  }

  /**
   * The authentication of a single-object answer: `{ data: {…} }` as the schemas and docs
   * have it, or the bare object as some of the spec's own examples show (the verify answer).
   */
  async function single(body: unknown, operation: Operation, sent: 'no' | 'maybe'): Promise<Verification> {
    const envelope = v.safeParse(singleSchema, body);
    const raw = envelope.success ? envelope.output.data : body;
    const id = (raw as { id?: unknown } | null)?.id;
    const [failed] = typeof id === 'string' && operation !== 'start' ? await tries.failed([id], operation) : [undefined];
    return toModel(raw, operation, sent, failed);
  }
  /** Many authentications of a list page, with their counts in one store round trip. */
  async function many(raws: readonly unknown[]): Promise<Verification[]> {
    const counts = await tries.failed(raws.map((raw) => String((raw as { id?: unknown }).id)), 'list');
    return raws.map((raw, k) => toModel(raw, 'list', 'no', counts[k]));
  }

  const request = async (http: HttpCall) => {
    const result = await call(http);
    return single(result.body, http.operation, result.sent);
  };
  const settingsOf = (extras: NotificoreStartExtras) => ({ sender: extras.sender ?? config.sender, smsSender: config.smsSender, templateId: extras.templateId ?? config.templateId });

  return defineProvider<NotificoreStartExtras, Position, NotificoreCreateBody>({
    ...shell,
    capabilities: NOTIFICORE_CAPABILITIES,
    id: { pattern: UUID, what: 'a Notificore authentication id (UUID)' },
    code: { pattern: /^\d{3,9}$/, message: 'must be 3 to 9 digits for Notificore' },
    extras: { schema: extrasSchema, message: 'Notificore takes templateId and sender only' },
    defaultChannels: options.channels ?? [{ channel: 'sms' }],
    unsupported: { failover: 'Notificore falls back from Viber to SMS by itself (sender_alt)' },
    prepare: (input) => toCreateBody(input, input.channels, settingsOf(input.vendor)),

    async start(_input, callOptions, body) {
      const verification = await request({ operation: 'start', method: 'POST', path: 'api/2fa/authentications/otp', json: body, sends: true, options: callOptions });
      await tries.start(verification.id, verification.maxAttempts ?? body!.code_max_tries, (verification.expiresAt?.getTime() ?? now() + body!.code_lifetime * 1000) - now());
      return verification.failedAttempts === undefined ? { ...verification, failedAttempts: 0 } : verification;
    },

    async check(id, code, callOptions): Promise<CheckOutcome> {
      const result = await call({
        operation: 'check',
        method: 'POST',
        path: `api/2fa/authentications/otp/${id}/verify`,
        json: { access_code: code },
        sends: false,
        idempotent: false,
        accept: [404, 422],
        options: callOptions,
        redactor: redactor.with(code),
      });
      if (result.status === 200) return { verified: true, verification: await single(result.body, 'check', result.sent) };
      const failure = { status: result.status, body: result.body, headers: result.headers, requestId: result.requestId, operation: 'check' as const, sends: false };
      const reason = checkOutcome(failure);
      if (reason === undefined) throw toNotificoreError(failure, redactor.with(code), name);
      if (reason !== 'incorrect_code') return { verified: false, reason };
      const attemptsRemaining = await tries.fail(id);
      return { verified: false, reason, ...(attemptsRemaining !== undefined && { attemptsRemaining }) };
    },

    get: (id, callOptions) => request({ operation: 'get', method: 'GET', path: `api/2fa/authentications/${id}`, sends: false, options: callOptions }),

    /** Sends a new code on the same plan; Notificore invalidates the previous one. */
    async resend(id, callOptions) {
      if (callOptions?.step !== undefined) invalid([{ field: 'options.step', message: 'Notificore resends on the same plan; it takes no step' }], { provider: name, operation: 'resend' });
      return request({ operation: 'resend', method: 'POST', path: `api/2fa/authentications/otp/${id}/resend`, sends: true, options: callOptions });
    },

    /** Cancels at Notificore; only a pending authentication can be canceled. */
    cancel: (id, callOptions) => request({ operation: 'cancel', method: 'POST', path: `api/2fa/authentications/${id}/cancel`, sends: false, idempotent: false, options: callOptions }),

    paging: notificorePaging({
      name,
      now,
      windowDays: options.listWindowDays ?? 90,
      pageSize: options.listPageSize ?? 100,
      prefetch: options.listPrefetch ?? 2,
      call,
      toModels: many,
      getOne: async (id, callOptions) => {
        try {
          return await request({ operation: 'list', method: 'GET', path: `api/2fa/authentications/${id}`, sends: false, options: callOptions });
        } catch (error) {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        }
      },
    }),
  });
}
