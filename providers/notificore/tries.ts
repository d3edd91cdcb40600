/**
 * Wrong codes counted by this process. Notificore does not report how many tries are
 * left, so the adapter counts the wrong codes it checks for the verifications it started
 * itself (it knows their limit and that the count starts at 0). Bounded: the least
 * recently used entries go first.
 */
export class TriesCounter {
  readonly #entries = new Map<string, { max: number; failed: number }>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** Starts counting for a verification this process created. */
  start(id: string, max: number): void {
    this.#touch(id, { max, failed: 0 });
  }

  /** Counts one wrong code; returns the tries left, or undefined for a verification not started here. */
  fail(id: string): number | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    const next = { max: entry.max, failed: entry.failed + 1 };
    this.#touch(id, next);
    return Math.max(0, next.max - next.failed);
  }

  /** Wrong codes counted, for a verification started here. */
  failed(id: string): number | undefined {
    return this.#entries.get(id)?.failed;
  }

  #touch(id: string, entry: { max: number; failed: number }): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
