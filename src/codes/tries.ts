/**
 * Counts of wrong codes for vendor-owned codes whose vendor does not report how many tries
 * are left (Notificore). The adapter starts a count for each verification it creates (it
 * knows the limit, and that the count starts at 0) and adds one per wrong code it checks.
 * In one process by default; shared by every instance through `polyverify/redis`.
 */
import { LruMap } from '../lru.js';

/**
 * Where wrong-code counts live. Implement it to share the counts between processes; each
 * method must be atomic for one key.
 */
export interface TriesStore {
  /** Starts a count of 0 of `max` tries for a verification created here, kept for `ttlMs`. */
  startTries(key: string, max: number, ttlMs: number): Promise<void>;
  /** Counts one wrong code; returns the tries left (never below 0), or undefined for a key with no count. */
  failTry(key: string): Promise<number | undefined>;
  /** The wrong codes counted for each key, in order (undefined where there is no count). */
  triesFailed(keys: readonly string[]): Promise<(number | undefined)[]>;
}

/** A {@link TriesStore} in this process: the most recent `limit` verifications (10 000). */
export class MemoryTriesStore implements TriesStore {
  readonly #entries: LruMap<string, { max: number; failed: number; until: number }>;
  readonly #now: () => number;

  constructor(options: { readonly limit?: number; readonly now?: () => number } = {}) {
    this.#entries = new LruMap(options.limit ?? 10_000);
    this.#now = options.now ?? Date.now;
  }

  async startTries(key: string, max: number, ttlMs: number): Promise<void> {
    this.#entries.set(key, { max, failed: 0, until: this.#now() + ttlMs });
  }

  async failTry(key: string): Promise<number | undefined> {
    const entry = this.#live(key);
    if (!entry) return undefined;
    const failed = entry.failed + 1;
    this.#entries.set(key, { ...entry, failed });
    return Math.max(0, entry.max - failed);
  }

  async triesFailed(keys: readonly string[]): Promise<(number | undefined)[]> {
    return keys.map((key) => this.#live(key)?.failed);
  }

  #live(key: string) {
    const entry = this.#entries.get(key);
    return entry && this.#now() < entry.until ? entry : undefined;
  }
}
