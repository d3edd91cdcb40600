/**
 * Send limits: fixed-window counters per rule and key, counted by rate-limiter-flexible. In
 * this process by default; shared by every instance through `polyverify/redis`.
 */

import type { DecayOptions, OutcomeStore } from '../outcomes/store.js';

/** At most `max` verifications per `windowSeconds`. */
export interface Limit {
  /** Sends allowed in one window. */
  readonly max: number;
  /** The window's length, seconds. */
  readonly windowSeconds: number;
}

/** What one take decided. */
export interface Taken {
  /** Whether every rule had room. */
  readonly allowed: boolean;
  /** When the window of a refused take ends, in milliseconds. */
  readonly retryAfterMs: number;
}

/**
 * Where limit counters live. `take` must be atomic for one bucket: however many callers take at
 * once, at most `limit.max` are allowed per window.
 */
export interface LimitStore {
  /** Counts one against the bucket `key` of `bucket` (a rule and its window). */
  take(bucket: string, key: string, limit: Limit): Promise<Taken>;
  /** Gives one back (a start refused by a later rule, or one that provably sent nothing). */
  giveBack(bucket: string, key: string, limit: Limit): Promise<void>;
  /**
   * Outcome figures kept where the counters are, for the pumping defence (`scope` names them;
   * `decay` is theirs). A store that has none keeps the defence's figures in each process.
   */
  outcomes?(scope: string, decay: DecayOptions): OutcomeStore;
}

/** The rate-limiter-flexible limiter interface, as much of it as the stores use. */
export interface FlexibleLimiter {
  consume(key: string, points?: number): Promise<unknown>;
  reward(key: string, points?: number): Promise<unknown>;
}

/** Builds a limiter for one bucket. */
export type LimiterFactory = (bucket: string, limit: Limit) => FlexibleLimiter;

/** A {@link LimitStore} over rate-limiter-flexible limiters, one per bucket and limit. */
export function flexibleLimitStore(create: LimiterFactory): LimitStore {
  const limiters = new Map<string, FlexibleLimiter>();
  const limiterOf = (bucket: string, limit: Limit) => {
    const name = `${bucket}:${limit.max}:${limit.windowSeconds}`;
    let limiter = limiters.get(name);
    if (!limiter) limiters.set(name, (limiter = create(name, limit)));
    return limiter;
  };
  return {
    take: (bucket, key, limit) =>
      limiterOf(bucket, limit)
        .consume(key)
        .then(
          (): Taken => ({ allowed: true, retryAfterMs: 0 }),
          (refusal: unknown): Taken => {
            // A refusal is a RateLimiterRes; anything else is the store failing.
            if (refusal instanceof Error || typeof (refusal as { msBeforeNext?: unknown })?.msBeforeNext !== 'number') throw refusal;
            return { allowed: false, retryAfterMs: (refusal as { msBeforeNext: number }).msBeforeNext };
          },
        ),
    giveBack: async (bucket, key, limit) => {
      await limiterOf(bucket, limit).reward(key);
    },
  };
}

/** Options of {@link memoryLimitStore}. */
export interface MemoryLimitOptions {
  /**
   * Distinct keys counted at once per bucket (100 000). Past it, new keys are refused until
   * windows end: an attack with ever new numbers cannot grow memory without bound.
   */
  readonly maxKeys?: number;
}

/** Counters in this process (rate-limiter-flexible's `RateLimiterMemory`), loaded when first used. */
export function memoryLimitStore(options: MemoryLimitOptions = {}): LimitStore {
  const maxKeys = options.maxKeys ?? 100_000;
  let store: Promise<LimitStore> | undefined;
  const load = () =>
    (store ??= import('rate-limiter-flexible/lib/RateLimiterMemory.js').then(({ default: RateLimiterMemory }) => flexibleLimitStore((_bucket, limit) => new RateLimiterMemory({ points: limit.max, duration: limit.windowSeconds }))));
  // Keys per bucket with the end of their window, so the count of distinct keys stays bounded.
  const keys = new Map<string, Map<string, number>>();
  const held = (bucket: string) => {
    let map = keys.get(bucket);
    if (!map) keys.set(bucket, (map = new Map()));
    return map;
  };
  return {
    async take(bucket, key, limit) {
      const now = Date.now();
      const map = held(`${bucket}:${limit.max}:${limit.windowSeconds}`);
      if (!map.has(key) && map.size >= maxKeys) {
        for (const [k, until] of map) if (until <= now) map.delete(k);
        if (map.size >= maxKeys) {
          let soonest = Number.POSITIVE_INFINITY;
          for (const until of map.values()) soonest = Math.min(soonest, until);
          return { allowed: false, retryAfterMs: Math.max(0, soonest - now) };
        }
      }
      const taken = await (await load()).take(bucket, key, limit);
      if (!map.has(key) || map.get(key)! <= now) map.set(key, now + limit.windowSeconds * 1000);
      return taken;
    },
    async giveBack(bucket, key, limit) {
      await (await load()).giveBack(bucket, key, limit);
    },
  };
}
