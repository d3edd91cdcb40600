/**
 * Adapter options: the common ones (`ProviderOptions`) and a vendor's own, parsed in one step
 * with one schema, so an adapter and `createProvider` accept the same options.
 */
import { hmacSha256 } from '../crypto.js';
import * as v from 'valibot';
import { emit } from '../events.js';
import { InvalidResponseError, type HttpFailure, type Operation, type SentState, type VerifyError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import type { Verification } from '../model.js';
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
  cursorKey(credentials: readonly string[]): Uint8Array;
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
    cursorKey: (credentials) => hmacSha256(c.cursorSecret ?? credentials.join('\u0000'), `polyverify cursor ${vendor.name}`),
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

/** How a vendor's body becomes a `Verification`: the adapter's facts, the shell's steps and errors. */
export interface VendorModel<Wire, Extra = undefined> {
  /** The valibot schema of one body. */
  readonly schema: v.GenericSchema<unknown, Wire>;
  /** How messages name one (`'the verify code in the response'`). */
  readonly what: string;
  /** What the mapping needs besides the body (a stored code, a try count), for many bodies in one round trip. */
  extras?(wires: readonly Wire[], operation: Operation): Promise<readonly (Extra | undefined)[]>;
  /** The body as a `Verification`; may throw on a value it cannot read (a date). */
  map(wire: Wire, raw: unknown, operation: Operation, extra: Extra | undefined): Verification;
}

/** A vendor body to a `Verification`, with the shell's errors (`setupVendor`'s `model`). */
export interface ModelDecoder<Wire, Extra> {
  /** One body: parsed, its extras read (unless given), mapped. */
  one(raw: unknown, operation: Operation, sent: SentState, extra?: Extra): Promise<Verification>;
  /** The bodies of a list page, their extras read in one round trip. */
  many(raws: readonly unknown[], operation: Operation): Promise<Verification[]>;
  /** Parses one body (the first step of `one`), for an adapter that needs the vendor's id before it maps. */
  parse(raw: unknown, operation: Operation, sent: SentState): Wire;
  /** Maps a parsed body (the last step of `one`). */
  map(wire: Wire, raw: unknown, operation: Operation, sent: SentState, extra: Extra | undefined): Verification;
  /** A body that may not be the verification (an acknowledgement): mapped with `extra` as given, or `undefined`. */
  maybe(raw: unknown, operation: Operation, extra?: Extra): Verification | undefined;
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
  /**
   * The decoder of a vendor's verification bodies: `decode`, then the extras, then the mapping;
   * a mapping that throws is an `InvalidResponseError` (`… the verification cannot be read (…)`).
   */
  model<Wire, Extra = undefined>(model: VendorModel<Wire, Extra>): ModelDecoder<Wire, Extra>;
  /** The parts of `defineProvider`'s spec the shell knows: spread them into it. */
  readonly shell: {
    /** The vendor's name. */
    readonly vendor: string;
    /** How messages name the vendor. */
    readonly title: string;
    /** The instance's name. */
    readonly name: string;
    /** The host of the vendor's API (from `baseUrl`). */
    readonly serverAddress: string;
    /** The key that signs the provider's cursors. */
    readonly cursorKey: Uint8Array;
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
  function decode<T>(schema: v.GenericSchema<unknown, T>, body: unknown, what: string, operation: Operation, sent: SentState): T {
    const parsed = v.safeParse(schema, body);
    if (parsed.success) return parsed.output;
    throw new InvalidResponseError(`${setup.name} ${operation}: ${what} does not fit ${vendor.title}'s documented format (${brokenField(parsed.issues)})`, { provider: setup.name, operation, sent });
  }
  const { name, config } = setup;
  const credentials = facts.credentials(config);
  const redactor = new Redactor([...credentials, ...(facts.secrets?.(config) ?? [])]);
  const baseUrl = (config as ProviderOptions).baseUrl ?? facts.baseUrl;
  const http = new HttpClient({
    ...setup.http,
    baseUrl,
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
    decode,
    model<Wire, Extra>(model: VendorModel<Wire, Extra>): ModelDecoder<Wire, Extra> {
      const mapped = (wire: Wire, raw: unknown, operation: Operation, sent: SentState, extra: Extra | undefined): Verification => {
        try {
          return model.map(wire, raw, operation, extra);
        } catch (error) {
          throw new InvalidResponseError(`${name} ${operation}: ${model.what} cannot be read (${(error as Error).message})`, { provider: name, operation, sent });
        }
      };
      return {
        parse: (raw, operation, sent) => decode(model.schema, raw, model.what, operation, sent),
        map: mapped,
        async one(raw, operation, sent, given) {
          const wire = decode(model.schema, raw, model.what, operation, sent);
          const extra = given ?? (model.extras ? (await model.extras([wire], operation))[0] : undefined);
          return mapped(wire, raw, operation, sent, extra);
        },
        async many(raws, operation) {
          const wires = raws.map((raw) => decode(model.schema, raw, model.what, operation, 'no'));
          const extras = model.extras ? await model.extras(wires, operation) : [];
          return wires.map((wire, k) => mapped(wire, raws[k], operation, 'no', extras[k]));
        },
        maybe(raw, operation, extra) {
          const parsed = v.safeParse(model.schema, raw);
          if (!parsed.success) return undefined;
          try {
            return model.map(parsed.output, raw, operation, extra);
          } catch {
            return undefined;
          }
        },
      };
    },
    shell: {
      vendor: vendor.name,
      title: vendor.title,
      name,
      serverAddress: new URL(baseUrl).hostname,
      cursorKey: setup.cursorKey([...credentials, ...(facts.account?.(config) ?? [])]),
      maxListPages: setup.maxListPages,
      defaultLocale: (config as ProviderOptions).defaultLocale,
    },
  };
}

