/**
 * Events a provider reports through its `onEvent` option. Nothing in an event carries a
 * secret or a code; phone numbers in paths and texts are masked.
 */
import type { Operation } from './errors.js';

interface EventBase {
  /** The provider instance's name. */
  readonly provider: string;
  readonly operation: Operation;
}

/** An HTTP request is about to go out (one per attempt). */
export interface RequestEvent extends EventBase {
  readonly type: 'request';
  readonly method: string;
  /** Path and query, phone numbers masked. */
  readonly path: string;
  /** 1 for the first try, 2 for the first retry, … */
  readonly attempt: number;
}

/** An HTTP response arrived. */
export interface ResponseEvent extends EventBase {
  readonly type: 'response';
  readonly method: string;
  readonly path: string;
  readonly attempt: number;
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string | undefined;
}

/** A failed attempt will be retried after `delayMs`. */
export interface RetryEvent extends EventBase {
  readonly type: 'retry';
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: { readonly name: string; readonly message: string };
}

/** The call failed for good. */
export interface ErrorEvent extends EventBase {
  readonly type: 'error';
  readonly error: { readonly name: string; readonly code: string; readonly message: string; readonly sent: string };
}

/** Something the operator should know (an ephemeral secret, an unknown vendor status). */
export interface WarningEvent extends EventBase {
  readonly type: 'warning';
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
  readonly type: 'decision';
  readonly member: string;
  /** `guard()`'s are `allowed` and `refused` (with `rule` and the masked `to`). */
  readonly decision: 'try' | 'sent' | 'next' | 'stop' | 'next-despite-maybe' | 'exhausted' | 'route' | 'allowed' | 'refused';
  readonly error?: { readonly name: string; readonly code: string; readonly sent: string };
  /** `guard()`: the rule that refused (`perPhone`, `countries`, `strictNumbers`, …). */
  readonly rule?: string;
  /** `guard()`: the recipient, masked (`+49170*****67`). */
  readonly to?: string;
}

export type VerifyEvent = RequestEvent | ResponseEvent | RetryEvent | ErrorEvent | WarningEvent | DecisionEvent;

/** Calls the listener, never letting a listener's exception break the operation. */
export function emit(listener: ((event: VerifyEvent) => void) | undefined, event: VerifyEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // A logging hook must not turn a sent verification into a failure.
  }
}
