/**
 * The pluggable storage of library-owned codes.
 */

/** What is kept of one code: a keyed hash and its limits, never the code itself. */
export interface CodeRecord {
  /** Hex HMAC-SHA256 of the code (see `CodeHasher`). */
  readonly hash: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** When the code stops being accepted, epoch milliseconds. */
  readonly expiresAt: number;
  /** Wrong codes allowed. */
  readonly maxAttempts: number;
  /** Wrong codes checked so far. */
  readonly failedAttempts: number;
  /** Where the code stands. */
  readonly state: 'pending' | 'verified' | 'canceled';
  /** When it was verified or canceled. */
  readonly finishedAt?: number;
}

/** The outcome of one {@link CodeStore.attempt}. */
export type AttemptOutcome = 'verified' | 'incorrect' | 'expired' | 'max_attempts' | 'canceled' | 'already_verified' | 'not_found';

/** What {@link CodeStore.attempt} answered. */
export interface AttemptResult {
  /** What the attempt decided. */
  readonly outcome: AttemptOutcome;
  /** The record after the attempt (absent for `not_found`). */
  readonly record?: CodeRecord;
}

/**
 * Storage of code records. Implement it over Redis, SQL, … to share codes between
 * processes. `attempt` must be atomic: two concurrent attempts must never both pass, and
 * every wrong attempt must be counted.
 */
export interface CodeStore {
  /** Stores (or replaces) a record. */
  save(key: string, record: CodeRecord): Promise<void>;
  /** The record at `key`, or undefined (none, or past retention). */
  get(key: string): Promise<CodeRecord | undefined>;
  /**
   * Atomically checks `candidateHash` against the record at `now` (epoch ms):
   * - no record: `not_found`; verified: `already_verified`; canceled: `canceled`;
   * - `now >= expiresAt`: `expired`; `failedAttempts >= maxAttempts`: `max_attempts`;
   * - equal hashes (compare in constant time where you can): state `verified`, `finishedAt = now`;
   * - otherwise `failedAttempts + 1`, outcome `incorrect`.
   */
  attempt(key: string, candidateHash: string, now: number): Promise<AttemptResult>;
  /** Marks a pending record canceled; returns the record after the change, or undefined. */
  cancel(key: string, now: number): Promise<CodeRecord | undefined>;
  /** Removes the record at `key` (nothing when there is none). */
  delete(key: string): Promise<void>;
}

/** The decision of {@link CodeStore.attempt} for one record, shared by stores that hold records in memory. */
export function decideAttempt(
  record: CodeRecord | undefined,
  matches: (record: CodeRecord) => boolean,
  now: number,
): AttemptResult {
  if (!record) return { outcome: 'not_found' };
  if (record.state === 'verified') return { outcome: 'already_verified', record };
  if (record.state === 'canceled') return { outcome: 'canceled', record };
  if (now >= record.expiresAt) return { outcome: 'expired', record };
  if (record.failedAttempts >= record.maxAttempts) return { outcome: 'max_attempts', record };
  if (matches(record)) return { outcome: 'verified', record: { ...record, state: 'verified', finishedAt: now } };
  const failedAttempts = record.failedAttempts + 1;
  const locked = failedAttempts >= record.maxAttempts;
  return { outcome: 'incorrect', record: { ...record, failedAttempts, ...(locked && { finishedAt: now }) } };
}
