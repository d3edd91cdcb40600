/**
 * The in-process outcome store: bounded maps of pending starts, settled outcomes and tallies.
 */
import { LruMap } from '../lru.js';
import { counted, decayOptions, decayed, type DecayOptions, type OutcomeStore, type PendingOutcome, type SettledOutcome, type Tally, type TimedTally } from './store.js';

/** Options of {@link MemoryOutcomeStore}. */
export interface MemoryOutcomeStoreOptions extends DecayOptions {
  /** Starts awaiting an outcome kept at most (100 000): past it the oldest counts as not converted. */
  readonly maxPending?: number;
  /** Keys (member × destination) kept at most (50 000), the least recently counted dropped first. */
  readonly maxKeys?: number;
  /** Settled outcomes kept for feedback at most (100 000); as many links. */
  readonly maxSettled?: number;
}

/**
 * Outcomes in this process. Memory is bounded whatever the traffic: by `maxPending`, `maxKeys`
 * and `maxSettled`. Atomic because each method's synchronous part runs without interleaving.
 */
export class MemoryOutcomeStore implements OutcomeStore {
  readonly #pending = new Map<string, PendingOutcome>();
  readonly #settled: LruMap<string, SettledOutcome>;
  readonly #tallies: LruMap<string, TimedTally>;
  readonly #links: LruMap<string, string>;
  readonly #decay: Required<DecayOptions>;
  readonly #maxPending: number;

  constructor(options: MemoryOutcomeStoreOptions = {}) {
    this.#decay = decayOptions(options);
    this.#maxPending = options.maxPending ?? 100_000;
    this.#settled = new LruMap(options.maxSettled ?? 100_000);
    this.#tallies = new LruMap(options.maxKeys ?? 50_000);
    this.#links = new LruMap(options.maxSettled ?? 100_000);
  }

  async link(from: string, to: string): Promise<void> {
    this.#links.set(from, to);
  }

  async linked(id: string): Promise<string | undefined> {
    return this.#links.get(id);
  }

  async pend(id: string, pending: PendingOutcome): Promise<void> {
    this.#pending.delete(id);
    this.#pending.set(id, pending);
    // Bounded: the oldest start waiting counts as not converted (it most likely is by now).
    if (this.#pending.size > this.#maxPending) {
      const [oldest, record] = this.#pending.entries().next().value as [string, PendingOutcome];
      this.#count(oldest, record, false, record.expiresAt);
    }
  }

  async settle(id: string, converted: boolean, now: number): Promise<SettledOutcome | undefined> {
    const record = this.#pending.get(id);
    return record ? this.#count(id, record, converted, now) : undefined;
  }

  async expire(now: number, limit: number): Promise<number> {
    let done = 0;
    // Oldest first; a start with a longer lifetime ahead holds later ones back until it expires (they are counted late, never lost).
    for (const [id, record] of this.#pending) {
      if (done >= limit || record.expiresAt > now) break;
      this.#count(id, record, false, now);
      done++;
    }
    return done;
  }

  async retract(id: string, now: number): Promise<SettledOutcome | undefined> {
    const settled = this.#settled.get(id);
    if (!settled) return undefined;
    this.#settled.delete(id);
    const weight = -Math.exp(-Math.max(0, now - settled.at) / this.#decay.windowMs);
    for (const key of settled.keys) this.#tallies.set(key, counted(this.#tallies.get(key), { converted: settled.converted, cost: settled.cost }, now, this.#decay, weight));
    return settled;
  }

  async tallies(keys: readonly string[], now: number): Promise<Tally[]> {
    return keys.map((key) => decayed(this.#tallies.get(key), now, this.#decay.windowMs));
  }

  #count(id: string, record: PendingOutcome, converted: boolean, now: number): SettledOutcome {
    this.#pending.delete(id);
    for (const key of record.keys) this.#tallies.set(key, counted(this.#tallies.get(key), { converted, cost: record.cost }, now, this.#decay));
    const settled: SettledOutcome = { ...record, converted, at: now };
    this.#settled.set(id, settled);
    return settled;
  }
}
