/**
 * LOX24's verify-code webhooks, normalized. LOX24 posts an envelope `{ id, api_version, name,
 * created_at, attempt_total (attempts_total in one of its examples), attempt_number,
 * notification_task_id, data }` whose `data` is the verify code read model — with the
 * plaintext `code` — and, on `verify_code.channel.*`, `data.channel`. LOX24 documents no
 * signature, so the webhook URL carries a secret token (`?token=…`).
 */
import { constantTimeEqual, sha256Bytes } from '../../src/crypto.js';
import * as v from 'valibot';
import { WebhookBodyError } from '../../src/errors.js';
import { emit } from '../../src/events.js';
import type { Channel, DeliveryStatus } from '../../src/model.js';
import { fromMinorUnits } from '../../src/money.js';
import { Redactor } from '../../src/redact.js';
import { UUID, brokenField, nonNegativeInteger, unixSeconds } from '../../src/validate.js';
import { webhookEndpoint, type WebhookEndpoint, type WebhookEvent, type WebhookEventType, type WebhookOptions } from '../../src/webhooks/index.js';
import { DEFAULT_CURRENCY, DELIVERY_STATUS, UNKNOWN_DELIVERY_STATUS, toVerification } from './map.js';
import { LOX24_CAPABILITIES } from './config.js';
import { verifyCodeSchema } from './wire.js';

/** LOX24's verify-code event names and what each means. */
export const LOX24_WEBHOOK_EVENTS: Readonly<Record<string, WebhookEventType>> = {
  'verify_code.success': 'delivered',
  'verify_code.failed': 'failed',
  'verify_code.channel.updated': 'updated',
  'verify_code.channel.sent': 'channel.sent',
  'verify_code.channel.success': 'channel.delivered',
  'verify_code.channel.failed': 'channel.failed',
};

const envelopeSchema = v.object({
  id: v.pipe(v.string(), v.regex(UUID)),
  name: v.string(),
  created_at: unixSeconds,
  api_version: v.optional(v.string()),
  // Both spellings appear in LOX24's docs.
  attempt_total: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  attempts_total: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  attempt_number: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  notification_task_id: v.optional(v.string()),
  data: v.record(v.string(), v.unknown()),
});

const channelSchema = v.object({
  id: v.optional(v.string()),
  channel: v.string(),
  status: v.pipe(v.number(), v.integer()),
  processed_at: v.nullish(unixSeconds),
  external_id: v.nullish(v.string()),
  error: v.nullish(v.string()),
  cost: v.nullish(nonNegativeInteger),
});

/** Options of {@link lox24Webhook}. */
export interface Lox24WebhookOptions extends WebhookOptions {
  /** The secret in the webhook URL you give LOX24 (`https://you.example/webhooks/lox24?token=…`), 16 characters or more. */
  readonly token: string;
  /**
   * The member name of the LOX24 provider in your `failover` or `route` (`'lox24'`): events then
   * carry it as `provider` and a routable `verificationId` (`lox24:…`) that `check` and `get` of
   * the composite take. Without it, `verificationId` is LOX24's own id.
   */
  readonly member?: string;
  /** The code lifetime assumed for `verification.expiresAt` (600 s, the adapter's default). */
  readonly ttlSeconds?: number;
}

/**
 * LOX24's webhook endpoint: mount `handle` on a POST route and give LOX24 its URL with
 * `?token=…`.
 *
 * @example
 * ```ts
 * const webhook = lox24Webhook({ token: process.env.LOX24_WEBHOOK_TOKEN!, onWebhook: async (e) => log.info(e.type, e.verificationId) });
 * app.post('/webhooks/lox24', (c) => webhook.handle(c.req.raw)); // Hono
 * ```
 */
export function lox24Webhook(options: Lox24WebhookOptions): WebhookEndpoint {
  if (typeof options.token !== 'string' || options.token.length < 16) {
    throw new TypeError('lox24Webhook: token must be a string of at least 16 characters');
  }
  if (typeof options.onWebhook !== 'function') throw new TypeError('lox24Webhook: onWebhook must be a function');
  const provider = options.member ?? 'lox24';
  const expected = sha256Bytes(options.token);
  const ttlSeconds = options.ttlSeconds ?? LOX24_CAPABILITIES.ttlSeconds.default;
  const warn = (message: string) => emit(options.onEvent, { type: 'warning', provider, operation: 'webhook', message });

  return webhookEndpoint(
    {
      provider,
      authentic: (request) => {
        const given = new URL(request.url).searchParams.get('token') ?? '';
        // Digests of equal length, compared in constant time: neither the token nor its length leaks.
        return constantTimeEqual(sha256Bytes(given), expected);
      },
      toEvent: (body) => toLox24Event(body, { provider, routable: options.member !== undefined, ttlSeconds, warn }),
    },
    options,
  );
}

/** The field a failed parse names, under `root`: `body` for a body that is not an object at all. */
const fieldOf = (issues: Parameters<typeof v.getDotPath>[0][], root?: string): string => {
  const path = v.getDotPath(issues[0]!);
  return path === null ? (root ?? 'body') : root ? `${root}.${path}` : path;
};

const deliveryOf = (status: number): DeliveryStatus => DELIVERY_STATUS[status] ?? UNKNOWN_DELIVERY_STATUS;

/**
 * The normalized event of one LOX24 webhook body; `'ignore'` for events that are not about
 * verify codes, or verify-code events LOX24 may add later (answered 200, so LOX24 stops
 * retrying them). Throws a `WebhookBodyError` naming the field for a body that is not one.
 */
export function toLox24Event(
  body: unknown,
  { provider = 'lox24', routable = false, ttlSeconds = LOX24_CAPABILITIES.ttlSeconds.default, warn = () => undefined }: { provider?: string; routable?: boolean; ttlSeconds?: number; warn?: (message: string) => void } = {},
): WebhookEvent | 'ignore' {
  const envelope = v.safeParse(envelopeSchema, body);
  if (!envelope.success) throw new WebhookBodyError(`the body is not a LOX24 webhook envelope (${brokenField(envelope.issues)})`, { provider, field: fieldOf(envelope.issues) });
  const { id, name, created_at, data } = envelope.output;
  const type = LOX24_WEBHOOK_EVENTS[name];
  if (!type) return 'ignore';
  const code = typeof data['code'] === 'string' ? data['code'] : undefined;
  const { code: _code, channel: channelData, ...readModel } = data;
  const wire = v.safeParse(verifyCodeSchema, readModel);
  if (!wire.success) throw new WebhookBodyError(`the verify code in the event does not fit LOX24's documented format (data.${brokenField(wire.issues)})`, { provider, field: fieldOf(wire.issues, 'data') });
  const verification = toVerification(wire.output, readModel, { provider, record: undefined, now: Date.now(), ttlSeconds, warn });
  const scrub = new Redactor([code]);
  let channel: Channel | undefined = (wire.output.delivered_channel ?? undefined) as Channel | undefined;
  let deliveryStatus: DeliveryStatus | undefined = deliveryOf(wire.output.status);
  let cost: WebhookEvent['cost'] = verification.cost;
  let error: string | undefined;
  if (type.startsWith('channel.')) {
    const parsed = v.safeParse(channelSchema, channelData);
    if (!parsed.success) {
      throw new WebhookBodyError(channelData === undefined ? `a ${name} event needs data.channel` : `data.channel does not fit LOX24's documented format (data.channel.${brokenField(parsed.issues)})`, {
        provider,
        field: channelData === undefined ? 'data.channel' : fieldOf(parsed.issues, 'data.channel'),
      });
    }
    channel = parsed.output.channel as Channel;
    deliveryStatus = deliveryOf(parsed.output.status);
    cost = parsed.output.cost == null ? undefined : fromMinorUnits(parsed.output.cost, wire.output.currency ?? DEFAULT_CURRENCY);
    error = parsed.output.error == null ? undefined : scrub.text(parsed.output.error);
  }
  const routed = (vendorId: string) => (routable ? `${provider}:${vendorId}` : vendorId);
  // What raw keeps of data.channel: its error text scrubbed of the code too.
  const rawChannel =
    typeof channelData === 'object' && channelData !== null && typeof (channelData as { error?: unknown }).error === 'string'
      ? { ...channelData, error: scrub.text((channelData as { error: string }).error) }
      : channelData;
  const total = envelope.output.attempt_total ?? envelope.output.attempts_total;
  const number = envelope.output.attempt_number;
  const { data: _data, ...rest } = envelope.output;
  return {
    id,
    provider,
    verificationId: routed(wire.output.id),
    type,
    vendorEvent: name,
    channel,
    deliveryStatus,
    cost,
    error,
    occurredAt: new Date(created_at * 1000),
    attempt: number !== undefined && total !== undefined ? { number, total } : undefined,
    verification: { ...verification, id: routed(verification.id) },
    raw: { ...rest, data: { ...readModel, ...(rawChannel !== undefined && { channel: rawChannel }) } },
  };
}
