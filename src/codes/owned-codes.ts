/**
 * Codes that polyverify owns for code-transport vendors (LOX24): generated here, stored
 * only as a keyed hash in a `CodeStore`, checked here with expiry and an attempt limit.
 */
import { randomUUID } from '../crypto.js';
import { checkResult, type CheckOutcome } from '../adapter/check.js';
import { StoreUnavailableError, isVerifyError, type Operation, type SentState } from '../errors.js';
import type { CheckResult, VerificationStatus } from '../model.js';
import { Redactor, sanitizeCause } from '../redact.js';
import { generateCode } from './generate.js';
import { CodeHasher } from './hash.js';
import { MemoryCodeStore } from './memory-store.js';
import type { AttemptResult, CodeRecord, CodeStore } from './store.js';

/** How a vendor's owned codes are kept. */
export interface OwnedCodesOptions {
  /** HMAC secret shared by every process that checks these codes. */
  readonly secret?: string | undefined;
  /** Where the hashes live (a `MemoryCodeStore` of this process by default; `RedisCodeStore` shares them). */
  readonly store?: CodeStore | undefined;
  /** The clock (epoch ms); for tests. */
  readonly now?: (() => number) | undefined;
  /** Told once when no secret was given. */
  readonly onEphemeralSecret?: (() => void) | undefined;
  /** The provider's name, for the errors of a failing store. */
  readonly provider?: string | undefined;
}

/** The limits of one code. */
export interface CodeLimits {
  /** How long the code may be checked, in seconds. */
  readonly ttlSeconds: number;
  /** Wrong codes allowed before the verification fails. */
  readonly maxAttempts: number;
}

let warnedEphemeral = false;

/** A process warning where the runtime has them (Node, Bun, Deno), else the console's. */
function warn(message: string, code: string): void {
  const process = (globalThis as { process?: { emitWarning?: (message: string, options: { code: string }) => void } }).process;
  if (typeof process?.emitWarning === 'function') process.emitWarning(message, { code });
  else console.warn(`(${code}) ${message}`);
}
export const EPHEMERAL_SECRET_WARNING =
  'polyverify: no `secret` given; codes are hashed with a random per-process secret and cannot be checked after a restart or by another instance.';

const NO_SECRETS = new Redactor();
const VERIFIED: CheckOutcome = Object.freeze({ verified: true });

/**
 * Library-owned codes over a {@link CodeStore}. Every failure of the store is a
 * `StoreUnavailableError` naming the provider and the operation, `sent: 'no'` unless said.
 */
export class OwnedCodes {
  readonly #hasher: CodeHasher;
  readonly #provider: string;
  /** Where the hashes live. */
  readonly store: CodeStore;
  /** The clock (epoch ms). */
  readonly now: () => number;

  constructor(options: OwnedCodesOptions) {
    this.now = options.now ?? Date.now;
    this.#provider = options.provider ?? 'codes';
    this.store = options.store ?? new MemoryCodeStore({ now: this.now });
    if (options.secret !== undefined) {
      this.#hasher = new CodeHasher(options.secret);
    } else {
      this.#hasher = CodeHasher.ephemeral();
      options.onEphemeralSecret?.();
      if (!warnedEphemeral) {
        warnedEphemeral = true;
        warn(EPHEMERAL_SECRET_WARNING, 'POLYVERIFY_EPHEMERAL_SECRET');
      }
    }
  }

  /** A new code of `length` digits, uniformly random (the Web Crypto API). */
  generate(length: number): string {
    return generateCode(length);
  }

  /** Stores the hash of `code` under `key`; returns the record. */
  async issue(key: string, code: string, limits: CodeLimits): Promise<CodeRecord> {
    const createdAt = this.now();
    const record: CodeRecord = {
      hash: this.#hasher.hash(code),
      createdAt,
      expiresAt: createdAt + limits.ttlSeconds * 1000,
      maxAttempts: limits.maxAttempts,
      failedAttempts: 0,
      state: 'pending',
    };
    await this.#stored('start', () => this.store.save(key, record));
    return record;
  }

  /**
   * Starts storing the hash of `code` under a provisional key, and gives the code with that
   * save in flight: what {@link OwnedCodes.deliver} sends. A guard prepares a start's code while
   * it takes its limits, so the save and the limit takes reach a shared store together
   * (src/early-start.ts); `release` drops a code that was never delivered.
   */
  prepare(code: string, limits: CodeLimits): PendingCode {
    const key = `provisional:${randomUUID()}`;
    return new PendingCode(code, key, this.issue(key, code, limits), () => this.discard(key));
  }

  /**
   * Sends a code the safe way: its hash is stored first under a provisional key (a code that
   * cannot be checked is never sent), then `send` runs and gives the vendor's id, and the record
   * is re-filed under it; a send that fails drops the record.
   */
  async deliver(pending: PendingCode, send: () => Promise<string>): Promise<CodeRecord> {
    const record = await pending.take();
    let id: string;
    try {
      id = await send();
    } catch (error) {
      // Without the vendor's id the record can never be checked: drop it (or let it expire, if the store is down).
      await this.discard(pending.key);
      throw error;
    }
    await this.move(pending.key, id, record);
    return record;
  }

  /**
   * Re-files a record under the vendor's id once it is known. The vendor has sent the code by
   * then: a failing store is `sent: 'maybe'`, and the old key is left to expire. The save and the
   * removal are two one-key operations sent at once (one round trip, and never two keys in one
   * command, which a Redis Cluster refuses when their slots differ).
   */
  async move(from: string, to: string, record: CodeRecord): Promise<void> {
    const what = `the vendor accepted verification ${to}, but its code could not be stored and cannot be checked`;
    await Promise.all([this.#stored('start', () => this.store.save(to, record), 'maybe', what), this.discard(from)]);
  }

  /** The outcome of checking `code` against the record under `key` (one atomic store attempt). */
  outcome(key: string, code: string): Promise<CheckOutcome> {
    const hash = this.#hasher.hash(code);
    let attempt: Promise<AttemptResult>;
    try {
      attempt = this.store.attempt(key, hash, this.now());
    } catch (error) {
      attempt = Promise.reject(error);
    }
    // One step from the store's answer to the outcome (a failing store is a StoreUnavailableError).
    return attempt.then(({ outcome, record }): CheckOutcome => {
      switch (outcome) {
        case 'verified':
          return VERIFIED;
        case 'incorrect':
          return { verified: false, reason: 'incorrect_code', attemptsRemaining: Math.max(0, record!.maxAttempts - record!.failedAttempts) };
        default: // max_attempts, expired, canceled, already_verified, not_found: the same names
          return { verified: false, reason: outcome };
      }
    }, this.#failure('check'));
  }

  /** `outcome` as a `CheckResult`. */
  async check(key: string, code: string): Promise<CheckResult> {
    return checkResult(await this.outcome(key, code));
  }

  /** Marks the code canceled; later checks say `canceled`. The record, or `undefined` when there is none. */
  cancel(key: string): Promise<CodeRecord | undefined> {
    return this.#stored('cancel', () => this.store.cancel(key, this.now()));
  }

  /** The record under `key`, if any (for mapping a vendor's answer: attempts, state, expiry). */
  record(key: string, operation: Operation = 'get'): Promise<CodeRecord | undefined> {
    return this.#stored(operation, () => this.store.get(key));
  }

  /** Removes a record; a failing store is ignored (the record expires with its code). */
  discard(key: string): Promise<void> {
    // A store written by hand may throw rather than reject: ignored all the same.
    return Promise.resolve()
      .then(() => this.store.delete(key))
      .catch(() => undefined);
  }

  #stored<T>(operation: Operation, run: () => Promise<T>, sent: SentState = 'no', what = 'the code store failed'): Promise<T> {
    const fail = this.#failure(operation, sent, what);
    try {
      return run().then(undefined, fail);
    } catch (error) {
      return Promise.resolve().then(() => fail(error));
    }
  }

  /** What a failing store becomes: a `StoreUnavailableError` naming the provider and the operation. */
  #failure(operation: Operation, sent: SentState = 'no', what = 'the code store failed'): (error: unknown) => never {
    return (error: unknown): never => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`${this.#provider} ${operation}: ${what} (${reason})`, {
        provider: this.#provider,
        operation,
        sent,
        retryable: sent === 'no',
        cause: isVerifyError(error) ? error : sanitizeCause(error, NO_SECRETS),
      });
    };
  }
}

/** A code whose provisional record is being saved: made by {@link OwnedCodes.prepare}, sent by {@link OwnedCodes.deliver}. */
export class PendingCode {
  /** The code to send. */
  readonly code: string;
  /** The provisional key its record is saved under. */
  readonly key: string;
  readonly #saved: Promise<CodeRecord>;
  readonly #discard: () => Promise<void>;
  #taken = false;

  constructor(code: string, key: string, saved: Promise<CodeRecord>, discard: () => Promise<void>) {
    this.code = code;
    this.key = key;
    this.#saved = saved;
    this.#discard = discard;
    // Awaited by take() or release(); a failing save is not an unhandled rejection meanwhile.
    saved.catch(() => undefined);
  }

  /** The saved record, for the one delivery of this code (a failing save is its `StoreUnavailableError`). */
  take(): Promise<CodeRecord> {
    this.#taken = true;
    return this.#saved;
  }

  /** Drops the record of a code that was never delivered, once its save has settled; nothing once delivered. */
  async release(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    await this.#saved.then(this.#discard, () => undefined);
  }

  /** Never the code. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'PendingCode { code: [redacted] }';
  }

  /** Never the code. */
  toJSON(): string {
    return '[PendingCode]';
  }
}

/** The verification status a code record implies at `now`. */
export function statusOfRecord(record: CodeRecord, now: number): VerificationStatus {
  if (record.state === 'verified') return 'verified';
  if (record.state === 'canceled') return 'canceled';
  if (record.failedAttempts >= record.maxAttempts) return 'failed';
  if (now >= record.expiresAt) return 'expired';
  return 'pending';
}
