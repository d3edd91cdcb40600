/**
 * The one interface every vendor adapter implements.
 */
import type { Channel, CheckResult, ListFilter, Page, PageQuery, ListQuery, StartRequest, Verification } from './model.js';
import type { VerifyEvent } from './events.js';

/** Per-call options. Unset values fall back to the adapter's defaults. */
export interface CallOptions {
  /** Aborts the call (and its retries). */
  readonly signal?: AbortSignal;
  /** Time limit of one HTTP attempt, in milliseconds. */
  readonly timeoutMs?: number;
  /** How many times a failed call may be retried, where retrying is safe. */
  readonly retries?: number;
  /**
   * Who is asking, for `guard()`'s `perKey` limit: the client's IP address or account id.
   * Ignored by providers that are not guarded.
   */
  readonly limitKey?: string;
}

/** The range a number may take. */
export interface Range {
  /** The smallest value allowed. */
  readonly min: number;
  /** The largest value allowed. */
  readonly max: number;
}

/** The range a number option may take, and what is used when it is not given. */
export interface Bounds extends Range {
  /** The value used when none is given. */
  readonly default: number;
}

/** What a provider can do, known before any call. */
export interface Capabilities {
  /** Channels the vendor can deliver on. */
  readonly channels: readonly Channel[];
  /** Recipient kinds the vendor accepts. */
  readonly recipients: readonly ('phone' | 'email')[];
  /**
   * Who generates and checks the code: the vendor, or polyverify (keyed hash in a
   * `CodeStore`); `mixed` for a failover or route over both kinds.
   */
  readonly codeOwner: 'vendor' | 'library' | 'mixed';
  /** Whether `start()` accepts a code of your own. */
  readonly customCode: boolean;
  /** Digits of a code: what `StartRequest.codeLength` may ask. */
  readonly codeLength: Bounds;
  /** A code's life in seconds: what `StartRequest.ttlSeconds` may ask. */
  readonly ttlSeconds: Bounds;
  /** Wrong codes allowed: what `StartRequest.maxAttempts` may ask. */
  readonly maxAttempts: Bounds;
  /** `resend()` is supported. */
  readonly resend: boolean;
  /** `failover()` (move to the next channel now) is supported. */
  readonly failover: boolean;
  /**
   * `'vendor'`: `cancel()` cancels at the vendor. `'local'`: it only invalidates the code
   * in polyverify's store (a message already sent is not recalled). `'none'`: unsupported.
   * `'mixed'`: a failover or route whose members differ; the issuing member decides.
   */
  readonly cancel: 'vendor' | 'local' | 'none' | 'mixed';
  /** Whether the vendor reports costs. */
  readonly cost: boolean;
  /** Whether the vendor stores `reference` and returns it in reads (else it is not kept). */
  readonly reference: boolean;
  /**
   * The languages the vendor's own message texts come in (lower-case ISO 639-1): a start's
   * language is decided by polyverify's one rule and reduced to one of these (see
   * docs/languages.md). Absent where the message template decides the language (Notificore),
   * or on a composite, whose members decide each for themselves.
   */
  readonly languages?: readonly string[];
  /** Which list filters the vendor applies (`server`) and which polyverify applies (`client`). */
  readonly listFilters: {
    /** Filters the vendor applies: fewer pages are read. */
    readonly server: readonly ListFilter[];
    /** Filters polyverify applies to what the vendor sends. */
    readonly client: readonly ListFilter[];
  };
}

/**
 * Start and check one-time-code verifications through one vendor.
 * Every method exists on every provider; an operation the vendor lacks rejects with
 * `UnsupportedError` before any network call, and `capabilities` says so up front.
 */
export interface VerifyProvider<VendorExtras extends object = Record<string, unknown>> {
  /** The instance's name (the vendor's name by default), carried by errors and results. */
  readonly name: string;
  /** What this provider can do, up front: channels, ranges, who owns codes, filters. */
  readonly capabilities: Capabilities;
  /** Creates a verification and makes the vendor send the code. */
  start(request: StartRequest<VendorExtras>, options?: CallOptions): Promise<Verification>;
  /** Checks a code the user typed. A wrong code resolves with `verified: false`. */
  check(id: string, code: string, options?: CallOptions): Promise<CheckResult>;
  /** Reads a verification as the vendor has it now. */
  get(id: string, options?: CallOptions): Promise<Verification>;
  /** Every verification matching `query`, fetched page by page as you iterate. */
  list(query?: ListQuery, options?: CallOptions): AsyncIterable<Verification>;
  /** One page (25 items unless `limit` says otherwise), with an opaque cursor for the next one. */
  listPage(query?: PageQuery, options?: CallOptions): Promise<Page<Verification>>;
  /**
   * The same list as `list()`, one array per vendor page. Optional: `listAcross` reads it
   * when present (no promise per item), else `list()`. Every built-in provider has it.
   */
  pages?(query?: ListQuery, options?: CallOptions): AsyncIterable<readonly Verification[]>;
  /** Sends the code again (on `step`, where the vendor lets you choose). */
  resend(id: string, options?: CallOptions & { readonly step?: number }): Promise<Verification>;
  /** Moves to the next channel of the plan now. */
  failover(id: string, options?: CallOptions & { readonly step?: number }): Promise<Verification>;
  /** Cancels a pending verification (see `capabilities.cancel` for where that happens). */
  cancel(id: string, options?: CallOptions): Promise<Verification>;
}

/** Options every adapter factory takes besides its credentials. */
export interface ProviderOptions {
  /** The vendor's API root; its production URL by default, a simulator's in tests. */
  readonly baseUrl?: string;
  /** Default time limit of one HTTP attempt (10 000 ms). */
  readonly timeoutMs?: number;
  /** Default retries of reads and of provably unsent creates (2). */
  readonly retries?: number;
  /** Receives request / response / retry / error / warning events, secrets removed. */
  readonly onEvent?: (event: VerifyEvent) => void;
  /** The instance's name; defaults to the vendor's name. */
  readonly name?: string;
  /**
   * The language (BCP 47) of messages whose start request gives no `locale`; by default the
   * language of the recipient's country, from the number (`+48` → `pl`), else `en`.
   */
  readonly defaultLocale?: string;
  /** Backoff between retries. Defaults: 250 ms base, 5 s cap, Retry-After honoured up to 30 s. */
  readonly backoff?: BackoffOptions;
  /** The largest answer read, in decoded bytes (4 MiB); a larger one is an `InvalidResponseError`. */
  readonly maxResponseBytes?: number;
  /** Vendor pages a list may read without an item to give (1 000): past it, an `InvalidResponseError`. */
  readonly maxListPages?: number;
  /**
   * The key (16+ characters) that signs `listPage` cursors, so a client cannot forge one. By
   * default a key derived from the adapter's credentials: the same in every instance that
   * uses them, unknown to anyone who does not.
   */
  readonly cursorSecret?: string;
  /**
   * The `fetch` the adapter sends with; the global `fetch` by default. For a proxy or an undici
   * `Agent` (`(url, init) => fetch(url, { ...init, dispatcher })`), or instrumentation. It gets
   * the same `Request` objects as the global one would, credentials included.
   */
  readonly fetch?: typeof globalThis.fetch;
}

/** Retry timing. */
export interface BackoffOptions {
  /** First delay; doubled each retry, with full jitter. */
  readonly baseMs?: number;
  /** Largest computed delay. */
  readonly maxMs?: number;
  /** Largest `Retry-After` that is waited for; a longer one fails the call at once. */
  readonly maxRetryAfterMs?: number;
}
