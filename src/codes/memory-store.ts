/**
 * The in-process store of codes and try counts: what `RedisCodeStore` shares between
 * instances, kept in one process.
 */
import { hashesEqual } from './hash.js';
import { decideAttempt, type AttemptResult, type CodeRecord, type CodeStore } from './store.js';
import { MemoryTriesStore, type TriesStore } from './tries.js';

/** Options of {@link MemoryCodeStore}. */
export interface MemoryCodeStoreOptions {
  /** How long a record is kept after it expires, so a late check says `expired` rather than `not_found` (1 h). */
  readonly retainMs?: number;
  /** How often, at most, writes sweep out records past retention (10 s). */
  readonly sweepEveryMs?: number;
  /** The clock (epoch ms); for tests. */
  readonly now?: () => number;
  /** Try counts kept at most: the most recent verifications' (10 000). */
  readonly triesLimit?: number;
}

/**
 * Keeps code records in a `Map` of this process. Records past `expiresAt + retainMs` are
 * removed by a sweep that runs on writes at most every `sweepEveryMs`, and on reads of that
 * record, so memory stays bounded by the rate of new codes times their lifetime. Atomic
 * because JavaScript runs each method's synchronous part without interleaving.
 * Codes do not survive a restart and are not shared between processes.
 *
 * It is also a `TriesStore` (Notificore's wrong-code counts), so one store is the whole state
 * of several providers in one process: `createProvider(config, { store: new MemoryCodeStore() })`,
 * as `RedisCodeStore` is for several instances.
 */
export class MemoryCodeStore implements CodeStore, TriesStore {
  readonly #records = new Map<string, CodeRecord>();
  readonly #tries: MemoryTriesStore;
  readonly #retainMs: number;
  readonly #sweepEveryMs: number;
  readonly #now: () => number;
  #lastSweep = 0;

  constructor(options: MemoryCodeStoreOptions = {}) {
    this.#retainMs = options.retainMs ?? 3_600_000;
    this.#sweepEveryMs = options.sweepEveryMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#tries = new MemoryTriesStore({ now: this.#now, ...(options.triesLimit !== undefined && { limit: options.triesLimit }) });
  }

  startTries(key: string, max: number, ttlMs: number): Promise<void> {
    return this.#tries.startTries(key, max, ttlMs);
  }

  failTry(key: string): Promise<number | undefined> {
    return this.#tries.failTry(key);
  }

  triesFailed(keys: readonly string[]): Promise<(number | undefined)[]> {
    return this.#tries.triesFailed(keys);
  }

  /** Records held now (including expired ones not yet swept). */
  get size(): number {
    return this.#records.size;
  }

  async save(key: string, record: CodeRecord): Promise<void> {
    this.#records.set(key, record);
    this.#maybeSweep();
  }

  /** The record at `key`, or undefined (none, or past retention). */
  async get(key: string): Promise<CodeRecord | undefined> {
    return this.#live(key);
  }

  async attempt(key: string, candidateHash: string, now: number): Promise<AttemptResult> {
    const result = decideAttempt(this.#live(key), (record) => hashesEqual(record.hash, candidateHash), now);
    if (result.record) this.#records.set(key, result.record);
    return result;
  }

  async cancel(key: string, now: number): Promise<CodeRecord | undefined> {
    const record = this.#live(key);
    if (!record || record.state !== 'pending') return record;
    const canceled: CodeRecord = { ...record, state: 'canceled', finishedAt: now };
    this.#records.set(key, canceled);
    return canceled;
  }

  /** Removes the record at `key`. */
  async delete(key: string): Promise<void> {
    this.#records.delete(key);
  }

  /** Removes every record past retention now. */
  sweep(): void {
    const now = this.#now();
    this.#lastSweep = now;
    for (const [key, record] of this.#records) {
      if (now >= record.expiresAt + this.#retainMs) this.#records.delete(key);
    }
  }

  #live(key: string): CodeRecord | undefined {
    const record = this.#records.get(key);
    if (record && this.#now() >= record.expiresAt + this.#retainMs) {
      this.#records.delete(key);
      return undefined;
    }
    return record;
  }

  #maybeSweep(): void {
    if (this.#now() - this.#lastSweep >= this.#sweepEveryMs) this.sweep();
  }
}
