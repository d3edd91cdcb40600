/**
 * The vendor-neutral model: what a verification is, how it is started and checked, and
 * how lists are queried and paged.
 */
import type { Money } from './money.js';

/** A delivery channel. Each vendor supports some of them (see `capabilities.channels`). */
export type Channel = 'sms' | 'voice' | 'telegram' | 'viber' | 'whatsapp' | 'email';

/**
 * Where a verification stands.
 * - `pending`: a code is out and may still be checked;
 * - `verified`: the right code was checked;
 * - `failed`: it can no longer succeed (attempts used up, or every delivery failed);
 * - `expired`: its time ran out;
 * - `canceled`: it was canceled.
 */
export type VerificationStatus = 'pending' | 'verified' | 'failed' | 'expired' | 'canceled';

/** Where one delivery attempt stands, per channel. */
export type DeliveryStatus = 'queued' | 'sending' | 'delivered' | 'failed' | 'error';

/** One step of the ordered fallback plan of a verification. */
export interface ChannelStep {
  /** The channel of this step. */
  readonly channel: Channel;
  /** How long to wait for this step before falling back to the next (vendor-specific rules). */
  readonly timeoutSec?: number;
  /** Sender id or number shown to the recipient. */
  readonly sender?: string;
  /** Message template; its placeholder is vendor-specific (`{{code}}` for LOX24). */
  readonly template?: string;
}

/** A recipient: an E.164 phone number (`'+491701234567'`) or an e-mail address. */
export type Recipient =
  | string
  | {
      /** The e-mail address. */
      readonly email: string;
    };

/**
 * What `start()` takes. Vendor-only extras go in `vendor`, typed per adapter.
 *
 * @example
 * ```ts
 * const request: StartRequest = {
 *   to: '+491701234567',
 *   channels: [{ channel: 'sms', sender: 'MyApp' }],
 *   ttlSeconds: 300,
 *   reference: 'signup-42',
 * };
 * ```
 */
export interface StartRequest<VendorExtras extends object = Record<string, unknown>> {
  /** The recipient: an E.164 phone number, or `{ email }`. */
  readonly to: Recipient;
  /** The ordered fallback plan. Each adapter has a default plan when this is left out. */
  readonly channels?: readonly ChannelStep[];
  /** A code of your own, where the adapter allows one (`capabilities.customCode`). */
  readonly code?: string;
  /** Digits of a generated code, within `capabilities.codeLength`. */
  readonly codeLength?: number;
  /** BCP 47 language tag of the message (`'en'`, `'de-AT'`). */
  readonly locale?: string;
  /** How long the code can be checked, seconds, within `capabilities.ttlSeconds`. */
  readonly ttlSeconds?: number;
  /** Wrong codes allowed, within `capabilities.maxAttempts`. */
  readonly maxAttempts?: number;
  /** Your correlation string, stored with the verification and returned in reads. */
  readonly reference?: string;
  /** Options only this vendor has (typed per adapter, e.g. `Lox24StartExtras`). */
  readonly vendor?: VendorExtras;
}

/** One delivery attempt on one channel. */
export interface DeliveryAttempt {
  /** The channel tried. */
  readonly channel: Channel;
  /** Where it stands. */
  readonly status: DeliveryStatus;
  /** When the vendor last processed this attempt. */
  readonly at: Date | undefined;
  /** The vendor's id of the message sent, if any. */
  readonly messageId: string | undefined;
  /** The vendor's own status value. */
  readonly raw: unknown;
}

/** A verification, in one model for every vendor. */
export interface Verification {
  /** The vendor's id; pass it to `check`, `get`, `cancel`, … */
  readonly id: string;
  /** The name of the provider instance that issued it. */
  readonly provider: string;
  /** The recipient: E.164 phone number or e-mail address. */
  readonly to: string;
  /** Where it stands. */
  readonly status: VerificationStatus;
  /** The channel plan. */
  readonly channels: readonly ChannelStep[];
  /** Delivery attempts so far, in order. */
  readonly attempts: readonly DeliveryAttempt[];
  /** The channel that delivered the code, once one did. */
  readonly deliveredChannel: Channel | undefined;
  /** Wrong codes allowed, where known. */
  readonly maxAttempts: number | undefined;
  /** Wrong codes checked so far. */
  readonly failedAttempts: number | undefined;
  /** The final cost, or `null` while the vendor has no final price. */
  readonly cost: Money | null;
  /** Your correlation string, where the vendor keeps one. */
  readonly reference: string | undefined;
  /** The recipient's country (ISO 3166-1 alpha-2), where the vendor reports it. */
  readonly country: string | undefined;
  /** When it was started. */
  readonly createdAt: Date;
  /** When the vendor last changed it, where it says. */
  readonly updatedAt: Date | undefined;
  /** When its code stops being accepted. */
  readonly expiresAt: Date | undefined;
  /** When it reached a final status. */
  readonly finishedAt: Date | undefined;
  /** The vendor's object as received, with any code removed. */
  readonly raw: unknown;
  /** `true` for a start to a listed test number (`testNumbers()`): no vendor was asked, nothing paid; costs, scorecards and `adaptive()` leave it out. */
  readonly test?: true;
}

/** Why a check did not verify. */
export type CheckReason =
  | 'incorrect_code'
  | 'expired'
  | 'max_attempts'
  | 'canceled'
  | 'not_found'
  | 'already_verified';

/**
 * The outcome of `check()`: the same four fields on every vendor, and nothing else — no phone
 * number, no vendor record — so it is safe to return to the client that sent the code. A wrong
 * code is a result, not an exception. The verification itself (with `to` and the vendor's
 * `raw`) is server-side data: read it with `get(id)` when you need it.
 *
 * @example
 * ```ts
 * const r = await verify.check(id, '123456');
 * if (!r.verified && r.reason === 'incorrect_code') console.log(`${r.attemptsRemaining} tries left`);
 * ```
 */
export interface CheckResult {
  /** Whether the code was right (and the verification is now verified). */
  readonly verified: boolean;
  /** The verification's status after this check (`failed` for `not_found`). */
  readonly status: VerificationStatus;
  /** Why it did not verify. */
  readonly reason?: CheckReason;
  /** Wrong codes still allowed, where known. */
  readonly attemptsRemaining?: number;
}

/**
 * Filters for `list()` and `listPage()`. Each adapter applies on the server what its
 * vendor supports and the rest on the client (`capabilities.listFilters`).
 */
export interface ListQuery {
  /** Created at or after. */
  readonly from?: Date;
  /** Created before. */
  readonly to?: Date;
  /** Only this status. */
  readonly status?: VerificationStatus;
  /** The verification's first (primary) channel, the one tried first. */
  readonly channel?: Channel;
  /** The recipient, E.164. */
  readonly phone?: string;
  /** Only this reference. */
  readonly reference?: string;
  /** Only these verification ids. */
  readonly ids?: readonly string[];
}

/** The filter names of {@link ListQuery}. */
export type ListFilter = keyof ListQuery;

/** One page of a list. There is no `nextCursor` on the last page. */
export interface Page<T> {
  /** This page's items, newest first. */
  readonly items: T[];
  /** Pass it as `cursor` to read the next page; absent on the last. */
  readonly nextCursor?: string;
}

/** `listPage()` input: the filters plus where to resume and how many to return. */
export type PageQuery = ListQuery & {
  /** Where to resume: a previous page's `nextCursor`. */
  readonly cursor?: string;
  /** Items a page holds at most (the adapter's default when absent). */
  readonly limit?: number;
};
