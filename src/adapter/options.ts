/**
 * Adapter options: the common ones (`ProviderOptions`) and a vendor's own, parsed in one step
 * with one schema, so an adapter and `createProvider` accept the same options.
 */
import { createHmac } from 'node:crypto';
import * as v from 'valibot';
import { emit } from '../events.js';
import { InvalidResponseError, type HttpFailure, type Operation, type SentState, type VerifyError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import type { ProviderOptions } from '../provider.js';
import { Redactor } from '../redact.js';
import { brokenField, parseInput, providerOptionEntries } from '../validate.js';

/** An adapter's parsed options, its instance name, and how it warns through `onEvent`. */
export interface AdapterSetup<Config> {
  /** The instance's name: the `name` option, else the vendor's. */
  readonly name: string;
  /** The options, parsed: the common ones and the vendor's. */
  readonly config: Config;
  /** Reports something the operator should know (an undocumented vendor value) as a `warning` event. */
  warn(message: string, operation?: Operation): void;
  /** The key that signs the adapter's cursors: from `cursorSecret`, else derived from the credentials given. */
  cursorKey(credentials: readonly string[]): Buffer;
  /** `maxListPages`, when set. */
  readonly maxListPages: number | undefined;
  /** The options of the adapter's `HttpClient` that come from `ProviderOptions`. */
  readonly http: Pick<ProviderOptions, 'timeoutMs' | 'retries' | 'backoff' | 'onEvent' | 'maxResponseBytes' | 'fetch'> & {
    /** The instance's name, for events and errors. */
    readonly provider: string;
  };
}

/**
 * Parses an adapter factory's options: the common ones, the vendor's `entries` (from its
 * config.ts) and any functions it takes besides (`runtime`). A bad option is a `ValidationError`
 * naming it, before anything else happens.
 */
export function setupAdapter<E extends v.ObjectEntries>(
  options: unknown,
  vendor: { readonly name: string; readonly title: string },
  entries: E,
): AdapterSetup<ProviderOptions & v.InferOutput<v.LooseObjectSchema<E, undefined>>> {
  const raw = options as { name?: unknown; onEvent?: ProviderOptions['onEvent'] } | undefined;
  const fallbackName = typeof raw?.name === 'string' && raw.name !== '' ? raw.name : vendor.name;
  const config = parseInput(v.looseObject({ ...entries, ...providerOptionEntries }), options, {
    provider: fallbackName,
    operation: 'config',
    summary: `Invalid ${vendor.title} options`,
  }) as ProviderOptions & v.InferOutput<v.LooseObjectSchema<E, undefined>>;
  const name = (config as { name?: string }).name ?? vendor.name;
  const onEvent = raw?.onEvent;
  const c = config as ProviderOptions;
  return {
    name,
    config,
    warn: (message, operation = 'get') => emit(onEvent, { type: 'warning', provider: name, operation, message }),
    http: { provider: name, timeoutMs: c.timeoutMs, retries: c.retries, backoff: c.backoff, onEvent, maxResponseBytes: c.maxResponseBytes, fetch: c.fetch },
    cursorKey: (credentials) => createHmac('sha256', c.cursorSecret ?? credentials.join('\u0000')).update(`polyverify cursor ${vendor.name}`).digest(),
    maxListPages: c.maxListPages,
  };
}

/** How a vendor is reached over HTTP: the facts an adapter states, the shell builds the rest from. */
export interface VendorHttp<Config> {
  /** The vendor's production API root (the `baseUrl` option points elsewhere: a simulator). */
  readonly baseUrl: string;
  /** The credentials of a config: scrubbed from every text, and what the default cursor key is derived from. */
  credentials(config: Config): readonly string[];
  /** More strings to scrub besides the credentials (parts of one), where a vendor echoes them. */
  secrets?(config: Config): readonly (string | undefined)[];
  /** Parts of the account that are not secret (a workspace id), added to what the cursor key is derived from. */
  account?(config: Config): readonly string[];
  /** Adds the credentials to a request (ky's `beforeRequest`). */
  authorize(request: Request, config: Config): void;
  /** The response header carrying the vendor's request id. */
  readonly requestIdHeader?: string;
  /** The vendor's mapping of a non-2xx answer (`errorForStatus` is the usual fallback). */
  toError(failure: HttpFailure, redactor: Redactor, provider: string): VerifyError;
}

/** What `setupVendor` gives an adapter: `setupAdapter`'s, and the plumbing built from its facts. */
export interface VendorSetup<Config> extends Omit<AdapterSetup<Config>, 'http' | 'cursorKey'> {
  /** Removes the credentials from every message, event and cause. */
  readonly redactor: Redactor;
  /** The adapter's HTTP client: JSON accepted, the credentials added, failures typed. */
  readonly http: HttpClient;
  /**
   * Parses a vendor body with its wire schema; a body that does not fit is an
   * `InvalidResponseError` naming the first field that broke (`lox24 get: the verify code does
   * not fit LOX24's documented format (history.0.status)`).
   */
  decode<T>(schema: v.GenericSchema<unknown, T>, body: unknown, what: string, operation: Operation, sent: SentState): T;
  /** The parts of `defineProvider`'s spec the shell knows: spread them into it. */
  readonly shell: {
    /** The vendor's name. */
    readonly vendor: string;
    /** How messages name the vendor. */
    readonly title: string;
    /** The instance's name. */
    readonly name: string;
    /** The key that signs the provider's cursors. */
    readonly cursorKey: Buffer;
    /** `maxListPages`, when set. */
    readonly maxListPages: number | undefined;
    /** `defaultLocale`, when set. */
    readonly defaultLocale: string | undefined;
  };
}

/**
 * An adapter's whole setup from its options and its facts: the options parsed (the common ones
 * and the vendor's, in one step; a bad one is a `ValidationError` naming it), the redactor, the HTTP client, the body decoder, and the shell's part
 * of the provider spec.
 *
 * @example
 * ```ts
 * const { config, http, decode, shell } = setupVendor(options, acmeVendor, ACME_OPTIONS, {
 *   baseUrl: 'https://api.acme.example',
 *   credentials: (c) => [c.apiKey],
 *   authorize: (request, c) => request.headers.set('Authorization', `Bearer ${c.apiKey}`),
 *   toError: (failure, redactor, provider) => errorForStatus(failure, provider, { message: redactor.text(String(failure.body)) }),
 * });
 * return defineProvider({ ...shell, capabilities, id, defaultChannels, start, check, get, paging });
 * ```
 */
export function setupVendor<E extends v.ObjectEntries>(
  options: unknown,
  vendor: { readonly name: string; readonly title: string },
  entries: E,
  facts: VendorHttp<ProviderOptions & v.InferOutput<v.LooseObjectSchema<E, undefined>>>,
): VendorSetup<ProviderOptions & v.InferOutput<v.LooseObjectSchema<E, undefined>>> {
  const setup = setupAdapter(options, vendor, entries);
  const { name, config } = setup;
  const credentials = facts.credentials(config);
  const redactor = new Redactor([...credentials, ...(facts.secrets?.(config) ?? [])]);
  const http = new HttpClient({
    ...setup.http,
    baseUrl: (config as ProviderOptions).baseUrl ?? facts.baseUrl,
    headers: { accept: 'application/json' },
    authorize: (request) => facts.authorize(request, config),
    redactor,
    ...(facts.requestIdHeader && { requestIdHeader: facts.requestIdHeader }),
    toError: (failure, scrubber) => facts.toError(failure, scrubber, name),
  });
  return {
    name,
    config,
    warn: setup.warn,
    maxListPages: setup.maxListPages,
    redactor,
    http,
    decode(schema, body, what, operation, sent) {
      const parsed = v.safeParse(schema, body);
      if (parsed.success) return parsed.output;
      throw new InvalidResponseError(`${name} ${operation}: ${what} does not fit ${vendor.title}'s documented format (${brokenField(parsed.issues)})`, { provider: name, operation, sent });
    },
    shell: {
      vendor: vendor.name,
      title: vendor.title,
      name,
      cursorKey: setup.cursorKey([...credentials, ...(facts.account?.(config) ?? [])]),
      maxListPages: setup.maxListPages,
      defaultLocale: (config as ProviderOptions).defaultLocale,
    },
  };
}

