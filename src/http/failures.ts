/**
 * Transport failures and what they say about the recipient: whether a request provably never
 * reached the vendor (`sent: 'no'`: safe to retry a send, or to fail over), or may have.
 */
import type { VerifyError } from '../errors.js';
import { errorCode } from '../redact.js';

/** Network failures that prove the request never reached the vendor. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** Whether a failure of `fetch` proves the request never left for the vendor. */
export function neverSent(error: unknown): boolean {
  // fetch refuses some ports itself ("bad port"): nothing left the machine.
  const badPort = error instanceof Error && error.cause instanceof Error && error.cause.message === 'bad port';
  return badPort || NOT_SENT_CODES.has(errorCode(error) ?? '');
}

// Whether the request of a failure may have reached the vendor (which decides retries of
// non-idempotent calls), kept off the error object itself.
const mayHaveReached = new WeakSet<VerifyError>();

/** Marks a failure whose request may have reached the vendor; returns it. */
export function reached<E extends VerifyError>(error: E): E {
  mayHaveReached.add(error);
  return error;
}

/** Whether a failure's request may have reached the vendor. */
export const hasReached = (error: VerifyError): boolean => mayHaveReached.has(error);

/** The end of a message of a sending call: whether the message went out. */
export function sentNote(sends: boolean, sent: 'no' | 'maybe'): string {
  if (!sends) return '';
  return sent === 'no' ? '; nothing was sent' : '; the message may have been sent';
}
