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

/**
 * What each runtime's `fetch` says when it never sent a request, where it gives no code (Node's
 * undici and Bun give the codes above). Checked on the error and its causes. Cloudflare's workerd
 * says `Network connection lost.` both for a refused connection and for one dropped after the
 * request went out: there nothing proves the request never left, and the failure is `maybe`.
 */
const NOT_SENT_MESSAGES: readonly RegExp[] = [
  // Node (undici): fetch refuses some ports itself; nothing left the machine.
  /^bad port$/,
  // Deno: the connection was never made (refused, DNS, TLS handshake) — `client error (SendRequest)` is after sending.
  /client error \(Connect\)/,
  // Deno: its own refused ports.
  /^Fetch failed: Requests to port \d+ are blocked$/,
];

/** Whether a failure of `fetch` proves the request never left for the vendor, on Node, Bun and Deno. */
export function neverSent(error: unknown): boolean {
  if (NOT_SENT_CODES.has(String(errorCode(error)))) return true;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const message = current.message;
    if (NOT_SENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = current.cause;
  }
  return false;
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
