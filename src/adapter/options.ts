/**
 * Adapter options: the common ones (`ProviderOptions`) and a vendor's own, parsed in one step
 * with one schema, so an adapter and `createProvider` accept the same options.
 */
import { createHmac } from 'node:crypto';
import * as v from 'valibot';
import { emit } from '../events.js';
import type { Operation } from '../errors.js';
import type { ProviderOptions } from '../provider.js';
import { parseInput, providerOptionEntries } from '../validate.js';

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
