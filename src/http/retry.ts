/**
 * Retry timing: how many retries, how long between them (exponential backoff with full jitter,
 * the vendor's `Retry-After` first), and which failures may be retried at all.
 */
import type { VerifyError } from '../errors.js';
import type { BackoffOptions } from '../provider.js';
import { hasReached } from './failures.js';

/** Retries of a call that may be retried, when none is given. */
export const DEFAULT_RETRIES = 2;
/** Backoff when none is given: 250 ms doubling to 5 s, a `Retry-After` waited for up to 30 s. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 250, maxMs: 5_000, maxRetryAfterMs: 30_000 };

// A failure's Retry-After, kept off the error object itself.
const retryAfterOf = new WeakMap<VerifyError, number | undefined>();

/** Records the `Retry-After` (ms) a failure's answer carried. */
export function setRetryAfter(error: VerifyError, ms: number | undefined): void {
  retryAfterOf.set(error, ms);
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The wait before retry number `attempt` (from 1): the failure's `Retry-After` when it has one
 * (undefined past `maxRetryAfterMs`: waiting would stall the caller), else exponential backoff
 * with full jitter.
 */
export function retryDelay(error: VerifyError, attempt: number, backoff: Required<BackoffOptions>): number | undefined {
  const retryAfter = retryAfterOf.get(error);
  if (retryAfter !== undefined) return retryAfter <= backoff.maxRetryAfterMs ? retryAfter : undefined;
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1));
  return Math.round(Math.random() * ceiling);
}

/**
 * Whether a failure may be retried: it is retryable, and either the call is idempotent or its
 * request provably never reached the vendor.
 */
export function mayRetry(call: { readonly sends: boolean; readonly idempotent?: boolean | undefined }, error: VerifyError): boolean {
  if (!error.retryable) return false;
  const idempotent = call.idempotent ?? !call.sends;
  return idempotent || !hasReached(error);
}
