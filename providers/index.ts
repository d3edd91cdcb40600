/**
 * polyverify: one `VerifyProvider` interface for OTP verification through LOX24,
 * Notificore and Bird. This is the package's main entry: what an application uses — a
 * provider from a config or the environment, `failover`, `route`, `guard`, listing across
 * vendors, summaries and the scorecard, the errors, the memory stores and the logger bridge.
 * Each adapter is its own entry point (`polyverify/lox24`, …), loaded only when a config
 * names it.
 *
 * @module polyverify
 */
import type { RuntimeOptions } from '../src/adapter/vendor.js';
import type { EnvVars } from '../src/config.js';
import type { VerifyProvider } from '../src/provider.js';
import { ENV, builtIn, type PolyverifyConfig } from './built-in.js';
import { redisStoreOptions } from './redis-env.js';

export * from '../src/index.js';
export type { PolyverifyConfig, ProviderConfig } from './built-in.js';

/**
 * Creates a provider from a configuration: one provider, a `failover` over an array of them
 * (tried in order), or `{ failover: [...], guard }`. Only the adapters a config names are
 * loaded. Unknown providers and missing or malformed options are a `ValidationError` naming
 * the field; no value, secret or not, is echoed. A vendor of your own: pass its descriptor in
 * `runtime.vendors`.
 *
 * @example
 * ```ts
 * const verify = await createProvider({ provider: 'lox24', token: process.env.LOX24_TOKEN!, secret: process.env.POLYVERIFY_SECRET! });
 * const both = await createProvider([{ provider: 'lox24', token, secret }, { provider: 'notificore', apiKey, sender: 'MyApp', templateId: 12 }]);
 * ```
 */
export function createProvider(config: PolyverifyConfig, runtime?: RuntimeOptions): Promise<VerifyProvider> {
  return builtIn.createFromConfig(config, runtime);
}

/**
 * Creates the provider the environment describes: `POLYVERIFY_CONFIG` (JSON: any config
 * `createProvider` takes), else `POLYVERIFY_PROVIDER` and that vendor's variables. A
 * missing variable is named in the error. With `POLYVERIFY_REDIS_URL` (and no
 * `runtime.store`), the state is shared in Redis: `polyverify/redis` is loaded and connects
 * (needs the `redis` or `ioredis` package), under `POLYVERIFY_REDIS_PREFIX` (`pv:`) with
 * finished codes kept `POLYVERIFY_REDIS_RETAIN_SECONDS` (3600).
 *
 * The provider has `close()`: it closes what this call opened (the Redis connection), so that a
 * script or a test ends; without one it does nothing. Call it once, after the last call.
 *
 * @example
 * ```ts
 * const verify = await providerFromEnv(process.env); // POLYVERIFY_PROVIDER=notificore, NOTIFICORE_API_KEY=…
 * try { await verify.start({ to: '+491701234567' }); } finally { await verify.close(); }
 * ```
 */
export async function providerFromEnv(
  env: EnvVars,
  runtime: RuntimeOptions = {},
): Promise<
  VerifyProvider & {
    /** Closes what `providerFromEnv` opened (the Redis connection); the same promise on every call. */
    close(): Promise<void>;
  }
> {
  const config = builtIn.configFromEnv(env, runtime);
  const url = env[ENV.redisUrl];
  if (url && !runtime.store) {
    const { connectRedisStore } = await import('polyverify/redis');
    const store = await connectRedisStore(url, redisStoreOptions({ prefix: env[ENV.redisPrefix], retainSeconds: env[ENV.redisRetainSeconds] }));
    try {
      return closable(await builtIn.createFromConfig(config, { ...runtime, store, ...(!runtime.limits && { limits: store.limits }) }), () => store.close());
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return closable(await builtIn.createFromConfig(config, runtime), async () => {});
}

/** `provider` with `close()`; everything else is the provider's own (through its prototype, cursor keys included). */
function closable(provider: VerifyProvider, close: () => Promise<void>): VerifyProvider & { close(): Promise<void> } {
  let closing: Promise<void> | undefined;
  const view = Object.create(provider) as VerifyProvider & { close(): Promise<void> };
  Object.defineProperty(view, 'close', { value: () => (closing ??= close()) });
  return Object.freeze(view);
}
