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

/**
 * A node-redis 5 cluster client (`createCluster()`, connected): its raw command call takes the
 * command's first key, which picks the node. Its masters tell it from a single client.
 */
export interface NodeRedisCluster {
  /** node-redis's raw cluster command call. */
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  /** The cluster's masters. */
  readonly masters: readonly unknown[];
}

/** An ioredis 5 client (`new Redis()` or `new Cluster()`): the method polyverify calls. */
export interface IoRedisClient {
  /** ioredis's raw command call (a `Cluster` routes it by the command's keys). */
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * A connected client of either library, single-node or cluster: node-redis 5 `createClient()`
 * or `createCluster()`, ioredis 5 `new Redis()` or `new Cluster()` (with its default
 * `scaleReads: 'master'`).
 */
export type RedisClient = NodeRedisClient | NodeRedisCluster | IoRedisClient;

/** The internals of a node-redis cluster that refresh its map of slots (no public call does). */
interface NodeRedisSlots {
  readonly _slots?: { rediscover?: (startWith: unknown) => Promise<void>; getClient?: (key: string | undefined, readonly: boolean) => unknown };
}

/** Whether `client` is a node-redis cluster client. @internal */
export function isNodeRedisCluster(client: RedisClient): client is NodeRedisCluster {
  return typeof (client as IoRedisClient).call !== 'function' && Array.isArray((client as NodeRedisCluster).masters);
}

/**
 * Refuses a client that cannot work, before any use: neither library's client, or an ioredis
 * `Cluster` that reads from replicas (a try count or a webhook id read there can be behind
 * its master, so a limit would not hold).
 */
function checkClient(client: RedisClient): void {
  const io = client as IoRedisClient & { isCluster?: boolean; options?: { scaleReads?: unknown } };
  if (typeof io.call === 'function') {
    if (io.isCluster === true && io.options?.scaleReads !== undefined && io.options.scaleReads !== 'master') {
      throw new TypeError("client: an ioredis Cluster with scaleReads other than 'master' reads counts from replicas that may be behind; use scaleReads: 'master' (the default)");
    }
    return;
  }
  if (typeof (client as NodeRedisClient | undefined)?.sendCommand !== 'function') {
    throw new TypeError('client must be a node-redis 5 client (createClient or createCluster) or an ioredis 5 client (new Redis or new Cluster)');
  }
}

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

/**
 * Runs raw commands on a client with a deadline each. Every command names its first key, so a
 * cluster client sends it to the node of that key's slot; no command here spans two slots.
 */
export class Commands {
  readonly #send: (args: string[], firstKey: string | undefined) => Promise<unknown>;
  readonly #timeoutMs: number;
  readonly #failed: ((firstKey: string | undefined) => void) | undefined;

  constructor(client: RedisClient, timeoutMs: number) {
    checkClient(client);
    if (typeof (client as IoRedisClient).call === 'function') {
      const io = client as IoRedisClient;
      this.#send = ([command, ...args]) => io.call(command!, ...args);
    } else if (isNodeRedisCluster(client)) {
      this.#send = (args, firstKey) => client.sendCommand(firstKey, false, args);
      this.#failed = rediscoverer(client);
    } else {
      const node = client as NodeRedisClient;
      this.#send = (args) => node.sendCommand(args);
    }
    this.#timeoutMs = timeoutMs;
  }

  /** One command whose first key is its first argument (`GET k`, `SET k v`, `DEL k …`), within the deadline. */
  run(args: string[]): Promise<unknown> {
    return this.#deadline(() => this.#send(args, args[1]), args[1]);
  }

  /** A script by `EVALSHA`, or by `EVAL` when Redis does not have it cached; one deadline for both. */
  eval(code: Script, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    const firstKey = keys[0];
    // Promise chains rather than async functions: fewer ticks between the reply and the caller.
    return this.#deadline(
      () =>
        this.#send(['EVALSHA', code.sha, ...tail], firstKey).catch((error: unknown) =>
          error instanceof Error && error.message.startsWith('NOSCRIPT') ? this.#send(['EVAL', code.source, ...tail], firstKey) : Promise.reject(error),
        ),
      firstKey,
    );
  }

  #deadline(run: () => Promise<unknown>, firstKey: string | undefined): Promise<unknown> {
    const call = withinDeadline(run, this.#timeoutMs);
    if (this.#failed) call.catch(() => this.#failed!(firstKey));
    return call;
  }
}

/**
 * What a node-redis cluster needs after a master fails: node-redis refreshes its map of slots
 * only on a MOVED or ASK reply, which a dead master never sends, so its commands would fail for
 * good ("The client is offline"). After any failure, at most once a second, the map is read again
 * from a node that answers (the one that failed first, then the cluster's root nodes), through
 * the cluster's own `rediscover` — the call node-redis makes on MOVED.
 */
function rediscoverer(client: NodeRedisCluster): ((firstKey: string | undefined) => void) | undefined {
  const slots = (client as unknown as NodeRedisSlots)._slots;
  if (typeof slots?.rediscover !== 'function' || typeof slots.getClient !== 'function') return undefined;
  let last = 0;
  return (firstKey) => {
    const now = Date.now();
    if (now - last < 1_000) return;
    last = now;
    Promise.resolve()
      .then(() => slots.getClient!(firstKey, false))
      .then((node) => slots.rediscover!(node))
      .catch(() => undefined); // the next failure tries again
  };
}

/** Runs `run`, failing with a {@link RedisStoreError} after `ms`, and with one for any failure of the client. */
export function withinDeadline<T>(run: () => Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisStoreError(`Redis did not answer within ${ms} ms`, 'ETIMEDOUT')), ms);
    let call: Promise<T>;
    try {
      call = run();
    } catch (error) {
      call = Promise.reject(error); // a client that throws rather than rejects fails the same way
    }
    call.then(
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
