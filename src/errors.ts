/**
 * The error hierarchy. Every failure polyverify reports is a {@link VerifyError}; each kind
 * is its own subclass whose `name` is the class name.
 *
 * Messages are written by polyverify (never copied from a request), vendor texts are
 * scrubbed of known secrets before they are used, and `cause` is a sanitized copy of the
 * underlying error (name, message, code) so that no request object with credentials hangs
 * off an error.
 */
import { parseRetryAfter } from './http/retry.js';

/** What an operation was doing when it failed. */
export type Operation =
  | 'start'
  | 'check'
  | 'get'
  | 'list'
  | 'resend'
  | 'failover'
  | 'cancel'
  | 'auth'
  | 'config'
  | 'webhook';

/**
 * Whether a message may have gone out to the recipient.
 * `'no'`: provably not (the vendor never received the request, or refused it).
 * `'maybe'`: the vendor may have received it (timeout, dropped connection, 5xx).
 */
export type SentState = 'no' | 'maybe';

/** One field that failed validation, as a dotted path (`channels.1.timeoutSec`). */
export interface FieldIssue {
  /** The field's dotted path (`to`, `channels.1.timeoutSec`, `options.timeoutMs`). */
  readonly field: string;
  /** What is wrong with it, without its value (`must be an E.164 phone number …`). */
  readonly message: string;
}

/** Stable machine-readable kinds, one per subclass. */
export type VerifyErrorCode =
  | 'validation'
  | 'authentication'
  | 'permission'
  | 'insufficient_funds'
  | 'not_found'
  | 'rate_limited'
  | 'rejected'
  | 'provider_unavailable'
  | 'timeout'
  | 'connection'
  | 'aborted'
  | 'invalid_response'
  | 'unsupported'
  | 'store_unavailable'
  | 'invalid_webhook';

/** What every error constructor takes. */
export interface VerifyErrorInit {
  /** The provider instance's name. */
  readonly provider: string;
  /** What was being done. */
  readonly operation: Operation;
  /** The vendor's HTTP status, when there was a response. */
  readonly status?: number;
  /** Whether a message may have gone out (`'no'` by default). */
  readonly sent?: SentState;
  /** Whether the same call may succeed later (`false` by default). */
  readonly retryable?: boolean;
  /** The vendor's request id. */
  readonly requestId?: string;
  /** The underlying error, secrets removed. */
  readonly cause?: unknown;
}

const brand = Symbol.for('polyverify.VerifyError');

/**
 * Base class of every polyverify error.
 *
 * @example
 * ```ts
 * try { await verify.start({ to: '+491701234567' }); }
 * catch (e) {
 *   if (isVerifyError(e) && e.sent === 'no') { ... safe to try another vendor ... }
 * }
 * ```
 */
export abstract class VerifyError extends Error {
  /** The kind of failure, stable across versions. */
  abstract readonly code: VerifyErrorCode;
  /** The provider instance's name (`'lox24'` by default). */
  readonly provider: string;
  /** What was being done (`start`, `check`, `list`, `config`, …). */
  readonly operation: Operation;
  /** The vendor's HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** Whether the recipient may have been sent a message by the failed call. */
  readonly sent: SentState;
  /** Whether trying the same call again later can succeed. */
  readonly retryable: boolean;
  /** The vendor's request id, for support tickets. */
  readonly requestId: string | undefined;

  constructor(message: string, init: VerifyErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.provider = init.provider;
    this.operation = init.operation;
    this.status = init.status;
    this.sent = init.sent ?? 'no';
    this.retryable = init.retryable ?? false;
    this.requestId = init.requestId;
    Object.defineProperty(this, brand, { value: true });
  }

  /** A plain, secret-free view for logs and JSON APIs. */
  toJSON(): Record<string, unknown> {
    const plain: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) plain[key] = value;
    plain['code'] = this.code;
    return plain;
  }
}

/** An input was rejected by polyverify before anything was sent. */
export class ValidationError extends VerifyError {
  readonly code = 'validation';
  /** `'ValidationError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'ValidationError';
  /** Every bad field, with what is wrong with it. */
  readonly issues: readonly FieldIssue[];
  constructor(issues: readonly FieldIssue[], init: VerifyErrorInit, summary = 'Invalid input') {
    super(`${summary}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { ...init, sent: 'no' });
    this.issues = issues;
  }
}

/** The credentials were refused (HTTP 401). */
export class AuthenticationError extends VerifyError {
  readonly code = 'authentication';
  /** `'AuthenticationError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'AuthenticationError';
}

/** The account may not do this (HTTP 403: not activated, blocked). */
export class PermissionError extends VerifyError {
  readonly code = 'permission';
  /** `'PermissionError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'PermissionError';
}

/** The account has not enough funds (LOX24 402, Notificore 422 "Insufficient funds"). */
export class InsufficientFundsError extends VerifyError {
  readonly code = 'insufficient_funds';
  /** `'InsufficientFundsError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'InsufficientFundsError';
}

/** The verification does not exist at the vendor or in the code store. */
export class NotFoundError extends VerifyError {
  readonly code = 'not_found';
  /** `'NotFoundError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'NotFoundError';
}

/** Too many requests (HTTP 429). `retryAfterMs` is the vendor's `Retry-After`, if any. */
export class RateLimitError extends VerifyError {
  readonly code = 'rate_limited';
  /** `'RateLimitError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'RateLimitError';
  /** How long to wait before trying again, from the vendor's `Retry-After` or the guard's window. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, init: VerifyErrorInit & { retryAfterMs?: number }) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The vendor refused the request (other 4xx); `issues` holds the fields it named. */
export class RejectedError extends VerifyError {
  readonly code = 'rejected';
  /** `'RejectedError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'RejectedError';
  /** The fields the vendor named, with its words (secrets removed); empty when it named none. */
  readonly issues: readonly FieldIssue[];
  constructor(message: string, init: VerifyErrorInit & { issues?: readonly FieldIssue[] }) {
    super(message, init);
    this.issues = init.issues ?? [];
  }
}

/** The vendor failed (HTTP 5xx). */
export class ProviderUnavailableError extends VerifyError {
  readonly code = 'provider_unavailable';
  /** `'ProviderUnavailableError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'ProviderUnavailableError';
}

/** No response within the time limit. */
export class TimeoutError extends VerifyError {
  readonly code = 'timeout';
  /** `'TimeoutError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'TimeoutError';
}

/** The connection could not be made or was lost. */
export class ConnectionError extends VerifyError {
  readonly code = 'connection';
  /** `'ConnectionError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'ConnectionError';
}

/** The caller's `AbortSignal` ended the call. */
export class AbortedError extends VerifyError {
  readonly code = 'aborted';
  /** `'AbortedError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'AbortedError';
}

/** The vendor answered with something that does not fit its documented format. */
export class InvalidResponseError extends VerifyError {
  readonly code = 'invalid_response';
  /** `'InvalidResponseError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'InvalidResponseError';
}

/** The vendor has no such operation; nothing was sent. */
export class UnsupportedError extends VerifyError {
  readonly code = 'unsupported';
  /** `'UnsupportedError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'UnsupportedError';
}

/**
 * The shared store (Redis) did not answer in time or failed. On `start` it comes before
 * anything is sent (`sent: 'no'`): a code that cannot be stored is never sent. Retryable:
 * the store recovers when its server comes back.
 */
export class StoreUnavailableError extends VerifyError {
  readonly code = 'store_unavailable';
  /** `'StoreUnavailableError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'StoreUnavailableError';
}

/**
 * A webhook body that is not a valid event of the vendor (`operation: 'webhook'`, `sent: 'no'`):
 * `field` names the first part that does not fit. The endpoint answers it with 400.
 */
export class WebhookBodyError extends VerifyError {
  readonly code = 'invalid_webhook';
  /** `'WebhookBodyError'`: the same in every build (bundlers may rename classes). */
  override readonly name = 'WebhookBodyError';
  /** The dotted path of the first field that does not fit (`data.status`), or `body` for the body as a whole. */
  readonly field: string;
  constructor(message: string, init: { readonly provider: string; readonly field: string }) {
    super(`${init.provider} webhook: ${message}`, { provider: init.provider, operation: 'webhook', sent: 'no' });
    this.field = init.field;
  }
}

/**
 * Marks the failure of a read made after the vendor had accepted a send (a resend answered
 * "accepted" without the verification, then read): the message may have gone out, so the error
 * says `sent: 'maybe'` and is not retryable — a caller must not be invited to send again.
 * Returns the same error; anything that is not a `VerifyError` is returned as it is.
 */
export function afterAcceptedSend(error: unknown): unknown {
  if (!isVerifyError(error) || error.sent === 'maybe') return error;
  Object.assign(error, { sent: 'maybe', retryable: false });
  error.message += ' (after the vendor had accepted the send: a message may have gone out)';
  return error;
}

/**
 * True for any polyverify error, also one created by another copy of the module
 * (two versions in one dependency tree).
 */
export function isVerifyError(value: unknown): value is VerifyError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** A non-2xx response, handed to the adapter's error mapping (`errorForStatus` is the usual one). */
export interface HttpFailure {
  /** The HTTP status. */
  readonly status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  readonly body: unknown;
  /** The response's headers. */
  readonly headers: Headers;
  /** The vendor's request id, where it sends one. */
  readonly requestId: string | undefined;
  /** The operation that failed. */
  readonly operation: Operation;
  /** Whether the call makes the vendor send a message. */
  readonly sends: boolean;
}

/** What the usual status mapping needs besides the failure. */
export interface StatusErrorDetails {
  /** The vendor's text, already scrubbed. */
  readonly message: string;
  /** The fields the vendor named (for a `ValidationError`-like `RejectedError`). */
  readonly issues?: readonly FieldIssue[];
  /** Overrides the default retryability of the status. */
  readonly retryable?: boolean;
}

/**
 * The usual mapping of an HTTP status to a typed error: 401 authentication, 402 funds,
 * 403 permission, 404 not found, 429 rate limit, other 4xx rejected, 5xx unavailable.
 * 4xx means nothing was sent; 5xx on a sending call means it may have been.
 */
export function errorForStatus(failure: HttpFailure, provider: string, details: StatusErrorDetails): VerifyError {
  const { status } = failure;
  const serverError = status >= 500;
  const init: VerifyErrorInit = {
    provider,
    operation: failure.operation,
    status,
    requestId: failure.requestId,
    sent: serverError && failure.sends ? 'maybe' : 'no',
    retryable: details.retryable ?? (serverError || status === 408 || status === 429),
  };
  const message = `${provider} ${failure.operation}: HTTP ${status}${details.message ? `: ${details.message}` : ''}`;
  if (status === 401) return new AuthenticationError(message, init);
  if (status === 402) return new InsufficientFundsError(message, init);
  if (status === 403) return new PermissionError(message, init);
  if (status === 404) return new NotFoundError(message, init);
  if (status === 429) return new RateLimitError(message, { ...init, retryAfterMs: parseRetryAfter(failure.headers.get('retry-after')) });
  if (serverError) return new ProviderUnavailableError(message, init);
  return new RejectedError(message, { ...init, issues: details.issues ?? [] });
}
