/**
 * A Redis store from a URL (what `POLYVERIFY_REDIS_URL` and the CLI's `--redis` give): a
 * client of its own, made with whichever of `redis` (node-redis 5) or `ioredis` 5 is
 * installed, set to fail fast while the server is away (no offline queue) and to reconnect.
 * A Redis Cluster is found by itself: one node's URL is enough (polyverify asks that node
 * whether cluster mode is on, and connects to the whole cluster); several comma-separated URLs
 * give more seed nodes, for when the first is down.
 */
import { StoreUnavailableError } from '../src/errors.js';
import { ValidationError } from '../src/errors.js';
import { withinDeadline, type RedisClient } from './client.js';
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
 * Connects to `url` (`redis://…` or `rediss://…`) and returns a store on that connection. For a
 * Redis Cluster give any node's URL, or several separated by commas
 * (`redis://10.0.0.1:6379,redis://10.0.0.2:6379`): a node in cluster mode is connected to as a
 * cluster (node-redis `createCluster`, ioredis `Cluster`) whichever form is given.
 *
 * @throws ValidationError when a URL is malformed, the URLs disagree on their scheme, user or
 * password, or neither `redis` nor `ioredis` is installed.
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
  const seeds = seedsOf(url);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const { client, close } = await connectClient(seeds, timeoutMs);
  const store = new RedisCodeStore({ ...options, client }) as OwnedRedisCodeStore;
  Object.defineProperty(store, 'close', { value: close });
  return store;
}

/** The URLs of `text` (one, or several comma-separated), checked; a bad one is a `ValidationError` naming the variable. */
function seedsOf(text: string): URL[] {
  const invalid = (message: string): never => {
    throw new ValidationError([{ field: 'POLYVERIFY_REDIS_URL', message }], CONTEXT, 'Invalid Redis URL');
  };
  const seeds = text.split(',').map((part) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(part.trim());
    } catch {
      // reported below, without the text (it may hold a password)
    }
    if (!parsed) return invalid(text.includes(',') ? 'is not a comma-separated list of URLs' : 'is not a URL');
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') invalid('must start with redis:// or rediss://');
    return parsed;
  });
  // The nodes of one cluster share a scheme and credentials: one set of client options serves them all.
  const [first] = seeds as [URL];
  if (seeds.some((seed) => seed.protocol !== first.protocol || seed.username !== first.username || seed.password !== first.password)) {
    invalid('lists nodes of one cluster: every URL must have the same scheme, user and password');
  }
  return seeds;
}

/** Where the URL's password would show, it does not; several URLs show as the first and a count. */
function shown(seeds: readonly URL[]): string {
  const [first] = seeds as [URL];
  return `${first.protocol}//${first.host}${seeds.length > 1 ? ` and ${seeds.length - 1} more` : ''}`;
}

/** `INFO cluster` says whether a node runs in cluster mode. */
const inClusterMode = (info: unknown) => typeof info === 'string' && /\bcluster_enabled:1\b/.test(info);

type Connected = { client: RedisClient; close: () => Promise<void> };

async function connectClient(seeds: readonly URL[], timeoutMs: number): Promise<Connected> {
  const backoff = (attempt: number) => Math.min(50 * 2 ** attempt, 1_000);
  const unavailable = (why: string) => new StoreUnavailableError(`redis: cannot connect to ${shown(seeds)} (${why})`, { provider: 'redis', operation: 'config', retryable: true });
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const nodeRedis = await import('redis').catch(() => undefined);
  if (nodeRedis) {
    const [first] = seeds as [URL];
    const socket = { connectTimeout: timeoutMs, reconnectStrategy: backoff };
    // The first failure ends the attempt (the client would otherwise retry for good), as does the deadline.
    const opened = async <C extends { connect(): Promise<unknown>; destroy(): void; on(event: 'error', listener: (error: unknown) => void): unknown; once(event: 'error', listener: (error: unknown) => void): unknown; off(event: 'error', listener: (error: unknown) => void): unknown }>(client: C): Promise<C> => {
      client.on('error', () => undefined); // failures reach the calls; an unheard 'error' event would end the process
      try {
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
        throw unavailable(reason(error));
      }
      return client;
    };
    const cluster = async (): Promise<Connected> => {
      const client = await opened(
        nodeRedis.createCluster({
          rootNodes: seeds.map((seed) => ({ url: seed.href })),
          // Nodes found by discovery get these; the credentials and TLS of the seeds are theirs too.
          defaults: {
            disableOfflineQueue: true,
            ...(first.username && { username: decodeURIComponent(first.username) }),
            ...(first.password && { password: decodeURIComponent(first.password) }),
            socket: { ...socket, ...(first.protocol === 'rediss:' && { tls: true as const }) },
          },
        }),
      );
      return { client: client as unknown as RedisClient, close: async () => void (await client.close()) };
    };
    if (seeds.length > 1) return cluster();
    const client = await opened(nodeRedis.createClient({ url: first.href, disableOfflineQueue: true, socket }));
    const info = await withinDeadline(() => client.sendCommand(['INFO', 'cluster']), timeoutMs).catch((error: unknown) => {
      client.destroy();
      throw unavailable(reason(error));
    });
    if (!inClusterMode(info)) return { client: client as unknown as RedisClient, close: async () => void (await client.close()) };
    client.destroy();
    return cluster();
  }
  const ioredis = await import('ioredis').catch(() => undefined);
  if (ioredis) {
    const [first] = seeds as [URL];
    const nodeOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: timeoutMs,
      ...(first.username && { username: decodeURIComponent(first.username) }),
      ...(first.password && { password: decodeURIComponent(first.password) }),
      ...(first.protocol === 'rediss:' && { tls: {} }),
    };
    const cluster = async (): Promise<Connected> => {
      const client = new ioredis.Cluster(
        seeds.map((seed) => ({ host: seed.hostname, port: Number(seed.port || 6379) })),
        { enableOfflineQueue: false, lazyConnect: true, clusterRetryStrategy: backoff, redisOptions: nodeOptions },
      );
      client.on('error', () => undefined);
      try {
        await withinDeadline(() => client.connect(), timeoutMs);
      } catch (error) {
        client.disconnect();
        throw unavailable(reason(error));
      }
      return { client, close: async () => void (await client.quit()) };
    };
    if (seeds.length > 1) return cluster();
    const client = new ioredis.Redis(first.href, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: timeoutMs, retryStrategy: backoff });
    client.on('error', () => undefined);
    let info: unknown;
    try {
      // One deadline for both: a server that takes the connection and never answers would hold connect() (its ready check) for good.
      info = await withinDeadline(async () => {
        await client.connect();
        return client.call('INFO', 'cluster');
      }, timeoutMs);
    } catch (error) {
      client.disconnect();
      throw unavailable(reason(error));
    }
    if (!inClusterMode(info)) return { client, close: async () => void (await client.quit()) };
    client.disconnect();
    return cluster();
  }
  throw new ValidationError([{ field: 'POLYVERIFY_REDIS_URL', message: "needs the 'redis' (node-redis 5) or 'ioredis' 5 package: npm install redis" }], CONTEXT, 'No Redis client');
}
