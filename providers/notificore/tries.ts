/**
 * Wrong codes counted by this process. Notificore does not report how many tries are
 * left, so the adapter counts the wrong codes it checks for the verifications it started
 * itself (it knows their limit and that the count starts at 0). Bounded to the most
 * recent 10 000 verifications.
 */
import { LruMap } from '../../src/lru.js';

export class TriesCounter {
  readonly #entries: LruMap<string, { max: number; failed: number }>;

  constructor(limit = 10_000) {
    this.#entries = new LruMap(limit);
  }

  /** Starts counting for a verification this process created. */
  start(id: string, max: number): void {
    this.#entries.set(id, { max, failed: 0 });
  }

  /** Counts one wrong code; returns the tries left, or undefined for a verification not started here. */
  fail(id: string): number | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    const next = { max: entry.max, failed: entry.failed + 1 };
    this.#entries.set(id, next);
    return Math.max(0, next.max - next.failed);
  }

  /** Wrong codes counted, for a verification started here. */
  failed(id: string): number | undefined {
    return this.#entries.get(id)?.failed;
  }
}
