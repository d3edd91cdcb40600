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
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { defineProvider } from '../../src/adapter/define.js';
import { setupVendor } from '../../src/adapter/options.js';
import { OwnedCodes, type CodeRecord } from '../../src/codes/index.js';
import { NotFoundError, type Operation } from '../../src/errors.js';
import type { Verification } from '../../src/model.js';
import type { CallOptions, VerifyProvider } from '../../src/provider.js';
import { UUID, invalid } from '../../src/validate.js';
import { LOX24_CAPABILITIES, LOX24_OPTIONS, lox24Vendor, type Lox24Options , LOX24_BASE_URL } from './config.js';
import { lox24Issues, toCreateBody, toLox24Error, toVerification } from './map.js';
import { lox24Paging, type Position } from './paging.js';
import { verifyCodeSchema, type Lox24VerifyCode } from './wire.js';

export type { Lox24Options } from './config.js';
export { lox24Webhook } from './webhook.js';


/** LOX24-only extras of `start()`, passed as `vendor`. */
interface Lox24StartExtras {
  /** Overrides the adapter's `deleteCodeAfterSend` for this verification. */
  readonly deleteCodeAfterSend?: boolean;
}

const caps = LOX24_CAPABILITIES;
const runtimeOptions = { codeStore: v.optional(v.looseObject({})), now: v.optional(v.function('must be a function')) };
const extrasSchema = v.strictObject({ deleteCodeAfterSend: v.optional(v.boolean()) });

/**
 * Creates a LOX24 provider.
 *
 * @throws ValidationError when an option is missing or malformed (secrets are never echoed).
 */
export function lox24(options: Lox24Options): VerifyProvider<Lox24StartExtras> {
  const { name, warn, http, redactor, decode, shell } = setupVendor(options, lox24Vendor, { ...LOX24_OPTIONS, ...runtimeOptions }, {
    baseUrl: LOX24_BASE_URL,
    credentials: (c) => [c.token],
    secrets: (c) => [...c.token.split(':').filter((part) => part.length >= 8), c.secret],
    authorize: (request, c) => request.headers.set('X-LOX24-AUTH-TOKEN', c.token),
    requestIdHeader: 'X-LOX24-REQUEST-ID',
    toError: toLox24Error,
  });
  const defaultChannels = options.channels ?? [{ channel: 'sms' }];
  const channelIssues = lox24Issues({ channels: defaultChannels }).map((i) => ({ ...i, field: `options.${i.field}` }));
  if (channelIssues.length) invalid(channelIssues, { provider: name, operation: 'config', summary: 'Invalid LOX24 options' });
  const ttlSeconds = options.ttlSeconds ?? caps.ttlSeconds.default;
  const maxAttempts = options.maxAttempts ?? caps.maxAttempts.default;
  const codeLength = options.codeLength ?? caps.codeLength.default;
  const now = options.now ?? Date.now;
  const codes = new OwnedCodes({
    secret: options.secret,
    store: options.codeStore,
    now,
    provider: name,
    onEphemeralSecret: () => warn('no `secret` given: codes cannot be checked after a restart or by another instance', 'config'),
  });
  const parseWire = (body: unknown, operation: Operation, sent: 'no' | 'maybe'): Lox24VerifyCode => decode(verifyCodeSchema, body, 'the verify code in the response', operation, sent);
  const map = (wire: Lox24VerifyCode, raw: unknown, record: CodeRecord | undefined, operation: Operation = 'get'): Verification =>
    toVerification(wire, raw, { provider: name, record, now: now(), ttlSeconds, warn: (m) => warn(m, operation) });
  const read = async (id: string, operation: Operation, options: CallOptions | undefined, record?: CodeRecord) => {
    const result = await http.request({ operation, method: 'GET', path: `verify_codes/${id}`, sends: false, options });
    const wire = parseWire(result.body, operation, result.sent);
    return map(wire, result.body, record ?? (await codes.record(wire.id, operation)), operation);
  };

  return defineProvider<Lox24StartExtras, Position>({
    ...shell,
    capabilities: caps,
    id: { pattern: UUID, what: 'a LOX24 verify code id (UUID)' },
    extras: { schema: extrasSchema, message: 'LOX24 takes deleteCodeAfterSend only' },
    defaultChannels,
    startIssues: lox24Issues,
    unsupported: {
      resend: 'LOX24 has no resend; it falls back along the routing strategy by itself',
      failover: 'LOX24 has no failover call; it falls back along the routing strategy by itself',
    },

    async start(input, callOptions) {
      const code = input.code ?? codes.generate(input.codeLength ?? codeLength);
      const limits = { ttlSeconds: input.ttlSeconds ?? ttlSeconds, maxAttempts: input.maxAttempts ?? maxAttempts };
      // The hash is stored before anything is sent: a code that cannot be checked is never sent.
      const provisional = `provisional:${randomUUID()}`;
      const record = await codes.issue(provisional, code, limits);
      let wire: Lox24VerifyCode;
      let body: unknown;
      try {
        const deleteCodeAfterSend = input.vendor.deleteCodeAfterSend ?? options.deleteCodeAfterSend ?? true;
        const result = await http.request({
          operation: 'start',
          method: 'POST',
          path: 'verify_codes',
          json: toCreateBody({ phone: input.to as string, code, locale: input.locale!, reference: input.reference, deleteCodeAfterSend, channels: input.channels }),
          sends: true,
          options: callOptions,
          redactor: redactor.with(code),
        });
        body = result.body;
        wire = parseWire(body, 'start', result.sent);
      } catch (error) {
        // Without the vendor's id the record can never be checked: drop it (or let it expire, if the store is down).
        await codes.discard(provisional);
        throw error;
      }
      await codes.move(provisional, wire.id, record);
      return map(wire, body, record, 'start');
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

    paging: lox24Paging({
      name,
      http,
      order: options.listOrder ?? 'detect',
      sortCap: options.listSortCap,
      toModel: async (raws) => {
        const wires = raws.map((raw) => parseWire(raw, 'list', 'no'));
        const records = await Promise.all(wires.map((wire) => codes.record(wire.id, 'list')));
        return wires.map((wire, k) => map(wire, raws[k], records[k], 'list'));
      },
    }),
  });
}
