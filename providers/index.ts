/**
 * polyverify: one `VerifyProvider` interface for OTP verification through LOX24,
 * Notificore and Bird. This is the package's main entry: the vendor-neutral core, with
 * `createProvider` and its kin bound to the built-in vendors of the registry. Each adapter is
 * its own entry point (`polyverify/lox24`, …), loaded only when a config names it.
 *
 * @module polyverify
 */
import { configTools, envOf, type OtherVendorConfig } from '../src/config.js';
import type { RuntimeOptions } from '../src/adapter/vendor.js';
import type { EnvVars, GuardedFailoverConfig } from '../src/config.js';
import type { VerifyProvider } from '../src/provider.js';
import type { Lox24Config } from './lox24/config.js';
import type { MessagebirdConfig } from './messagebird/config.js';
import type { NotificoreConfig } from './notificore/config.js';
import { REGISTRY, VENDORS } from './registry.js';

export * from '../src/index.js';

/** A built-in provider's configuration (JSON-friendly: no functions), discriminated by `provider`. */
export type ProviderConfig = Lox24Config | NotificoreConfig | MessagebirdConfig;

/** A configuration of one provider, or of several tried in order (`failover`). */
export type PolyverifyConfig =
  | ProviderConfig
  | OtherVendorConfig
  | readonly (ProviderConfig | OtherVendorConfig)[]
  | GuardedFailoverConfig<ProviderConfig | OtherVendorConfig>;

/** The built-in vendors' descriptors, in registry order (give them to `configTools` with your own). */
export const BUILT_IN_VENDORS = VENDORS;
export type { VendorName } from './registry.js';

const tools = /* @__PURE__ */ configTools<ProviderConfig>(VENDORS);

/** The environment variables each built-in vendor reads (documented in docs/configuration.md). */
export const ENV = /* @__PURE__ */ envOf(VENDORS as readonly { name: keyof typeof REGISTRY; env: Readonly<Record<string, string>> }[]);

/**
 * Creates a provider from a configuration object, loading only that vendor's adapter.
 * Unknown providers and missing or malformed options are a `ValidationError` naming the
 * field; no value, secret or not, is echoed. A vendor of your own: pass its descriptor in
 * `runtime.vendors`.
 *
 * @example
 * ```ts
 * const verify = await createProvider({ provider: 'lox24', token: process.env.LOX24_TOKEN!, secret: process.env.POLYVERIFY_SECRET! });
 * ```
 */
export function createProvider(config: ProviderConfig | OtherVendorConfig, runtime?: RuntimeOptions): Promise<VerifyProvider> {
  return tools.createProvider(config, runtime);
}

/** Creates one provider, or a `failover` over several in the given order. */
export function createFromConfig(config: PolyverifyConfig, runtime?: RuntimeOptions): Promise<VerifyProvider> {
  return tools.createFromConfig(config, runtime);
}

/** The config the environment describes (no provider is created). */
export function configFromEnv(env: EnvVars, runtime?: Pick<RuntimeOptions, 'vendors'>): PolyverifyConfig {
  return tools.configFromEnv(env, runtime);
}

/**
 * Creates the provider the environment describes: `POLYVERIFY_CONFIG` (JSON: one config,
 * or an array tried in order), else `POLYVERIFY_PROVIDER` and that vendor's variables. A
 * missing variable is named in the error. With `POLYVERIFY_REDIS_URL` (and no
 * `runtime.store`), the state is shared in Redis: `polyverify/redis` is loaded and connects
 * (needs the `redis` or `ioredis` package); the connection lasts as long as the process.
 *
 * @example
 * ```ts
 * const verify = await providerFromEnv(process.env); // POLYVERIFY_PROVIDER=notificore, NOTIFICORE_API_KEY=…
 * ```
 */
export async function providerFromEnv(env: EnvVars, runtime: RuntimeOptions = {}): Promise<VerifyProvider> {
  const config = tools.configFromEnv(env, runtime);
  const url = env[ENV.redisUrl];
  if (url && !runtime.store) {
    const { connectRedisStore } = await import('polyverify/redis');
    const store = await connectRedisStore(url);
    return tools.createFromConfig(config, { ...runtime, store, ...(!runtime.limits && { limits: store.limits }) }).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
  }
  return tools.createFromConfig(config, runtime);
}
