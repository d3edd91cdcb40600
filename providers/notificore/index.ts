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
import { defineProvider } from '../../src/adapter/define.js';
import { setupVendor } from '../../src/adapter/options.js';
import { NotFoundError } from '../../src/errors.js';
import type { HttpCall } from '../../src/http/index.js';
import { MemoryTriesStore } from '../../src/codes/tries.js';
import type { VerifyProvider } from '../../src/provider.js';
import { UUID, invalid } from '../../src/validate.js';
import { TokenKeeper } from './auth.js';
import { NOTIFICORE_BASE_URL, NOTIFICORE_CAPABILITIES, NOTIFICORE_EXTRAS, NOTIFICORE_FACTORY_OPTIONS, notificoreVendor, type NotificoreOptions, type NotificoreStartExtras } from './config.js';
import { refusedCheck, toCreateBody, toNotificoreError, toVerification, unwrapSingle } from './map.js';
import { notificorePaging, type Position } from './paging.js';
import { countedTries } from '../../src/adapter/counted-tries.js';
import { authenticationSchema, type NotificoreCreateBody } from './wire.js';

export type { NotificoreOptions } from './config.js';

/**
 * Creates a Notificore provider.
 *
 * @throws ValidationError when an option is missing or malformed (secrets are never echoed).
 */
export function notificore(options: NotificoreOptions): VerifyProvider<NotificoreStartExtras> {
  let tokens: TokenKeeper;
  const { name, config, warn, http, redactor, model, shell } = setupVendor(options, notificoreVendor, NOTIFICORE_FACTORY_OPTIONS, {
    baseUrl: NOTIFICORE_BASE_URL,
    credentials: (c) => [c.apiKey],
    // The login itself carries the API key in its body; everything else the bearer.
    authorize: (request) => (request.url.endsWith('/api/auth/login') || !tokens.current ? undefined : request.headers.set('Authorization', `Bearer ${tokens.current}`)),
    toError: toNotificoreError,
  });
  const now = options.now ?? Date.now;
  const tries = countedTries(options.triesStore ?? new MemoryTriesStore({ now }), warn);
  tokens = new TokenKeeper({ apiKey: config.apiKey, http, redactor, provider: name, now });
  // polyverify counts wrong codes (Notificore does not say): the counts join each authentication read.
  const authentications = model({
    schema: authenticationSchema,
    what: 'the authentication in the response',
    extras: (wires, operation) => (operation === 'start' ? Promise.resolve([]) : tries.failed(wires.map((wire) => wire.id), operation)),
    map: (wire, raw, operation, failedAttempts) => toVerification(wire, raw, { provider: name, failedAttempts, warn: (m) => warn(m, operation) }),
  });
  const request = (call: HttpCall) => tokens.request(call).then((result) => authentications.one(unwrapSingle(result.body), call.operation, result.sent));
  const read = (id: string, operation: 'get' | 'list', callOptions: HttpCall['options']) => request({ operation, method: 'GET', path: `api/2fa/authentications/${id}`, sends: false, options: callOptions });
  const settingsOf = (extras: NotificoreStartExtras) => ({ sender: extras.sender ?? config.sender, smsSender: config.smsSender, templateId: extras.templateId ?? config.templateId });

  return defineProvider<NotificoreStartExtras, Position, NotificoreCreateBody>({
    ...shell,
    capabilities: NOTIFICORE_CAPABILITIES,
    id: { pattern: UUID, what: 'a Notificore authentication id (UUID)' },
    code: { pattern: /^\d{3,9}$/, message: 'must be 3 to 9 digits for Notificore' },
    extras: NOTIFICORE_EXTRAS,
    defaultChannels: options.channels ?? [{ channel: 'sms' }],
    unsupported: { failover: 'Notificore falls back from Viber to SMS by itself (sender_alt)' },
    prepare: (input) => toCreateBody(input, input.channels, settingsOf(input.vendor)),

    async start(_input, callOptions, body) {
      const verification = await request({ operation: 'start', method: 'POST', path: 'api/2fa/authentications/otp', json: body, sends: true, options: callOptions });
      await tries.start(verification.id, verification.maxAttempts ?? body!.code_max_tries, (verification.expiresAt?.getTime() ?? now() + body!.code_lifetime * 1000) - now());
      return verification.failedAttempts === undefined ? { ...verification, failedAttempts: 0 } : verification;
    },

    async check(id, code, callOptions) {
      const scrub = redactor.with(code);
      const result = await tokens.request({ operation: 'check', method: 'POST', path: `api/2fa/authentications/otp/${id}/verify`, json: { access_code: code }, sends: false, idempotent: false, accept: [404, 422], options: callOptions, redactor: scrub });
      if (result.status === 200) return { verified: true, verification: await authentications.one(unwrapSingle(result.body), 'check', result.sent) };
      const reason = refusedCheck({ ...result, operation: 'check', sends: false }, scrub, name);
      const attemptsRemaining = reason === 'incorrect_code' ? await tries.fail(id) : undefined;
      return { verified: false, reason, ...(attemptsRemaining !== undefined && { attemptsRemaining }) };
    },
    get: (id, callOptions) => read(id, 'get', callOptions),
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
      options,
      call: (call) => tokens.request(call),
      toModels: (raws) => authentications.many(raws, 'list'),
      getOne: (id, callOptions) => read(id, 'list', callOptions).catch((error: unknown) => (error instanceof NotFoundError ? undefined : Promise.reject(error))),
    }),
  });
}
