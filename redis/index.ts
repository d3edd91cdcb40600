/**
 * `polyverify/redis`: the state a backend's instances share, on Redis (or Valkey). Library-owned
 * codes (LOX24) and Notificore's try counts in one store, atomic across instances.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createProvider } from 'polyverify';
 * import { RedisCodeStore } from 'polyverify/redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect();
 * const verify = await createProvider(config, { store: new RedisCodeStore({ client, prefix: 'pv:' }) });
 * ```
 * @module polyverify/redis
 */
export { RedisCodeStore } from './code-store.js';
export { RedisStoreError, type RedisClient } from './client.js';
export { connectRedisStore } from './connect.js';
export { redisLimits } from './limits.js';
export { redisSeen } from './seen.js';
