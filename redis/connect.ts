/**
 * A Redis store from a URL (what `POLYVERIFY_REDIS_URL` and the CLI's `--redis` give): a
 * client of its own, made with whichever of `redis` (node-redis 5) or `ioredis` 5 is
 * installed, set to fail fast while the server is away (no offline queue) and to reconnect.
 */
import { StoreUnavailableError } from '../src/errors.js';
import { ValidationError } from '../src/errors.js';
import type { RedisClient } from './client.js';
import { RedisCodeStore, type RedisCodeStoreOptions } from './code-store.js';
import type { LimitStore } from '../src/guard/limits.js';

/** A store that owns its client: `close()` ends the connection; `limits` are `guard()`'s counters on the same connection. */
export interface OwnedRedisCodeStore extends RedisCodeStore {
  /** `guard()`'s counters on the same connection (give them as `limits`). */
  readonly limits: LimitStore;
  /** Ends the connection (pending commands finish first). */
  close(): Promise<void>;
}

const CONTEXT = { provider: 'redis', operation: 'config' } as const;

/**
 * Connects to `url` (`redis://…` or `rediss://…`) and returns a store on that connection.
 *
 * @throws ValidationError when the URL is malformed or neither `redis` nor `ioredis` is installed.
 * @throws StoreUnavailableError when the server does not answer within `timeoutMs`.
 *
 * @example
 * ```ts
 * const store = await connectRedisStore(process.env.POLYVERIFY_REDIS_URL!);
 * const verify = await createProvider(config, { store });
 * // on shutdown: await store.close();
 * ```
 */
export async function connectRedisStore(url: string, options: Omit<RedisCodeStoreOptions, 'client'> = {}): Promise<OwnedRedisCodeStore> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError([{ field: 'POLYVERIFY_REDIS_URL', message: 'is not a URL' }], CONTEXT, 'Invalid Redis URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ValidationError([{ field: 'POLYVERIFY_REDIS_URL', message: 'must start with redis:// or rediss://' }], CONTEXT, 'Invalid Redis URL');
  }
  const timeoutMs = options.timeoutMs ?? 2_000;
  const { client, close } = await connectClient(url, timeoutMs);
  const store = new RedisCodeStore({ ...options, client }) as OwnedRedisCodeStore;
  Object.defineProperty(store, 'close', { value: close });
  return store;
}

/** Where the URL's password would show, it does not. */
function shown(url: string): string {
  const copy = new URL(url);
  if (copy.password) copy.password = '***';
  return `${copy.protocol}//${copy.host}`;
}

async function connectClient(url: string, timeoutMs: number): Promise<{ client: RedisClient; close: () => Promise<void> }> {
  const backoff = (attempt: number) => Math.min(50 * 2 ** attempt, 1_000);
  const unavailable = (why: string) => new StoreUnavailableError(`redis: cannot connect to ${shown(url)} (${why})`, { provider: 'redis', operation: 'config', retryable: true });
  const nodeRedis = await import('redis').catch(() => undefined);
  if (nodeRedis) {
    const client = nodeRedis.createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: timeoutMs, reconnectStrategy: backoff } });
    client.on('error', () => undefined); // failures reach the calls; an unheard 'error' event would end the process
    try {
      // The first failure ends the attempt (the client would otherwise retry for good), as does the deadline.
      await new Promise<void>((resolve, reject) => {
        const fail = (error: unknown) => {
          clearTimeout(timer);
          client.off('error', fail);
          reject(error);
        };
        const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        client.once('error', fail);
        client.connect().then(() => {
          clearTimeout(timer);
          client.off('error', fail);
          resolve();
        }, fail);
      });
    } catch (error) {
      client.destroy();
      throw unavailable(error instanceof Error ? error.message : String(error));
    }
    return { client: client as unknown as RedisClient, close: async () => void (await client.close()) };
  }
  const ioredis = await import('ioredis').catch(() => undefined);
  if (ioredis) {
    const client = new ioredis.Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: timeoutMs, retryStrategy: backoff });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw unavailable(error instanceof Error ? error.message : String(error));
    }
    return { client, close: async () => void (await client.quit()) };
  }
  throw new ValidationError([{ field: 'POLYVERIFY_REDIS_URL', message: "needs the 'redis' (node-redis 5) or 'ioredis' 5 package: npm install redis" }], CONTEXT, 'No Redis client');
}
