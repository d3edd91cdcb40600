/**
 * Providers from configuration: a validated, discriminated config object (or environment
 * variables) becomes a provider, over the vendors it is given (the built-in registry, plus
 * any of your own). Only the adapter a config names is loaded.
 */
import * as v from 'valibot';
import { ValidationError, type FieldIssue } from './errors.js';
import type { BackoffOptions, VerifyProvider } from './provider.js';
import type { EnvReader, RuntimeOptions, VendorDescriptor } from './adapter/vendor.js';
import { INSTANCE_NAME, commonOptionEntries, fieldIssues } from './validate.js';
import { failover } from './failover.js';
import { route } from './route.js';
import { guard, guardConfigEntries, type GuardConfig } from './guard/index.js';
import { testNumbers, testNumbersIssues, type TestNumbersOptions } from './test-numbers.js';
import type { LimitStore } from './guard/limits.js';

const CONTEXT = { provider: 'config', operation: 'config' as const };

/** Options every vendor's config takes. */
export interface CommonConfig {
  /** 1–40 letters, digits, `_` or `-`; the first part of the ids a failover or route hands out. */
  readonly name?: string;
  /** The vendor's API root (a simulator's in tests). */
  readonly baseUrl?: string;
  /** Time limit of one HTTP attempt, ms. */
  readonly timeoutMs?: number;
  /** Retries of reads and of provably unsent sends. */
  readonly retries?: number;
  /** Backoff between retries. */
  readonly backoff?: BackoffOptions;
  /** The largest answer read, decoded bytes (4 MiB). */
  readonly maxResponseBytes?: number;
  /** Vendor pages a list may read without an item to give (1 000). */
  readonly maxListPages?: number;
  /** The key that signs cursors (default: derived from the credentials). */
  readonly cursorSecret?: string;
  /** The language of starts without `locale` (BCP 47); by default the recipient country's. */
  readonly defaultLocale?: string;
  /** Send limits, countries and number checks for this provider (see `guard()` and docs/fraud-guard.md). */
  readonly guard?: GuardConfig;
  /** Listed test numbers with fixed codes, answered without a vendor, inside the guard (see `testNumbers()` and docs/test-numbers.md). */
  readonly testNumbers?: TestNumbersConfig;
}

/** A config's `testNumbers` section: `testNumbers()`'s options that JSON can hold. */
export type TestNumbersConfig = Pick<TestNumbersOptions, 'numbers' | 'anyNumber' | 'ttlSeconds' | 'maxAttempts' | 'secret'> & {
  /** After it (ISO 8601), starts to a listed number are refused. */
  readonly validUntil: string;
};

/**
 * Several providers as one, in a config: tried in order (`failover`, what an array is too) or
 * chosen by destination (`route`, keys as `route()` takes them), each member any config form,
 * with an optional guard in front and a name (the first part of ids when it is itself a member).
 * The same config in two places is one provider (listed once).
 *
 * @example
 * ```json
 * { "route": { "+44": { "provider": "messagebird", "...": "..." }, "default": [{ "provider": "lox24", "...": "..." }, { "provider": "notificore", "...": "..." }] },
 *   "guard": { "perPhone": { "max": 3, "windowSeconds": 600 } } }
 * ```
 */
export type CompositeConfig<Config> =
  | {
      /** The members, tried in this order. */
      readonly failover: readonly ConfigForm<Config>[];
      /** The guard in front of the whole failover. */
      readonly guard?: GuardConfig;
      /** Test numbers in front of the whole failover, inside its guard. */
      readonly testNumbers?: TestNumbersConfig;
      /** The failover's name (`failover`). */
      readonly name?: string;
    }
  | {
      /** The member for each destination: E.164 prefixes, `@`, `@domain` and `default`. */
      readonly route: Readonly<Record<string, ConfigForm<Config>>>;
      /** The guard in front of the whole route. */
      readonly guard?: GuardConfig;
      /** Test numbers in front of the whole route, inside its guard. */
      readonly testNumbers?: TestNumbersConfig;
      /** The route's name (`route`). */
      readonly name?: string;
    };

/** Any form of a config: one provider's, an array (a failover), or a {@link CompositeConfig}. */
export type ConfigForm<Config> = Config | readonly ConfigForm<Config>[] | CompositeConfig<Config>;

/** What every config has: the vendor it is for. */
export interface NamedConfig {
  /** The vendor's name (`lox24`, `notificore`, `messagebird`, or one of yours). */
  readonly provider: string;
}

/** A config of a vendor that is not built in: its `provider` names a descriptor given in `vendors`. */
export interface OtherVendorConfig extends CommonConfig {
  /** The name of a vendor descriptor given in `vendors`. */
  readonly provider: string;
  readonly [option: string]: unknown;
}

/** Environment variables, as `process.env` holds them. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/** The variables every environment config reads, whatever the vendor. */
export const COMMON_ENV = {
  /** Names the vendor whose own variables configure the provider (`lox24`, `notificore`, …). */
  provider: 'POLYVERIFY_PROVIDER',
  /** A whole config as JSON (one, an array for a failover, `{ failover }` or `{ route }`); wins over the rest. */
  config: 'POLYVERIFY_CONFIG',
  /** A Redis URL: codes, try counts and guard limits shared by every instance. */
  redisUrl: 'POLYVERIFY_REDIS_URL',
  /** The Redis key prefix of this application (`pv:`): give each application sharing a Redis its own. */
  redisPrefix: 'POLYVERIFY_REDIS_PREFIX',
  /** How long a finished LOX24 code's record is kept, in seconds (3600): what `get`, `list` and reports see as its status. */
  redisRetainSeconds: 'POLYVERIFY_REDIS_RETAIN_SECONDS',
  /** A `testNumbers` section as JSON (`{ "numbers": { "+15555550100": "424242" }, "validUntil": "2027-03-31" }`), put in front of the rest. */
  testNumbers: 'POLYVERIFY_TEST_NUMBERS',
} as const;

/** `createProvider` and its kin over one list of vendors (see `vendors()` in `polyverify`). */
export interface ConfigTools<Config extends NamedConfig> {
  /** Creates a provider from one config, loading only that vendor's adapter. */
  createProvider(config: Config | OtherVendorConfig, runtime?: RuntimeOptions): Promise<VerifyProvider>;
  /** One provider, a `failover` over an array in the given order, or a {@link CompositeConfig} (`{ failover }`, `{ route }`), nested as deep as you like. */
  createFromConfig(config: ConfigForm<Config | OtherVendorConfig>, runtime?: RuntimeOptions): Promise<VerifyProvider>;
  /** The config the environment describes (no provider is created). */
  configFromEnv(env: EnvVars, runtime?: Pick<RuntimeOptions, 'vendors'>): ConfigForm<Config | OtherVendorConfig>;
  /** The provider the environment describes. */
  providerFromEnv(env: EnvVars, runtime?: RuntimeOptions): Promise<VerifyProvider>;
}

function known(vendors: readonly VendorDescriptor[], extra: readonly VendorDescriptor[] = []): VendorDescriptor[] {
  const byName = new Map<string, VendorDescriptor>();
  for (const vendor of [...vendors, ...extra]) byName.set(vendor.name, vendor);
  return [...byName.values()];
}

/** The destinations a route config takes, as `route()` does. */
const ROUTE_KEY = /^(?:default|\+\d{1,14}|@(?:[^\s@]+\.[^\s@]+)?)$/;

/** `'failover'` or `'route'` for the object forms of several providers; `undefined` for one provider's config. */
function compositeKind(config: unknown): 'failover' | 'route' | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config) || 'provider' in config) return undefined;
  return 'route' in config ? 'route' : 'failover' in config ? 'failover' : undefined;
}

function list(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  return quoted.length < 2 ? (quoted[0] ?? "''") : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** The config schema of a list of vendors: a variant on `provider`, strict per vendor. */
function configSchema(vendors: readonly VendorDescriptor[]) {
  const [first, ...rest] = vendors.map((vendor) =>
    v.strictObject({ provider: v.literal(vendor.name), ...commonOptionEntries, guard: v.optional(v.strictObject(guardConfigEntries, 'must be an object of guard rules')), testNumbers: v.optional(v.unknown()), ...vendor.options }),
  );
  return v.variant('provider', [first!, ...rest], `must have provider ${list(vendors.map((vendor) => vendor.name))}`);
}

/**
 * `createProvider`, `createFromConfig`, `configFromEnv` and `providerFromEnv` over `vendors`.
 * `polyverify` exports them over the built-in vendors; pass `{ vendors: [yours] }` to any of
 * them to add a vendor of your own.
 */
export function configTools<Config extends NamedConfig>(builtIn: readonly VendorDescriptor[]): ConfigTools<Config> {
  const schemas = new Map<string, ReturnType<typeof configSchema>>();
  const schemaOf = (vendors: VendorDescriptor[]) => {
    const key = vendors.map((vendor) => vendor.name).join('\n');
    let schema = schemas.get(key);
    if (!schema) schemas.set(key, (schema = configSchema(vendors)));
    return schema;
  };

  function parse(config: unknown, vendors: VendorDescriptor[], root?: string): { vendor: VendorDescriptor; options: Record<string, unknown> } {
    const result = v.safeParse(schemaOf(vendors), config);
    if (!result.success) throw new ValidationError(fieldIssues(result.issues, root), CONTEXT, 'Invalid provider config');
    const { provider, ...options } = result.output as { provider: string } & Record<string, unknown>;
    return { vendor: vendors.find((vendor) => vendor.name === provider)!, options };
  }

  async function createProvider(config: Config | OtherVendorConfig, runtime: RuntimeOptions = {}): Promise<VerifyProvider> {
    const { vendor, options } = parse(config, known(builtIn, runtime.vendors));
    const { guard: rules, testNumbers: listed, ...vendorOptions } = options as { guard?: GuardConfig; testNumbers?: TestNumbersConfig };
    const { vendors: _vendors, limits: _limits, ...rest } = runtime;
    return guarded(await vendor.create(vendorOptions, rest), rules as GuardConfig | undefined, runtime, listed);
  }

  /** `provider` with its test numbers in front (inside the guard: a reviewer's flood is still counted), then its guard. */
  function guarded(inner: VerifyProvider, rules: GuardConfig | undefined, runtime: RuntimeOptions, listed?: TestNumbersConfig): VerifyProvider {
    const store = runtime.codeStore ?? runtime.store;
    const provider = listed ? testNumbers(inner, { ...listed, ...(store && { store }), ...(runtime.onEvent && { onEvent: runtime.onEvent }) }) : inner;
    if (!rules) return provider;
    // One shared store shares the limits too (a RedisCodeStore has them): a guard that holds per instance only is what runtime.limits or a store without limits gives.
    const limits = runtime.limits ?? (runtime.store as { readonly limits?: LimitStore } | undefined)?.limits;
    return guard(provider, { ...rules, ...(runtime.onEvent && { onEvent: runtime.onEvent }), ...(limits && { limits }) });
  }

  /** Every issue of a config of any form, before anything is created; `root` prefixes the fields. */
  function configIssues(config: unknown, vendors: VendorDescriptor[], root: string): FieldIssue[] {
    const at = (field: string) => (root ? `${root}.${field}` : field);
    if (Array.isArray(config)) {
      if (config.length === 0) return [{ field: root || 'config', message: 'must name at least one provider' }];
      return config.flatMap((entry, index) => configIssues(entry, vendors, at(String(index))));
    }
    const kind = compositeKind(config);
    if (!kind) {
      try {
        parse(config, vendors, root || undefined);
      } catch (error) {
        return [...(error as ValidationError).issues];
      }
      const listed = (config as { testNumbers?: unknown }).testNumbers;
      return listed === undefined ? [] : testNumbersIssues(listed, at('testNumbers'));
    }
    const { [kind]: members, guard: rules, testNumbers: listed, name, ...extra } = config as Record<string, unknown>;
    const issues: FieldIssue[] = Object.keys(extra).map((key) => ({ field: at(key), message: `is not an option of a ${kind} config (${kind}, guard, testNumbers, name); a config is one provider's, an array, { failover } or { route }` }));
    if (listed !== undefined) issues.push(...testNumbersIssues(listed, at('testNumbers')));
    const rulesParsed = v.safeParse(v.optional(v.strictObject(guardConfigEntries, 'must be an object of guard rules')), rules);
    if (!rulesParsed.success) issues.push(...fieldIssues(rulesParsed.issues, at('guard')));
    if (name !== undefined && (typeof name !== 'string' || !INSTANCE_NAME.test(name))) issues.push({ field: at('name'), message: 'must be 1 to 40 letters, digits, _ or -' });
    if (kind === 'failover') {
      if (!Array.isArray(members)) issues.push({ field: at('failover'), message: 'must be an array of provider configs' });
      else issues.push(...configIssues(members, vendors, at('failover')));
    } else if (typeof members !== 'object' || members === null || Array.isArray(members) || Object.keys(members).length === 0) {
      issues.push({ field: at('route'), message: "must be an object of destinations ('+44', '@', '@example.com', 'default') to provider configs" });
    } else {
      for (const [key, member] of Object.entries(members)) {
        if (!ROUTE_KEY.test(key)) issues.push({ field: at(`route.${key}`), message: "is not a destination: use an E.164 prefix ('+49'), '@', '@domain' or 'default'" });
        issues.push(...configIssues(member, vendors, at(`route.${key}`)));
      }
    }
    return issues;
  }

  /** Creates a checked config; `made` makes the same config in two places one provider. */
  async function build(config: unknown, runtime: RuntimeOptions, made: Map<string, Promise<VerifyProvider>>): Promise<VerifyProvider> {
    const key = JSON.stringify(config);
    let provider = made.get(key);
    if (!provider) made.set(key, (provider = buildOnce(config, runtime, made)));
    return provider;
  }

  async function buildOnce(config: unknown, runtime: RuntimeOptions, made: Map<string, Promise<VerifyProvider>>): Promise<VerifyProvider> {
    const events = runtime.onEvent && { onEvent: runtime.onEvent };
    if (Array.isArray(config)) return failover(await Promise.all(config.map((entry) => build(entry, runtime, made))), { ...events });
    const kind = compositeKind(config);
    if (!kind) return createProvider(config as Config, runtime);
    const { guard: rules, testNumbers: listed, name } = config as { guard?: GuardConfig; testNumbers?: TestNumbersConfig; name?: string };
    const named = { ...events, ...(name !== undefined && { name }) };
    let provider: VerifyProvider;
    if (kind === 'failover') {
      provider = failover(await Promise.all((config as { failover: unknown[] }).failover.map((entry) => build(entry, runtime, made))), named);
    } else {
      const entries = Object.entries((config as { route: Record<string, unknown> }).route);
      const members = await Promise.all(entries.map(([, entry]) => build(entry, runtime, made)));
      provider = route(Object.fromEntries(entries.map(([key], index) => [key, members[index]!])), named);
    }
    return guarded(provider, rules, runtime, listed);
  }

  async function createFromConfig(config: ConfigForm<Config | OtherVendorConfig>, runtime: RuntimeOptions = {}): Promise<VerifyProvider> {
    const issues = configIssues(config, known(builtIn, runtime.vendors), '');
    if (issues.length) throw new ValidationError(issues, CONTEXT, 'Invalid provider config');
    return build(config, runtime, new Map());
  }

  function configFromEnv(env: EnvVars, runtime: Pick<RuntimeOptions, 'vendors'> = {}): ConfigForm<Config | OtherVendorConfig> {
    const vendors = known(builtIn, runtime.vendors);
    const problems: FieldIssue[] = [];
    const read: EnvReader = (name, required = false) => {
      const value = env[name];
      if (value === undefined || value === '') {
        if (required) problems.push({ field: name, message: 'is not set' });
        return undefined;
      }
      return value;
    };
    const listed = read(COMMON_ENV.testNumbers);
    let testNumbers: unknown;
    if (listed !== undefined) {
      try {
        testNumbers = JSON.parse(listed);
      } catch {
        throw new ValidationError([{ field: COMMON_ENV.testNumbers, message: 'is not valid JSON (a testNumbers section: { "numbers": { … }, "validUntil": "…" })' }], CONTEXT, 'Invalid environment');
      }
    }
    // The test numbers go in front of whatever the rest describes.
    const withTestNumbers = (config: ConfigForm<Config | OtherVendorConfig>): ConfigForm<Config | OtherVendorConfig> =>
      testNumbers === undefined ? config : ((Array.isArray(config) ? { failover: config, testNumbers } : { ...(config as object), testNumbers }) as ConfigForm<Config | OtherVendorConfig>);
    const json = read(COMMON_ENV.config);
    if (json !== undefined) {
      try {
        return withTestNumbers(JSON.parse(json) as Config);
      } catch {
        // A path is the usual mistake: the variable holds the config itself.
        const path = /^\s*[.~/\w-][^{}[\]]*\.json\s*$/.test(json);
        const message = path ? 'holds the config itself as JSON, not a path to a file (use the CLI’s --config FILE for a file)' : 'is not valid JSON';
        throw new ValidationError([{ field: COMMON_ENV.config, message }], CONTEXT, 'Invalid environment');
      }
    }
    const provider = read(COMMON_ENV.provider, true);
    const vendor = vendors.find((candidate) => candidate.name === provider);
    let config: Record<string, unknown> | undefined;
    if (vendor) config = { provider, ...vendor.fromEnv(read, (issue) => problems.push(issue)) };
    else if (provider !== undefined) problems.push({ field: COMMON_ENV.provider, message: `must be ${list(vendors.map((candidate) => candidate.name))}` });
    if (problems.length) throw new ValidationError(problems, CONTEXT, 'Invalid environment');
    return withTestNumbers(config as Config);
  }

  async function providerFromEnv(env: EnvVars, runtime: RuntimeOptions = {}): Promise<VerifyProvider> {
    return createFromConfig(configFromEnv(env, runtime), runtime);
  }

  return { createProvider, createFromConfig, configFromEnv, providerFromEnv };
}

/** The environment variables of `vendors` by vendor name, and the common ones. */
export function envOf<Name extends string>(vendors: readonly { readonly name: Name; readonly env: Readonly<Record<string, string>> }[]): typeof COMMON_ENV & Readonly<Record<Name, Readonly<Record<string, string>>>> {
  const byVendor = Object.fromEntries(vendors.map((vendor) => [vendor.name, vendor.env])) as Record<Name, Readonly<Record<string, string>>>;
  return { ...byVendor, ...COMMON_ENV };
}
