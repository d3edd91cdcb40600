/**
 * Wrong codes counted by this process. Notificore does not report how many tries are
 * left, so the adapter counts the wrong codes it checked itself, for the verifications it
 * knows the limit of. Bounded: the least recently used entries go first.
 */
export class TriesCounter {
  readonly #entries = new Map<string, { max: number | undefined; failed: number }>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** Notes a verification and its limit (from a create or a read). */
  track(id: string, max: number | undefined): void {
    const entry = this.#entries.get(id);
    this.#touch(id, { max: max ?? entry?.max, failed: entry?.failed ?? 0 });
  }

  /** Counts one wrong code; returns the tries left, when the limit is known. */
  fail(id: string): number | undefined {
    const entry = this.#entries.get(id) ?? { max: undefined, failed: 0 };
    const next = { max: entry.max, failed: entry.failed + 1 };
    this.#touch(id, next);
    return next.max === undefined ? undefined : Math.max(0, next.max - next.failed);
  }

  failed(id: string): number | undefined {
    return this.#entries.get(id)?.failed;
  }

  #touch(id: string, entry: { max: number | undefined; failed: number }): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
