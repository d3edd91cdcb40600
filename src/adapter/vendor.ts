/**
 * What a vendor brings to configuration: its name, the options of its JSON config, its
 * environment variables, and how its provider is created. Each vendor folder exports one
 * descriptor; the registry lists them; `createProvider`, `providerFromEnv` and the CLI read
 * the list they are given. A third-party vendor is one more descriptor.
 */
import type * as v from 'valibot';
import type { FieldIssue } from '../errors.js';
import type { VerifyEvent } from '../events.js';
import type { CodeStore } from '../codes/store.js';
import type { TriesStore } from '../codes/tries.js';
import type { LimitStore } from '../guard/limits.js';
import type { VerifyProvider } from '../provider.js';

/** What a config cannot hold (functions and stores), given next to it. */
export interface RuntimeOptions {
  /** Receives every provider's events (secrets removed); `logEvents(logger)` writes them to a logger. */
  readonly onEvent?: (event: VerifyEvent) => void;
  /** The `fetch` every provider sends with (see `ProviderOptions.fetch`). */
  readonly fetch?: typeof globalThis.fetch;
  /** For code-transport vendors (LOX24): where code hashes live (wins over `store`). */
  readonly codeStore?: CodeStore;
  /**
   * The state shared by every instance of a backend: code hashes for LOX24, wrong-code
   * counts for Notificore. A `RedisCodeStore` from `polyverify/redis` is both.
   *
   * @example
   * ```ts
   * const store = new RedisCodeStore({ client, prefix: 'pv:' });
   * const verify = await createProvider(config, { store });
   * ```
   */
  readonly store?: CodeStore & TriesStore;
  /**
   * Where the counters of a config's `guard` live: these, else the `store`'s own limits when it
   * has them (a `RedisCodeStore` does: one store shares codes, try counts and limits), else this
   * process's memory.
   */
  readonly limits?: LimitStore;
  /** Vendors besides the built-in ones (a third-party adapter's descriptor). */
  readonly vendors?: readonly VendorDescriptor[];
}

/** Reads one environment variable; a required one that is unset is reported by name. */
export type EnvReader = (variable: string, required?: boolean) => string | undefined;

/**
 * A vendor, as configuration sees it.
 *
 * @example
 * ```ts
 * const acmeVendor: VendorDescriptor = {
 *   name: 'acme',
 *   title: 'Acme',
 *   options: { apiKey: v.pipe(v.string(), v.minLength(1)) },
 *   env: { apiKey: 'ACME_API_KEY' },
 *   fromEnv: (read) => ({ apiKey: read('ACME_API_KEY', true) }),
 *   create: async (config, runtime) => acme({ ...config, ...runtime }),
 * };
 * const verify = await createProvider({ provider: 'acme', apiKey: '…' }, { vendors: [acmeVendor] });
 * ```
 */
export interface VendorDescriptor {
  /** The `provider` value of its configs, and its providers' default name (`'lox24'`). */
  readonly name: string;
  /** How messages name it (`'LOX24'`). */
  readonly title: string;
  /** The options of its JSON config, besides `provider` and the common ones (`CommonConfig`). */
  readonly options: v.ObjectEntries;
  /** Its environment variables, by the option (or part of one) each sets. */
  readonly env: Readonly<Record<string, string>>;
  /** The config (without `provider`) that the environment describes. */
  fromEnv(read: EnvReader, problem: (issue: FieldIssue) => void): Record<string, unknown>;
  /** Creates a provider from a validated config (without `provider`); loads the adapter on demand. */
  create(config: Record<string, unknown>, runtime: Omit<RuntimeOptions, 'vendors'>): Promise<VerifyProvider>;
}
