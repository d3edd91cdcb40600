/**
 * Delivery webhooks in one model for every vendor, and the endpoint shell a vendor's webhook
 * is built with: authentication, a size cap, parsing, at-least-once delivery made exactly-once
 * for the callback, and answers that make the vendor retry only when that helps.
 */
import { readCapped } from '../body.js';
import { WebhookBodyError } from '../errors.js';
import { emit, type VerifyEvent } from '../events.js';
import type { Channel, DeliveryStatus, Verification } from '../model.js';
import type { Money } from '../money.js';
import { MemorySeenStore, type SeenStore } from './seen.js';

export { MemorySeenStore, type Claim, type SeenStore } from './seen.js';

/**
 * What happened: on one channel (`channel.sent`, `channel.delivered`, `channel.failed`), to the
 * verification as a whole (`delivered`: the code reached the recipient on some channel;
 * `failed`: every channel failed), or a status change during processing (`updated`).
 */
export type WebhookEventType = 'channel.sent' | 'channel.delivered' | 'channel.failed' | 'delivered' | 'failed' | 'updated';

/** A vendor's delivery news, normalized. Never holds a code. */
export interface WebhookEvent {
  /** The vendor's event id: the same for every retry of one event. */
  readonly id: string;
  /** The provider instance's name. */
  readonly provider: string;
  /** The verification's id, routable (`member:vendorId`) when the webhook was given the member's name. */
  readonly verificationId: string;
  /** What happened. */
  readonly type: WebhookEventType;
  /** The vendor's own event name (`verify_code.channel.sent`). */
  readonly vendorEvent: string;
  /** The channel of a `channel.*` event; the delivered channel of `delivered`. */
  readonly channel: Channel | undefined;
  /** The delivery status the event reports (of the channel, or of the verification). */
  readonly deliveryStatus: DeliveryStatus | undefined;
  /** The channel's cost on `channel.*` events, the verification's otherwise; null while not final, undefined where not given. */
  readonly cost: Money | null | undefined;
  /** A channel's error text, as the vendor gave it (scrubbed of the code), on `channel.failed`. */
  readonly error: string | undefined;
  /** When it happened, by the vendor's clock. */
  readonly occurredAt: Date;
  /** Which delivery of this event this is (`number` of `total`), where the vendor says. */
  readonly attempt:
    | {
        /** This delivery's number, from 1. */
        readonly number: number;
        /** How many deliveries the vendor makes at most. */
        readonly total: number;
      }
    | undefined;
  /** The verification as the event describes it. */
  readonly verification: Verification;
  /** The vendor's payload, without the code. */
  readonly raw: unknown;
}

/** What a vendor's webhook brings to the endpoint shell. */
export interface WebhookSpec {
  /** The provider name events carry. */
  readonly provider: string;
  /** Whether the request is the vendor's (a token in the URL, a signature, …). */
  readonly authentic: (request: Request, body: string) => boolean;
  /** The event a parsed body describes, `'ignore'` for an event of no interest; throws a `WebhookBodyError` naming the field that does not fit. */
  readonly toEvent: (body: unknown) => WebhookEvent | 'ignore';
}

/** Options every vendor's webhook takes. */
export interface WebhookOptions {
  /** Receives each event once; awaited. Throw to have the vendor deliver it again. */
  readonly onWebhook: (event: WebhookEvent) => void | Promise<void>;
  /** Where delivered event ids live: this process by default; `polyverify/redis`'s `redisSeen(client)` shares them. */
  readonly seen?: SeenStore;
  /** The largest body read (64 KiB). */
  readonly maxBodyBytes?: number;
  /** How long an event id is remembered after its callback succeeded (24 h: past the vendor's last retry). */
  readonly keepMs?: number;
  /** How long a callback may run before a retry of its event is handed over again (60 s). */
  readonly leaseMs?: number;
  /** Receives a `warning` for every refused or ignored delivery (secrets and codes removed). */
  readonly onEvent?: (event: VerifyEvent) => void;
}

/** A mounted webhook endpoint. */
export interface WebhookEndpoint {
  /** Handles one delivery (web-standard `Request` and `Response`: Hono, Fastify, Express, `node:http`). */
  handle(request: Request): Promise<Response>;
  /**
   * Hands an already parsed body to `onWebhook`, once per event (for frameworks that parse JSON
   * themselves, after checking authenticity yourself), and says what became of it: `delivered`,
   * `duplicate`, `processing` (a retry while the first is still running) or `ignored` (an event
   * of no interest). Rejects with a `WebhookBodyError` for a body that is not a valid event, and
   * with the callback's error when it throws.
   */
  deliver(body: unknown): Promise<WebhookOutcome>;
}

/** What became of a delivered body: see {@link WebhookEndpoint.deliver}. */
export type WebhookOutcome = 'delivered' | 'duplicate' | 'processing' | 'ignored';

const reply = (status: number, body: Record<string, unknown>) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * Builds a webhook endpoint from a vendor's spec. Answers: 401 not authentic (nothing
 * delivered), 413 too large, 400 not JSON or not a valid event, 200 delivered, a duplicate, or an
 * event of no interest (so the vendor stops retrying it), 503 while the same event is being
 * handled, 500 when the callback failed (so the vendor retries).
 */
export function webhookEndpoint(spec: WebhookSpec, options: WebhookOptions): WebhookEndpoint {
  const seen = options.seen ?? new MemorySeenStore();
  const cap = options.maxBodyBytes ?? 65_536;
  const keepMs = options.keepMs ?? 86_400_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const warn = (message: string) => emit(options.onEvent, { type: 'warning', provider: spec.provider, operation: 'webhook', message });

  async function deliver(body: unknown): Promise<WebhookOutcome> {
    const event = spec.toEvent(body);
    if (event === 'ignore') return 'ignored';
    const claim = await seen.claim(`${spec.provider}:${event.id}`, leaseMs);
    if (claim === 'done') return 'duplicate';
    if (claim === 'processing') return 'processing';
    try {
      await options.onWebhook(event);
    } catch (error) {
      await seen.release(`${spec.provider}:${event.id}`).catch(() => undefined);
      throw error;
    }
    await seen.done(`${spec.provider}:${event.id}`, keepMs);
    return 'delivered';
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== 'POST') return reply(405, { error: 'method not allowed' });
    const text = await readCapped(request, cap).catch(() => undefined);
    if (text === undefined) {
      warn(`a webhook body over ${cap} bytes was refused`);
      return reply(413, { error: 'body too large' });
    }
    if (!spec.authentic(request, text)) {
      warn('a webhook delivery without the right token was refused');
      return reply(401, { error: 'unauthorized' });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      warn('a webhook body that is not JSON was refused');
      return reply(400, { error: 'not JSON' });
    }
    let outcome: WebhookOutcome;
    try {
      outcome = await deliver(body);
    } catch (error) {
      if (error instanceof WebhookBodyError) {
        warn(`${error.message} (refused with 400)`);
        return reply(400, { error: 'not a valid event' });
      }
      warn(`the webhook callback failed (${error instanceof Error ? error.name : 'error'}); the vendor will deliver the event again`);
      return reply(500, { error: 'callback failed' });
    }
    if (outcome === 'processing') return reply(503, { error: 'this event is being handled; deliver it again later' });
    if (outcome === 'ignored') warn('a webhook event of no interest was ignored');
    return reply(200, { ok: true, outcome });
  }

  return { handle, deliver };
}
