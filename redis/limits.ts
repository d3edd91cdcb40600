/**
 * `guard()`'s send limits shared by every instance: rate-limiter-flexible's `RateLimiterRedis`
 * (an atomic `INCRBY` with expiry in one Lua script per take), with a deadline per take.
 */
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis.js';
import { flexibleLimitStore, type LimitStore } from '../src/guard/limits.js';
import { withinDeadline, type IoRedisClient, type RedisClient } from './client.js';
import { redisOutcomes } from './outcomes.js';

/** Options of {@link redisLimits}. */
export interface RedisLimitsOptions {
  /** Prepended to every counter key (`'pv:limit:'`). */
  readonly prefix?: string;
  /** How long one take may wait for Redis before the call fails with a `StoreUnavailableError` (2 000 ms). */
  readonly timeoutMs?: number;
}

/**
 * A `LimitStore` on Redis for `guard()`: pass it as `limits`, and every instance of a backend
 * counts in the same place. Options choose the key prefix and the deadline.
 *
 * @example
 * ```ts
 * const verify = guard(provider, { perPhone: { max: 3, windowSeconds: 600 }, limits: redisLimits(client, { prefix: 'myapp:limit:' }) });
 * ```
 */
export function redisLimits(client: RedisClient, options: RedisLimitsOptions = {}): LimitStore {
  const prefix = options.prefix ?? 'pv:limit:';
  const timeoutMs = options.timeoutMs ?? 2_000;
  const nodeRedis = typeof (client as IoRedisClient).call !== 'function';
  const store = flexibleLimitStore(
    (bucket, limit) =>
      new RateLimiterRedis({ storeClient: client, useRedisPackage: nodeRedis, rejectIfRedisNotReady: true, keyPrefix: `${prefix}${bucket}`, points: limit.max, duration: limit.windowSeconds }),
  );
  return {
    take: (bucket, key, limit) => withinDeadline(() => store.take(bucket, key, limit), timeoutMs),
    giveBack: (bucket, key, limit) => withinDeadline(() => store.giveBack(bucket, key, limit), timeoutMs),
    // The pumping defence's figures, shared like the counters (`<prefix>pump:<scope>:{out}:…`).
    outcomes: (scope, decay) => redisOutcomes(client, { ...decay, prefix: `${prefix}pump:${scope}:`, timeoutMs: Math.min(500, timeoutMs) }),
  };
}
