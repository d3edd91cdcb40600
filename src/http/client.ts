/**
 * The HTTP client every adapter uses: one ky instance per adapter instance (no ky retries,
 * no `afterResponse` hooks: events are emitted around the call, which keeps ky off its
 * response-cloning path), the request lifecycle (deadline, size cap, no redirects), p-retry
 * over the timing of `retry.ts`, and every failure turned into a typed error that says whether
 * a message may have gone out (`failures.ts`; statuses: `errorForStatus` in errors.ts).
 */
import { userAgent } from '../version.js';
import ky, { type KyInstance } from 'ky';
import { AbortedError, ConnectionError, InvalidResponseError, TimeoutError, isVerifyError, type HttpFailure, type Operation, type SentState, type VerifyError } from '../errors.js';
import { readCapped } from '../body.js';
import { emit, type VerifyEvent } from '../events.js';
import type { BackoffOptions, CallOptions } from '../provider.js';
import { Redactor, errorCode, sanitizeCause } from '../redact.js';
import { neverSent, reached, sentNote } from './failures.js';
import { DEFAULT_BACKOFF, DEFAULT_RETRIES, mayRetry, parseRetryAfter, retryDelay, setRetryAfter } from './retry.js';

let retrying: Promise<typeof import('p-retry')> | undefined;

/** Each attempt's deadline when none is given, milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** The largest answer read, in decoded bytes (4 MiB): a larger one, a gzip bomb included, is an error. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** An answer over the size cap. */
class TooLarge extends Error {}

/** The body as text, reading at most `cap` decoded bytes; the signal of the request ends the read. */
async function readCappedOrThrow(response: Response, cap: number): Promise<string> {
  const text = await readCapped(response, cap);
  if (text === undefined) throw new TooLarge();
  return text;
}

/** A 2xx response. */
export interface HttpResult {
  /** The HTTP status. */
  readonly status: number;
  /** Parsed JSON; undefined for an empty body. */
  readonly body: unknown;
  /** The response's headers. */
  readonly headers: Headers;
  /** The vendor's request id, where it sends one. */
  readonly requestId: string | undefined;
  /**
   * What a failure to use this answer means for the recipient: `'maybe'` when the call makes
   * the vendor send (it did, or may have), `'no'` otherwise. Parse errors carry it.
   */
  readonly sent: SentState;
}

/** One call through {@link HttpClient.request}. */
export interface HttpCall {
  /** The operation, for events and errors. */
  readonly operation: Operation;
  /** The HTTP method. */
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** Relative to the base URL, without a leading slash. */
  readonly path: string;
  /** The query string. */
  readonly searchParams?: URLSearchParams;
  /** The body, sent as JSON. */
  readonly json?: unknown;
  /** The body, sent form-encoded (`application/x-www-form-urlencoded`), for a vendor without JSON bodies (Twilio). */
  readonly form?: URLSearchParams;
  /**
   * The call makes the vendor send a message: it is retried only when the failure proves
   * nothing was sent, and its failures carry `sent: 'maybe'` where that is possible.
   */
  readonly sends: boolean;
  /**
   * Whether repeating the call is harmless. Defaults to `!sends`. A call that is not (a
   * check counts a try) is retried only when the failure proves the vendor never got it.
   */
  readonly idempotent?: boolean;
  /** Statuses answered as results instead of errors (a vendor that answers a wrong code with 404). */
  readonly accept?: readonly number[];
  /**
   * The HTTP status alone answers: a body that is not JSON is handed over as its text, not
   * refused (a vendor that documents "accepted" and no body for the call).
   */
  readonly statusAnswers?: boolean;
  /** The caller's options: signal, deadline, retries. */
  readonly options?: CallOptions | undefined;
  /** Secrets of this call (a code), on top of the client's. */
  readonly redactor?: Redactor;
}

/** How the client is set up by an adapter. */
export interface HttpClientConfig {
  /** The provider instance's name, for events and errors. */
  readonly provider: string;
  /** The vendor's API root. */
  readonly baseUrl: string;
  /** Each attempt's deadline, headers and body (`DEFAULT_TIMEOUT_MS`). */
  readonly timeoutMs?: number | undefined;
  /** Retries of calls that may be retried (`DEFAULT_RETRIES`). */
  readonly retries?: number | undefined;
  /** Backoff between retries. */
  readonly backoff?: BackoffOptions | undefined;
  /** Non-secret headers sent on every request (Accept, …). */
  readonly headers?: Record<string, string>;
  /** Adds the credentials to a request; runs as ky's `beforeRequest` hook. */
  readonly authorize: (request: Request) => void | Promise<void>;
  /** Removes the adapter's secrets from every message, event and cause. */
  readonly redactor: Redactor;
  /** Receives request, response, retry and error events. */
  readonly onEvent?: ((event: VerifyEvent) => void) | undefined;
  /** The vendor's response header carrying a request id. */
  readonly requestIdHeader?: string;
  /** The largest answer read, decoded bytes (`DEFAULT_MAX_RESPONSE_BYTES`). */
  readonly maxResponseBytes?: number | undefined;
  /** The vendor's mapping of a non-2xx response; {@link errorForStatus} is the usual fallback. */
  readonly toError: (failure: HttpFailure, redactor: Redactor) => VerifyError;
  /** The `fetch` to send with (the global one by default): a proxy's, an undici agent's, an instrumented one. */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** The HTTP client of one adapter instance. */
export class HttpClient {
  readonly #ky: KyInstance;
  readonly #config: HttpClientConfig;
  readonly #backoff: Required<BackoffOptions>;

  constructor(config: HttpClientConfig) {
    this.#config = config;
    this.#backoff = { ...DEFAULT_BACKOFF, ...config.backoff };
    this.#ky = ky.create({
      prefixUrl: config.baseUrl,
      retry: 0,
      throwHttpErrors: false,
      timeout: false,
      // Never followed: Node's fetch keeps custom credential headers (X-LOX24-AUTH-TOKEN) and a
      // 307 re-posts the body (a code, an API key) to whatever origin the answer names.
      redirect: 'manual',
      headers: { 'user-agent': userAgent(), ...config.headers },
      ...(config.fetch && { fetch: config.fetch }),
      hooks: { beforeRequest: [(request) => config.authorize(request)] },
    });
  }

  /** Runs the call with the retry policy; resolves with a 2xx result or rejects with a `VerifyError`. */
  async request(call: HttpCall): Promise<HttpResult> {
    const options = call.options ?? {};
    const retries = options.retries ?? this.#config.retries ?? DEFAULT_RETRIES;
    const redactor = call.redactor ?? this.#config.redactor;
    if (options.signal?.aborted) throw this.#aborted(call, 'no');
    // The answer of an attempt that succeeded: p-retry still throws the signal's reason when the
    // caller aborted while it was out, but the call was done (a send was sent) and its answer is kept.
    const flight: { result?: HttpResult } = {};
    try {
      // The first attempt runs bare: p-retry (about 6 µs a call) is entered only after a
      // failure that may be retried, so the usual successful call does not pay for it.
      try {
        return await this.#attempt(call, 1, redactor, flight);
      } catch (error) {
        const failure = this.#asVerifyError(error, call, redactor);
        if (retries === 0 || !mayRetry(call, failure)) throw failure;
        await this.#pause(call, failure, 1, redactor);
      }
      // Loaded on the first retry: a process that never retries never pays p-retry's import.
      const { default: pRetry } = await (retrying ??= import('p-retry'));
      return await pRetry((attempt) => this.#attempt(call, attempt + 1, redactor, flight), {
        retries: retries - 1,
        minTimeout: 0,
        maxTimeout: 0,
        signal: options.signal,
        shouldRetry: ({ error }) => mayRetry(call, error as VerifyError),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const failure = error as VerifyError;
          if (retriesLeft === 0 || !mayRetry(call, failure)) return;
          await this.#pause(call, failure, attemptNumber + 1, redactor);
        },
      });
    } catch (error) {
      if (flight.result) return flight.result;
      const failure = this.#asVerifyError(error, call, redactor);
      emit(this.#config.onEvent, {
        type: 'error',
        provider: this.#config.provider,
        operation: call.operation,
        error: { name: failure.name, code: failure.code, message: redactor.forLog(failure.message), sent: failure.sent },
      });
      throw failure;
    }
  }

  /** Waits before retry number `attempt` (backoff or Retry-After), reporting it; throws when it must not wait. */
  async #pause(call: HttpCall, failure: VerifyError, attempt: number, redactor: Redactor): Promise<void> {
    const delayMs = retryDelay(failure, attempt, this.#backoff);
    // A Retry-After beyond the cap: waiting would stall the caller; fail now.
    if (delayMs === undefined) throw failure;
    emit(this.#config.onEvent, {
      type: 'retry',
      provider: this.#config.provider,
      operation: call.operation,
      attempt,
      delayMs,
      error: { name: failure.name, message: redactor.forLog(failure.message) },
    });
    try {
      await sleep(delayMs, call.options?.signal);
    } catch {
      throw this.#aborted(call, 'no');
    }
  }

  async #attempt(call: HttpCall, attempt: number, redactor: Redactor, flight: { result?: HttpResult }): Promise<HttpResult> {
    flight.result = await this.#exchange(call, attempt, redactor);
    return flight.result;
  }

  async #exchange(call: HttpCall, attempt: number, redactor: Redactor): Promise<HttpResult> {
    const { provider, onEvent } = this.#config;
    const path = onEvent ? redactor.forLog(`/${call.path}${call.searchParams?.size ? `?${call.searchParams}` : ''}`) : '';
    if (onEvent) emit(onEvent, { type: 'request', provider, operation: call.operation, method: call.method, path, attempt });
    const started = performance.now();
    // One deadline for the whole attempt, headers and body: a body that never ends times out too.
    // A controller and a timer cleared at the end: half the cost of AbortSignal.timeout (whose weak
    // timer also leaves work for the GC) — a few µs on every call.
    const timer = new AbortController();
    const deadline = timer.signal;
    const timeout = setTimeout(() => timer.abort(new DOMException('The operation timed out.', 'TimeoutError')), call.options?.timeoutMs ?? this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // Node and Bun: the deadline alone does not keep a process alive. Workers' timers are numbers.
    (timeout as { unref?: () => void }).unref?.();
    try {
      return await this.#exchangeWithin(call, attempt, redactor, deadline, call.options?.signal ? AbortSignal.any([call.options.signal, deadline]) : deadline, path, started);
    } finally {
      clearTimeout(timeout);
    }
  }

  async #exchangeWithin(call: HttpCall, attempt: number, redactor: Redactor, deadline: AbortSignal, signal: AbortSignal, path: string, started: number): Promise<HttpResult> {
    const { provider, onEvent } = this.#config;
    let response: Response;
    try {
      // The query goes in the path: ky's `searchParams` option builds a second Request per call.
      response = await this.#ky(call.searchParams?.size ? `${call.path}?${call.searchParams}` : call.path, {
        method: call.method,
        ...(call.form ? { body: call.form } : { json: call.json }),
        signal,
      });
    } catch (error) {
      throw this.#transportError(error, call, redactor, deadline);
    }
    let text: string;
    try {
      text = await readCappedOrThrow(response, this.#config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw this.#transportError(error, call, redactor, deadline);
      const cap = this.#config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      throw reached(
        new InvalidResponseError(`${provider} ${call.operation}: the answer is larger than ${cap} bytes, and was not read${sentNote(call.sends, call.sends ? 'maybe' : 'no')}`, {
          provider,
          operation: call.operation,
          status: response.status,
          sent: call.sends ? 'maybe' : 'no',
        }),
      );
    }
    const requestId = this.#config.requestIdHeader ? (response.headers.get(this.#config.requestIdHeader) ?? undefined) : undefined;
    // No event object is built for nobody.
    if (onEvent) {
      emit(onEvent, {
        type: 'response',
        provider,
        operation: call.operation,
        method: call.method,
        path,
        attempt,
        status: response.status,
        durationMs: Math.round(performance.now() - started),
        requestId,
      });
    }
    if (response.status >= 300 && response.status < 400) {
      throw reached(
        new InvalidResponseError(
          `${provider} ${call.operation}: the vendor answered HTTP ${response.status} (a redirect), which is not followed${sentNote(call.sends, call.sends ? 'maybe' : 'no')}`,
          { provider, operation: call.operation, status: response.status, sent: call.sends ? 'maybe' : 'no', requestId },
        ),
      );
    }
    if (response.ok || call.accept?.includes(response.status)) {
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch (error) {
        if (call.statusAnswers) return { status: response.status, body: text, headers: response.headers, requestId, sent: call.sends ? 'maybe' : 'no' };
        throw new InvalidResponseError(`${provider} ${call.operation}: the response is not JSON (HTTP ${response.status})`, {
          provider,
          operation: call.operation,
          status: response.status,
          sent: call.sends ? 'maybe' : 'no',
          requestId,
          cause: sanitizeCause(error, redactor),
        });
      }
      return { status: response.status, body, headers: response.headers, requestId, sent: call.sends ? 'maybe' : 'no' };
    }
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: the mapping gets the text.
    }
    const failure = this.#config.toError(
      { status: response.status, body, headers: response.headers, requestId, operation: call.operation, sends: call.sends },
      redactor,
    );
    setRetryAfter(failure, parseRetryAfter(response.headers.get('retry-after')));
    if (response.status >= 500) reached(failure);
    throw failure;
  }

  #transportError(error: unknown, call: HttpCall, redactor: Redactor, deadline?: AbortSignal): VerifyError {
    const { provider } = this.#config;
    const maybe = call.sends ? 'maybe' : 'no';
    if (call.options?.signal?.aborted) return reached(this.#aborted(call, maybe));
    const cause = sanitizeCause(error, redactor);
    const base = { provider, operation: call.operation, retryable: true, cause };
    if (deadline?.aborted) {
      const ms = call.options?.timeoutMs ?? this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      return reached(
        new TimeoutError(`${provider} ${call.operation}: no response within ${ms} ms${sentNote(call.sends, maybe)}`, { ...base, sent: maybe }),
      );
    }
    const code = errorCode(error);
    const unreached = neverSent(error);
    const sent = unreached ? 'no' : maybe;
    const failure = new ConnectionError(
      `${provider} ${call.operation}: connection failed${code ? ` (${code})` : ''}${sentNote(call.sends, sent)}`,
      { ...base, sent },
    );
    return unreached ? failure : reached(failure);
  }

  #aborted(call: HttpCall, sent: 'no' | 'maybe'): AbortedError {
    return new AbortedError(`${this.#config.provider} ${call.operation}: aborted by the caller${sentNote(call.sends, sent)}`, {
      provider: this.#config.provider,
      operation: call.operation,
      sent,
    });
  }

  // What p-retry throws besides our errors (the signal's reason when aborted) is classified as a
  // transport failure: an abort there says `maybe` for a send, the safe side.
  #asVerifyError(error: unknown, call: HttpCall, redactor: Redactor): VerifyError {
    return isVerifyError(error) ? error : this.#transportError(error, call, redactor);
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts (a timer of every runtime, not `node:timers/promises`). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
