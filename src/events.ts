/**
 * Events a provider reports through its `onEvent` option. Nothing in an event carries a
 * secret or a code; phone numbers in paths and texts are masked.
 */
import type { Operation } from './errors.js';
import { publishDecision } from './tracing.js';

/** What every event has. */
export interface EventBase {
  /** The provider instance's name. */
  readonly provider: string;
  /** The operation the event belongs to (`start`, `check`, `list`, `config`, …). */
  readonly operation: Operation;
}

/** An HTTP request is about to go out (one per attempt). */
export interface RequestEvent extends EventBase {
  /** `'request'`. */
  readonly type: 'request';
  /** The HTTP method. */
  readonly method: string;
  /** Path and query, phone numbers masked. */
  readonly path: string;
  /** 1 for the first try, 2 for the first retry, … */
  readonly attempt: number;
}

/** An HTTP response arrived. */
export interface ResponseEvent extends EventBase {
  /** `'response'`. */
  readonly type: 'response';
  /** The HTTP method. */
  readonly method: string;
  /** Path and query, phone numbers masked. */
  readonly path: string;
  /** 1 for the first try, 2 for the first retry, … */
  readonly attempt: number;
  /** The HTTP status. */
  readonly status: number;
  /** From the request going out to the whole answer read, milliseconds. */
  readonly durationMs: number;
  /** The vendor's request id, where it sends one. */
  readonly requestId: string | undefined;
}

/** A failed attempt will be retried after `delayMs`. */
export interface RetryEvent extends EventBase {
  /** `'retry'`. */
  readonly type: 'retry';
  /** The attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  /** The wait before it, milliseconds (backoff, or the vendor's `Retry-After`). */
  readonly delayMs: number;
  /** The failure that is retried. */
  readonly error: EventError;
}

/** An error as events carry it: its class name and message, secrets removed. */
export interface EventError {
  /** The error's class name (`ProviderUnavailableError`). */
  readonly name: string;
  /** Its message, secrets removed and phone numbers masked. */
  readonly message: string;
}

/** What an event says of a failure that ended a call or a member. */
export interface EventFailure {
  /** The error's class name. */
  readonly name: string;
  /** Its `code` (`timeout`, `rejected`, …). */
  readonly code: string;
  /** Whether a message may have gone out: `no` or `maybe`. */
  readonly sent: string;
}

/** The call failed for good. */
export interface ErrorEvent extends EventBase {
  /** `'error'`. */
  readonly type: 'error';
  /** The failure, its message redacted. */
  readonly error: EventFailure & {
    /** Its message, secrets removed and phone numbers masked. */
    readonly message: string;
  };
}

/** Something the operator should know (an ephemeral secret, an unknown vendor status). */
export interface WarningEvent extends EventBase {
  /** `'warning'`. */
  readonly type: 'warning';
  /** What the operator should know, in a sentence. */
  readonly message: string;
}

/**
 * A decision of `failover()` or `route()` about one member:
 * `try` (asked to start), `sent` (it started the verification), `next` (it failed with
 * nothing sent: the next member is tried), `stop` (it failed and a message may have gone
 * out: no other member is tried), `next-despite-maybe` (the same, with the caller's opt-in
 * to go on), `exhausted` (every member failed), `route` (chosen for a destination).
 */
export interface DecisionEvent extends EventBase {
  /** `'decision'`. */
  readonly type: 'decision';
  /** The member (provider instance) the decision is about. */
  readonly member: string;
  /** `guard()`'s are `allowed` and `refused` (with `rule` and the masked `to`); `testNumbers()` says `test` (a listed number answered without a vendor; never the number). */
  readonly decision: 'try' | 'sent' | 'next' | 'stop' | 'next-despite-maybe' | 'exhausted' | 'route' | 'allowed' | 'refused' | 'explore' | 'exploit' | 'test';
  /** The member's failure, for `next`, `stop` and `next-despite-maybe`. */
  readonly error?: EventFailure;
  /** `guard()`: the rule that refused (`perPhone`, `countries`, `strictNumbers`, …). */
  readonly rule?: string;
  /** `guard()`: the recipient, masked (`+49170*****67`). */
  readonly to?: string;
  /** `adaptive()`: why this member (`too few outcomes`, `cheapest within α of the best`, `floor`, …). */
  readonly reason?: string;
  /** `adaptive()`: the destination country the pick was for (`DE`; `email`, `unknown`). */
  readonly country?: string;
  /** `adaptive()`: what each candidate looked like when it decided. */
  readonly figures?: readonly ArmFigures[];
  /** `adaptive()` in dry-run: the member that served the start instead of the pick. */
  readonly servedBy?: string;
}

/** One candidate of an `adaptive()` pick, as the policy saw it. */
export interface ArmFigures {
  /** The member. */
  readonly member: string;
  /** Outcomes counted for it at this destination (decayed). */
  readonly outcomes: number;
  /** Its estimated conversion (verified of finished), or null before any outcome. */
  readonly conversion: number | null;
  /** Its cost of one start in the main currency, or null when unknown. */
  readonly price: number | null;
}

/** Every event a provider reports through `onEvent`; `type` tells which. */
export type VerifyEvent = RequestEvent | ResponseEvent | RetryEvent | ErrorEvent | WarningEvent | DecisionEvent;

/** Calls the listener, never letting a listener's exception break the operation; a decision also goes to `polyverify:decision`. */
export function emit(listener: ((event: VerifyEvent) => void) | undefined, event: VerifyEvent): void {
  if (event.type === 'decision') publishDecision(event);
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // A logging hook must not turn a sent verification into a failure.
  }
}
