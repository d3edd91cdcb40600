/**
 * Codes and try counts in Redis, shared by every instance of a backend: a `CodeStore` for
 * library-owned codes (LOX24) and a `TriesStore` for vendor-owned codes whose vendor does not
 * count tries (Notificore).
 */
import type { AttemptOutcome, AttemptResult, CodeRecord, CodeStore } from '../src/codes/store.js';
import type { TriesStore } from '../src/codes/tries.js';
import type { LimitStore } from '../src/guard/limits.js';
import { Commands, type RedisClient } from './client.js';
import { redisLimits } from './limits.js';
import { ATTEMPT, CANCEL, FAIL_TRY, GET, SAVE, START_TRIES } from './scripts.js';
import type { OutcomeStore } from '../src/outcomes/store.js';
import { redisOutcomes } from './outcomes.js';
import type { SeenStore } from '../src/webhooks/seen.js';
import { redisSeen } from './seen.js';

/** Options of {@link RedisCodeStore}. */
export interface RedisCodeStoreOptions {
  /** A connected node-redis 5 or ioredis 5 client; the store never closes it. */
  readonly client: RedisClient;
  /** Prepended to every key (`'pv:'` by default); give each application its own. */
  readonly prefix?: string;
  /**
   * How long one Redis command may take before the call fails with a
   * `StoreUnavailableError` (2 000 ms). A client's offline queue would otherwise hold a
   * command for as long as the server is away.
   */
  readonly timeoutMs?: number;
  /** How long a code's state is kept past its expiry, so a late check says `expired` (1 h). The digest itself goes at expiry. */
  readonly retainMs?: number;
}

const STATE = { pending: 'p', verified: 'v', canceled: 'c' } as const;
const STATE_OF = { p: 'pending', v: 'verified', c: 'canceled' } as const;

/**
 * A `CodeStore` and `TriesStore` on Redis. Every attempt is one atomic Lua script (sent by
 * `EVALSHA`, falling back to `EVAL`), so however many instances check one verification at
 * once, at most `maxAttempts` codes are evaluated and a right code is accepted once. Only HMAC
 * digests are stored, and they expire with their code (`PX`).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisCodeStore } from 'polyverify/redis';
 * import { lox24 } from 'polyverify/lox24';
 * const client = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect();
 * const verify = lox24({ token, secret, codeStore: new RedisCodeStore({ client, prefix: 'pv:' }) });
 * ```
 */
export class RedisCodeStore implements CodeStore, TriesStore {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #retainMs: number;
  readonly #now: () => number;
  /**
   * `guard()`'s counters on the same client, under this store's prefix (`<prefix>limit:`):
   * `createProvider(config, { store })` uses them for a config's `guard`, so one store shares
   * everything the instances of a backend must share — codes, try counts and limits.
   */
  readonly limits: LimitStore;
  /** `adaptive()`'s outcomes on the same client, under this store's prefix (`<prefix>{out}:`), shared by every instance. */
  readonly outcomes: OutcomeStore;
  /** Webhook event ids on the same client, under this store's prefix (`<prefix>webhook:`): give them as a webhook handler's `seen`. */
  readonly seen: SeenStore;

  constructor(options: RedisCodeStoreOptions, now: () => number = Date.now) {
    this.#commands = new Commands(options.client, options.timeoutMs ?? 2_000);
    this.#prefix = options.prefix ?? 'pv:';
    this.limits = redisLimits(options.client, { timeoutMs: options.timeoutMs ?? 2_000, prefix: `${this.#prefix}limit:` });
    this.outcomes = redisOutcomes(options.client, { prefix: this.#prefix, timeoutMs: Math.min(500, options.timeoutMs ?? 500) });
    this.seen = redisSeen(options.client, { prefix: `${this.#prefix}webhook:`, timeoutMs: options.timeoutMs ?? 2_000 });
    this.#retainMs = options.retainMs ?? 3_600_000;
    this.#now = now;
  }

  /**
   * The Redis keys of one record: its state and counts, and its digest. Both carry the hash tag
   * `{key}`, so they share a slot and every script touches one slot (a Redis Cluster runs it on
   * one node); no operation spans two records.
   */
  keysOf(key: string): [meta: string, digest: string] {
    return [`${this.#prefix}{${key}}:m`, `${this.#prefix}{${key}}:h`];
  }

  async save(key: string, record: CodeRecord): Promise<void> {
    const now = this.#now();
    await this.#commands.eval(SAVE, this.keysOf(key), [
      record.hash,
      String(record.createdAt),
      String(record.expiresAt),
      String(record.maxAttempts),
      String(record.failedAttempts),
      STATE[record.state],
      record.finishedAt === undefined ? '' : String(record.finishedAt),
      String(record.expiresAt - now),
      String(Math.max(1, record.expiresAt + this.#retainMs - now)),
    ]);
  }

  /** The record at `key`, or undefined (none, or past retention). */
  async get(key: string): Promise<CodeRecord | undefined> {
    return recordOf(await this.#commands.eval(GET, this.keysOf(key), []));
  }

  attempt(key: string, candidateHash: string, now: number): Promise<AttemptResult> {
    return this.#commands.eval(ATTEMPT, this.keysOf(key), [candidateHash, String(now)]).then((reply) => {
      const outcome = (reply as unknown[])[0] as AttemptOutcome;
      const record = recordOf(reply);
      return record ? { outcome, record } : { outcome };
    });
  }

  async cancel(key: string, now: number): Promise<CodeRecord | undefined> {
    return recordOf(await this.#commands.eval(CANCEL, this.keysOf(key), [String(now)]));
  }

  /** Removes the record at `key`. */
  async delete(key: string): Promise<void> {
    await this.#commands.run(['DEL', ...this.keysOf(key)]);
  }

  async startTries(key: string, max: number, ttlMs: number): Promise<void> {
    await this.#commands.eval(START_TRIES, [this.#triesKey(key)], [String(max), String(Math.max(1, Math.ceil(ttlMs)))]);
  }

  async failTry(key: string): Promise<number | undefined> {
    const left = Number(await this.#commands.eval(FAIL_TRY, [this.#triesKey(key)], []));
    return left < 0 ? undefined : left;
  }

  async triesFailed(keys: readonly string[]): Promise<(number | undefined)[]> {
    // One HGET per key (each may live in another slot); clients pipeline them.
    const replies = await Promise.all(keys.map((key) => this.#commands.run(['HGET', this.#triesKey(key), 'f'])));
    return replies.map((reply) => (reply === null || reply === undefined ? undefined : Number(reply)));
  }

  #triesKey(key: string): string {
    return `${this.#prefix}{${key}}:t`;
  }

  /** What `JSON.stringify` shows: the class name only, never a secret. */
  toJSON(): string {
    return `[RedisCodeStore ${this.#prefix}]`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisCodeStore { prefix: '${this.#prefix}' }`;
  }
}

/** A script's `{outcome, c, e, m, f, s, d, digest}` reply as a record; undefined for nil or `not_found`. */
function recordOf(reply: unknown): CodeRecord | undefined {
  if (!Array.isArray(reply) || reply.length < 8) return undefined;
  const [, c, e, m, f, s, d, hash] = reply.map((x) => (x === null || x === undefined ? '' : String(x)));
  return {
    hash: hash!,
    createdAt: Number(c),
    expiresAt: Number(e),
    maxAttempts: Number(m),
    failedAttempts: Number(f),
    state: STATE_OF[s as keyof typeof STATE_OF] ?? 'pending',
    ...(d !== '' && { finishedAt: Number(d) }),
  };
}
