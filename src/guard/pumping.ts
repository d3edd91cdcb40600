/**
 * The conversion-based defence against SMS pumping (`guard({ pumping })`): numbers that receive
 * codes and never use them, at the sender's cost. The practice of Twilio's Fraud Guard and
 * Vonage's fraud defender: watch each destination prefix's conversion, and when traffic to a
 * prefix converts far below its usual rate while its volume rises far above its usual, stop
 * sending to it for a while — 5 minutes, doubling while it goes on, up to 12 hours.
 *
 * A start counts as converted when its code is checked right within `graceSeconds` (a user types
 * a code within seconds; a pumped number never does), so an attack shows within that grace
 * rather than at the code's expiry. Recent figures decay with a time constant of `recentSeconds`;
 * the usual ones over a week.
 */
import { MemoryOutcomeStore } from '../outcomes/memory-store.js';
import type { DecayOptions, OutcomeStore, Tally } from '../outcomes/store.js';

/** Options of the pumping defence (all have defaults; `{}` or `true` turns it on). */
export interface PumpingOptions {
  /** Report what it would block (a `decision` event) and block nothing. */
  readonly shadow?: boolean;
  /** A start not verified within this is counted as not converted (30 s: most users type a code well within it). */
  readonly graceSeconds?: number;
  /** The time constant of the recent figures (600 s). */
  readonly recentSeconds?: number;
  /** Recent outcomes a prefix needs before it can be blocked (15). */
  readonly minOutcomes?: number;
  /** Blocked when its recent conversion is below this share of its usual (0.3). */
  readonly conversionFactor?: number;
  /** …and its recent volume above this many times its usual (3). */
  readonly volumeFactor?: number;
  /** The usual conversion where a prefix and its country have too little history (0.6). */
  readonly defaultConversion?: number;
}

/** What the defence says about a start. */
export type PumpingVerdict = { readonly block: false } | { readonly block: true; readonly retryAfterMs: number; readonly reason: string };

const WEEK = 7 * 86_400_000;
const FIRST_BLOCK = 5 * 60_000;
const LONGEST_BLOCK = 12 * 3_600_000;
/** Outcomes a prefix's or country's history needs to stand for its usual conversion. */
const HISTORY = 50;

const total = (t: Tally) => t.converted + t.notConverted;

/** The defence's state and rule; `guard()` calls it around starts and checks. */
export class PumpingDefence {
  readonly shadow: boolean;
  readonly #recent: OutcomeStore;
  readonly #usual: OutcomeStore;
  readonly #options: Required<Omit<PumpingOptions, 'shadow'>>;
  /** Blocked prefixes: until when, how many blocks in a row, and the probe out after the last one. */
  readonly #breakers = new Map<string, { until: number; level: number; probe?: { id?: string; until: number } }>();

  /**
   * `stores`: the figures' stores (`recent`, `usual`), else made by `shared` (a `LimitStore`'s
   * `outcomes`, so that every instance judges on the same figures), else in this process.
   */
  constructor(options: PumpingOptions = {}, stores: { recent?: OutcomeStore; usual?: OutcomeStore; shared?: (scope: string, decay: DecayOptions) => OutcomeStore } = {}) {
    this.shadow = options.shadow === true;
    this.#options = {
      graceSeconds: options.graceSeconds ?? 30,
      recentSeconds: options.recentSeconds ?? 600,
      minOutcomes: options.minOutcomes ?? 15,
      conversionFactor: options.conversionFactor ?? 0.3,
      volumeFactor: options.volumeFactor ?? 3,
      defaultConversion: options.defaultConversion ?? 0.6,
    };
    const recent = { windowMs: this.#options.recentSeconds * 1000, maxOutcomes: 1_000_000 };
    const usual = { windowMs: WEEK, maxOutcomes: 1_000_000 };
    this.#recent = stores.recent ?? stores.shared?.('recent', recent) ?? new MemoryOutcomeStore(recent);
    this.#usual = stores.usual ?? stores.shared?.('usual', usual) ?? new MemoryOutcomeStore(usual);
  }

  /**
   * Whether a start to `prefix` (in `country`) is to be refused now, and for how long. A blocked
   * prefix works like a circuit breaker: when its block ends, one start goes through as a probe;
   * while the probe is out (`graceSeconds`) the others wait; a probe verified in time lifts the
   * block, one that is not blocks again, twice as long (5 minutes up to 12 hours).
   */
  async verdict(prefix: string, country: string, now: number): Promise<PumpingVerdict> {
    const o = this.#options;
    const breaker = this.#breakers.get(prefix);
    if (breaker) {
      if (now < breaker.until) return { block: true, retryAfterMs: breaker.until - now, reason: 'blocked' };
      if (breaker.probe && now < breaker.probe.until) return { block: true, retryAfterMs: breaker.probe.until - now, reason: 'blocked' };
      if (breaker.probe) return this.#block(prefix, breaker.level + 1, now, 'was still not converting after a block');
      breaker.probe = { until: now + o.graceSeconds * 1000 };
      return { block: false };
    }
    // Expired starts are counted first, then the figures read — sent together (one round trip with Redis, which runs them in order).
    const [, , [recent], [usualPrefix, usualCountry]] = await Promise.all([
      this.#recent.expire(now, 1000),
      this.#usual.expire(now, 1000),
      this.#recent.tallies([`p:${prefix}`], now),
      this.#usual.tallies([`p:${prefix}`, `c:${country}`], now),
    ]);
    const outcomes = total(recent!);
    if (outcomes < o.minOutcomes) return { block: false };
    const usualRate = total(usualPrefix!) >= HISTORY ? usualPrefix!.converted / total(usualPrefix!) : total(usualCountry!) >= HISTORY ? usualCountry!.converted / total(usualCountry!) : o.defaultConversion;
    const rate = recent!.converted / outcomes;
    // The usual volume of the recent window: the week's decayed count, scaled to the window.
    const usualVolume = total(usualPrefix!) * ((o.recentSeconds * 1000) / WEEK);
    if (rate >= o.conversionFactor * usualRate || outcomes <= o.volumeFactor * usualVolume) return { block: false };
    return this.#block(prefix, 0, now, `converts ${Math.round(rate * 100)} % against ${Math.round(usualRate * 100)} % usually, on ${Math.round(outcomes)} recent starts`);
  }

  #block(prefix: string, level: number, now: number, reason: string): PumpingVerdict {
    const duration = Math.min(LONGEST_BLOCK, FIRST_BLOCK * 2 ** level);
    if (!this.shadow) this.#breakers.set(prefix, { until: now + duration, level });
    return { block: true, retryAfterMs: duration, reason };
  }

  /** Remembers a start that went out (a blocked prefix's probe among them). */
  async started(id: string, prefix: string, country: string, expiresAt: number, now: number): Promise<void> {
    const breaker = this.#breakers.get(prefix);
    if (breaker?.probe && breaker.probe.id === undefined) breaker.probe.id = id;
    const keys = [`p:${prefix}`];
    await Promise.all([this.#recent.pend(id, { keys, expiresAt: now + this.#options.graceSeconds * 1000 }), this.#usual.pend(id, { keys: [...keys, `c:${country}`], expiresAt })]);
  }

  /** Counts a check's outcome; a verified probe lifts its prefix's block. */
  async checked(id: string, verified: boolean, final: boolean, now: number): Promise<void> {
    if (verified) {
      for (const [prefix, breaker] of this.#breakers) if (breaker.probe?.id === id) this.#breakers.delete(prefix);
      await Promise.all([this.#recent.settle(id, true, now), this.#usual.settle(id, true, now)]);
    } else if (final) await Promise.all([this.#recent.settle(id, false, now), this.#usual.settle(id, false, now)]);
  }

  /** Takes a start found to be fraud out of the usual figures (so pumping does not become the usual). */
  async fraud(id: string, now: number): Promise<void> {
    await this.#usual.retract(id, now);
  }
}
