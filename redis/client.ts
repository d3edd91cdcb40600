/**
 * The part of a Redis client polyverify uses, for node-redis 5 and ioredis 5 alike: one raw
 * command at a time, a deadline on each (a client's offline queue would otherwise hold a
 * command for as long as the server is away), and scripts sent as `EVALSHA`, falling back to
 * `EVAL` (which loads them) when the server does not know them yet — after a restart too.
 */
// SHA-1 only names a script for EVALSHA (Redis's own choice); pure JS, so this entry loads on any runtime.
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesOf, toHex } from '../src/bytes.js';

/** A node-redis 5 client (`createClient()`, connected): the method polyverify calls. */
export interface NodeRedisClient {
  /** node-redis's raw command call. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis 5 client (`new Redis()`): the method polyverify calls. */
export interface IoRedisClient {
  /** ioredis's raw command call. */
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** A connected client of either library. Cluster clients are not supported. */
export type RedisClient = NodeRedisClient | IoRedisClient;

/** A Redis failure: no answer in time, no connection, or an error reply. Messages carry no values. */
export class RedisStoreError extends Error {
  /** `'RedisStoreError'`. */
  override readonly name = 'RedisStoreError';
  /** `ETIMEDOUT` when Redis did not answer in time; the client's error code otherwise, when it has one. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/** A Lua script with its SHA-1, computed here so that no `SCRIPT LOAD` round trip is needed. @internal */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

export function script(source: string): Script {
  return { source, sha: toHex(sha1(bytesOf(source))) };
}

/** Runs raw commands on a client with a deadline each. */
export class Commands {
  readonly #send: (args: string[]) => Promise<unknown>;
  readonly #timeoutMs: number;

  constructor(client: RedisClient, timeoutMs: number) {
    if (typeof (client as IoRedisClient).call === 'function') {
      const io = client as IoRedisClient;
      this.#send = ([command, ...args]) => io.call(command!, ...args);
    } else if (typeof (client as NodeRedisClient).sendCommand === 'function') {
      const node = client as NodeRedisClient;
      this.#send = (args) => node.sendCommand(args);
    } else {
      throw new TypeError('client must be a node-redis 5 client (createClient) or an ioredis 5 client (new Redis)');
    }
    this.#timeoutMs = timeoutMs;
  }

  /** One command, within the deadline. */
  run(args: string[]): Promise<unknown> {
    return this.#deadline(() => this.#send(args));
  }

  /** A script by `EVALSHA`, or by `EVAL` when Redis does not have it cached; one deadline for both. */
  eval(code: Script, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    // Promise chains rather than async functions: fewer ticks between the reply and the caller.
    return this.#deadline(() =>
      this.#send(['EVALSHA', code.sha, ...tail]).catch((error: unknown) =>
        error instanceof Error && error.message.startsWith('NOSCRIPT') ? this.#send(['EVAL', code.source, ...tail]) : Promise.reject(error),
      ),
    );
  }

  #deadline(run: () => Promise<unknown>): Promise<unknown> {
    return withinDeadline(run, this.#timeoutMs);
  }
}

/** Runs `run`, failing with a {@link RedisStoreError} after `ms`, and with one for any failure of the client. */
export function withinDeadline<T>(run: () => Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisStoreError(`Redis did not answer within ${ms} ms`, 'ETIMEDOUT')), ms);
    run().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(toStoreError(error));
      },
    );
  });
}

/** A client's error as a {@link RedisStoreError}: its first line and code only (a reply can quote a script). */
function toStoreError(error: unknown): RedisStoreError {
  if (error instanceof RedisStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? ((error as { code: string }).code) : undefined;
  return new RedisStoreError(`Redis failed: ${message.split('\n')[0]!.slice(0, 200)}`, code);
}
