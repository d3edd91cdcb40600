/**
 * Providers from configuration: a validated, discriminated config object (or environment
 * variables) becomes a provider, over the vendors it is given (the built-in registry, plus
 * any of your own). Only the adapter a config names is loaded.
 */
import * as v from 'valibot';
import { ValidationError, type FieldIssue } from './errors.js';
import type { BackoffOptions, VerifyProvider } from './provider.js';
import type { EnvReader, RuntimeOptions, VendorDescriptor } from './adapter/vendor.js';
import { commonOptionEntries, fieldIssues } from './validate.js';
import { failover } from './failover.js';
import { guard, guardConfigEntries, type GuardConfig } from './guard/index.js';
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
}

/** Several providers tried in order (a `failover`) under one guard: the object form of a config array. */
export interface GuardedFailoverConfig<Config> {
  /** The members, tried in this order. */
  readonly failover: readonly Config[];
  /** The guard in front of the whole failover. */
  readonly guard?: GuardConfig;
}

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
  /** A whole config as JSON (one, an array for a failover, or `{ failover, guard }`); wins over the rest. */
  config: 'POLYVERIFY_CONFIG',
  /** A Redis URL: codes, try counts and guard limits shared by every instance. */
  redisUrl: 'POLYVERIFY_REDIS_URL',
  /** The Redis key prefix of this application (`pv:`): give each application sharing a Redis its own. */
  redisPrefix: 'POLYVERIFY_REDIS_PREFIX',
  /** How long a finished LOX24 code's record is kept, in seconds (3600): what `get`, `list` and reports see as its status. */
  redisRetainSeconds: 'POLYVERIFY_REDIS_RETAIN_SECONDS',
} as const;

/** `createProvider` and its kin over one list of vendors (see `vendors()` in `polyverify`). */
export interface ConfigTools<Config extends NamedConfig> {
  /** Creates a provider from one config, loading only that vendor's adapter. */
  createProvider(config: Config | OtherVendorConfig, runtime?: RuntimeOptions): Promise<VerifyProvider>;
  /** One provider, a `failover` over several in the given order, or a guarded failover (`{ failover: [...], guard }`). */
  createFromConfig(config: Config | OtherVendorConfig | readonly (Config | OtherVendorConfig)[] | GuardedFailoverConfig<Config | OtherVendorConfig>, runtime?: RuntimeOptions): Promise<VerifyProvider>;
  /** The config the environment describes (no provider is created). */
  configFromEnv(env: EnvVars, runtime?: Pick<RuntimeOptions, 'vendors'>): Config | OtherVendorConfig | (Config | OtherVendorConfig)[];
  /** The provider the environment describes. */
  providerFromEnv(env: EnvVars, runtime?: RuntimeOptions): Promise<VerifyProvider>;
}

function known(vendors: readonly VendorDescriptor[], extra: readonly VendorDescriptor[] = []): VendorDescriptor[] {
  const byName = new Map<string, VendorDescriptor>();
  for (const vendor of [...vendors, ...extra]) byName.set(vendor.name, vendor);
  return [...byName.values()];
}

function list(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  return quoted.length < 2 ? (quoted[0] ?? "''") : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** The config schema of a list of vendors: a variant on `provider`, strict per vendor. */
function configSchema(vendors: readonly VendorDescriptor[]) {
  const [first, ...rest] = vendors.map((vendor) =>
    v.strictObject({ provider: v.literal(vendor.name), ...commonOptionEntries, guard: v.optional(v.strictObject(guardConfigEntries, 'must be an object of guard rules')), ...vendor.options }),
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
    const { guard: rules, ...vendorOptions } = options as { guard?: GuardConfig };
    const { vendors: _vendors, limits: _limits, ...rest } = runtime;
    return guarded(await vendor.create(vendorOptions, rest), rules as GuardConfig | undefined, runtime);
  }

  function guarded(provider: VerifyProvider, rules: GuardConfig | undefined, runtime: RuntimeOptions): VerifyProvider {
    if (!rules) return provider;
    // One shared store shares the limits too (a RedisCodeStore has them): a guard that holds per instance only is what runtime.limits or a store without limits gives.
    const limits = runtime.limits ?? (runtime.store as { readonly limits?: LimitStore } | undefined)?.limits;
    return guard(provider, { ...rules, ...(runtime.onEvent && { onEvent: runtime.onEvent }), ...(limits && { limits }) });
  }

  async function createFromConfig(
    config: Config | OtherVendorConfig | readonly (Config | OtherVendorConfig)[] | GuardedFailoverConfig<Config | OtherVendorConfig>,
    runtime: RuntimeOptions = {},
  ): Promise<VerifyProvider> {
    if (typeof config === 'object' && config !== null && 'failover' in config) {
      const { failover: members, guard: rules, ...extra } = config as GuardedFailoverConfig<Config | OtherVendorConfig>;
      const unknown = Object.keys(extra);
      if (!Array.isArray(members) || unknown.length) {
        throw new ValidationError([{ field: unknown.length ? String(unknown[0]) : 'failover', message: unknown.length ? 'is not an option of a guarded failover (failover, guard)' : 'must be an array of provider configs' }], CONTEXT, 'Invalid provider config');
      }
      const rulesParsed = v.safeParse(v.optional(v.strictObject(guardConfigEntries, 'must be an object of guard rules')), rules);
      if (!rulesParsed.success) throw new ValidationError(fieldIssues(rulesParsed.issues, 'guard'), CONTEXT, 'Invalid provider config');
      return guarded(await createFromConfig(members, runtime), rulesParsed.output as GuardConfig | undefined, runtime);
    }
    if (!Array.isArray(config)) return createProvider(config as Config, runtime);
    if (config.length === 0) throw new ValidationError([{ field: 'config', message: 'must name at least one provider' }], CONTEXT, 'Invalid provider config');
    const vendors = known(builtIn, runtime.vendors);
    const issues: FieldIssue[] = [];
    config.forEach((entry, index) => {
      try {
        parse(entry, vendors, String(index));
      } catch (error) {
        issues.push(...(error as ValidationError).issues);
      }
    });
    if (issues.length) throw new ValidationError(issues, CONTEXT, 'Invalid provider config');
    const providers = await Promise.all(config.map((entry) => createProvider(entry, runtime)));
    return failover(providers, { ...(runtime.onEvent && { onEvent: runtime.onEvent }) });
  }

  function configFromEnv(env: EnvVars, runtime: Pick<RuntimeOptions, 'vendors'> = {}): Config | OtherVendorConfig | (Config | OtherVendorConfig)[] {
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
    const json = read(COMMON_ENV.config);
    if (json !== undefined) {
      try {
        return JSON.parse(json) as Config;
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
    return config as Config;
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
