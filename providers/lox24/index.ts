/**
 * The LOX24 adapter: `verify_codes` at https://api.lox24.eu.
 *
 * LOX24 only transports codes: it has no check endpoint. polyverify generates each code,
 * keeps only its keyed hash in a `CodeStore`, sends the code in the request, and checks it
 * locally with expiry and an attempt limit.
 *
 * @example
 * ```ts
 * import { lox24 } from 'polyverify/lox24';
 * const verify = lox24({ token: process.env.LOX24_TOKEN!, secret: process.env.POLYVERIFY_SECRET! });
 * const v = await verify.start({ to: '+491701234567', channels: [{ channel: 'sms', sender: 'LOX24' }] });
 * const result = await verify.check(v.id, codeTheUserTyped);
 * ```
 * @module polyverify/lox24
 */
import { defineProvider, type StartInput } from '../../src/adapter/define.js';
import { setupVendor } from '../../src/adapter/options.js';
import { OwnedCodes, PendingCode, type CodeRecord } from '../../src/codes/index.js';
import { NotFoundError, type Operation } from '../../src/errors.js';
import type { CallOptions, VerifyProvider } from '../../src/provider.js';
import { UUID, throwIssues } from '../../src/validate.js';
import { LOX24_BASE_URL, LOX24_CAPABILITIES as caps, LOX24_EXTRAS, LOX24_FACTORY_OPTIONS, lox24Vendor, type Lox24Options, type Lox24StartExtras } from './config.js';
import { lox24Issues, toCreateBody, toLox24Error, toVerification } from './map.js';
import { lox24Paging, type Position } from './paging.js';
import { verifyCodeSchema, type Lox24VerifyCode } from './wire.js';

export type { Lox24Options } from './config.js';
export { lox24Webhook } from './webhook.js';

/**
 * Creates a LOX24 provider.
 *
 * @throws ValidationError when an option is missing or malformed (secrets are never echoed).
 */
export function lox24(options: Lox24Options): VerifyProvider<Lox24StartExtras> {
  const { name, warn, http, redactor, model, shell } = setupVendor(options, lox24Vendor, LOX24_FACTORY_OPTIONS, {
    baseUrl: LOX24_BASE_URL,
    credentials: (c) => [c.token],
    secrets: (c) => [...c.token.split(':').filter((part) => part.length >= 8), c.secret],
    authorize: (request, c) => request.headers.set('X-LOX24-AUTH-TOKEN', c.token),
    requestIdHeader: 'X-LOX24-REQUEST-ID',
    toError: toLox24Error,
  });
  const defaultChannels = options.channels ?? [{ channel: 'sms' }];
  throwIssues(lox24Issues({ channels: defaultChannels }).map((i) => ({ ...i, field: `options.${i.field}` })), { provider: name, operation: 'config', summary: 'Invalid LOX24 options' });
  const { ttlSeconds = caps.ttlSeconds.default, maxAttempts = caps.maxAttempts.default, codeLength = caps.codeLength.default, now = Date.now } = options;
  const onEphemeralSecret = () => warn('no `secret` given: codes cannot be checked after a restart or by another instance', 'config');
  const codes = new OwnedCodes({ secret: options.secret, store: options.codeStore, now, provider: name, onEphemeralSecret });
  // The code's record (polyverify keeps it: LOX24 only transports the code) joins each verify code read.
  const verifyCodes = model<Lox24VerifyCode, CodeRecord>({
    schema: verifyCodeSchema,
    what: 'the verify code in the response',
    extras: (wires, operation) => Promise.all(wires.map((wire) => codes.record(wire.id, operation))),
    map: (wire, raw, operation, record) => toVerification(wire, raw, { provider: name, record, now: now(), ttlSeconds, warn: (m) => warn(m, operation) }),
  });
  const read = async (id: string, operation: Operation, callOptions: CallOptions | undefined, record?: CodeRecord) => {
    const result = await http.request({ operation, method: 'GET', path: `verify_codes/${id}`, sends: false, options: callOptions });
    return verifyCodes.one(result.body, operation, result.sent, record);
  };

  /** The start's code (the caller's, or a new one), its hash's save begun. */
  const pendingCode = (input: StartInput<Lox24StartExtras>) =>
    codes.prepare(input.code ?? codes.generate(input.codeLength ?? codeLength), { ttlSeconds: input.ttlSeconds ?? ttlSeconds, maxAttempts: input.maxAttempts ?? maxAttempts });

  return defineProvider<Lox24StartExtras, Position>({
    ...shell,
    capabilities: caps,
    id: { pattern: UUID, what: 'a LOX24 verify code id (UUID)' },
    extras: LOX24_EXTRAS,
    defaultChannels,
    startIssues: lox24Issues,
    unsupported: {
      resend: 'LOX24 has no resend; it falls back along the routing strategy by itself',
      failover: 'LOX24 has no failover call; it falls back along the routing strategy by itself',
    },

    // The code's provisional save: begun by a guard while it takes its limits, else by start.
    early: pendingCode,
    async start(input, callOptions, _body, early) {
      const pending = early instanceof PendingCode ? early : pendingCode(input);
      const { code } = pending;
      const deleteCodeAfterSend = input.vendor.deleteCodeAfterSend ?? options.deleteCodeAfterSend ?? true;
      const json = toCreateBody({ phone: input.to as string, code, locale: input.locale!, reference: input.reference, deleteCodeAfterSend, channels: input.channels });
      let answer!: { body: unknown; sent: 'no' | 'maybe'; wire: Lox24VerifyCode };
      const record = await codes.deliver(pending, async () => {
        const result = await http.request({ operation: 'start', method: 'POST', path: 'verify_codes', json, sends: true, options: callOptions, redactor: redactor.with(code) });
        answer = { body: result.body, sent: result.sent, wire: verifyCodes.parse(result.body, 'start', result.sent) };
        return answer.wire.id;
      });
      return verifyCodes.map(answer.wire, answer.body, 'start', answer.sent, record);
    },
    check: (id, code) => codes.outcome(id, code),
    get: (id, callOptions) => read(id, 'get', callOptions),
    /**
     * Invalidates the code in polyverify's store: later checks say `canceled`. LOX24 has no
     * cancel endpoint, so a message already sent is not recalled.
     */
    async cancel(id, callOptions) {
      const record = await codes.cancel(id);
      if (!record) throw new NotFoundError(`${name} cancel: no code of this verification in the code store`, { provider: name, operation: 'cancel' });
      return read(id, 'cancel', callOptions, record);
    },
    paging: lox24Paging({ name, http, order: options.listOrder ?? 'detect', sortCap: options.listSortCap, toModels: (raws) => verifyCodes.many(raws, 'list') }),
  });
}
