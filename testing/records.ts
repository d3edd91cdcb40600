/**
 * The record store of a simulator: records by id and in creation order, and sorted (and
 * filtered) orders cached until a record is added or changed (a simulator holding 100 000
 * records answers a page without sorting them again).
 */

/** What a stored record has: its id. */
export interface StoredRecord {
  /** The record's id, as the vendor's API names it. */
  readonly id: string;
}

/** A simulator's records. */
export class RecordStore<R extends StoredRecord> {
  readonly #byId = new Map<string, R>();
  readonly #ordered: R[] = [];
  readonly #sorted = new Map<string, { version: number; records: R[] }>();
  #version = 0;

  /** How many records there are. */
  get size(): number {
    return this.#ordered.length;
  }

  /** Bumped by every add and every `changed()`: what the sorted orders are cached against. */
  get version(): number {
    return this.#version;
  }

  /** Adds a record (the newest). */
  add(record: R): R {
    this.#byId.set(record.id, record);
    this.#ordered.push(record);
    this.#version++;
    return record;
  }

  /** The record with this id. */
  get(id: string): R | undefined {
    return this.#byId.get(id);
  }

  /** Every record, in creation order. */
  all(): readonly R[] {
    return this.#ordered;
  }

  /** Says a record changed in a way a sorted order or a filter may depend on. */
  changed(): void {
    this.#version++;
  }

  /**
   * The records in the order `compare` gives (ties in creation order), cached under `key` until
   * the next add or `changed()`; `keep` filters first (part of what `key` names).
   */
  sorted(key: string, compare: ((a: R, b: R) => number) | undefined, keep?: (record: R) => boolean): R[] {
    const cached = this.#sorted.get(key);
    if (cached?.version === this.#version) return cached.records;
    const kept = keep ? this.#ordered.filter(keep) : [...this.#ordered];
    if (compare) {
      const index = new Map(this.#ordered.map((record, i) => [record, i]));
      kept.sort((a, b) => compare(a, b) || index.get(a)! - index.get(b)!);
    }
    // A handful of orders and filters are in use at once; an old one is dropped when a new one comes.
    if (this.#sorted.size >= 16) this.#sorted.delete(this.#sorted.keys().next().value!);
    this.#sorted.set(key, { version: this.#version, records: kept });
    return kept;
  }
}
