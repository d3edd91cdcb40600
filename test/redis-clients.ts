/**
 * Redis clients as a user makes them, for the Redis test files: each library's defaults (offline
 * queue on), an error listener, reconnecting quickly; closed at once by `closeAll` whatever state
 * a killed server left them in. One set for a single node, one for a cluster.
 */
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import type { RedisClient } from '../redis/index.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** The secret, the simulator's LOX24 token and the phone number of the Redis tests. */
export const SECRET = 'redis-test-secret-0123456';
export const TOKEN = '1234567:simulator0000000000000000000000';
export const PHONE = '+491701234567';

/** The two client libraries. */
export type ClientKind = 'node-redis' | 'ioredis';
/** A connected client of each library. */
export type Clients = Record<ClientKind, () => Promise<RedisClient>>;

/** Clients made, closed together. */
export class ClientPool {
  readonly #open: (() => void)[] = [];
  track(close: () => void): void {
    this.#open.push(close);
  }
  closeAll(): void {
    for (const close of this.#open.splice(0)) {
      try {
        close();
      } catch {
        // a client a test already closed
      }
    }
  }
}

/** Clients of one redis-server at `url`. */
export function nodeClients(url: () => string, pool: ClientPool): Clients {
  return {
    'node-redis': async () => {
      const client = await createClient({ url: url(), socket: { reconnectStrategy: () => 50 } }).on('error', () => undefined).connect();
      pool.track(() => void client.destroy());
      return client as unknown as RedisClient;
    },
    ioredis: async () => {
      const client = new Redis(url(), { retryStrategy: () => 50 });
      client.on('error', () => undefined);
      await new Promise((resolve) => client.once('ready', resolve));
      pool.track(() => client.disconnect());
      return client;
    },
  };
}

/** Cluster clients: every node a seed. */
export function clusterClients(cluster: () => RedisCluster, pool: ClientPool): Clients {
  return {
    'node-redis': async () => {
      const client = createCluster({ rootNodes: cluster().nodes.map((n) => ({ url: n.url })), defaults: { socket: { reconnectStrategy: () => 100 } } });
      client.on('error', () => undefined);
      await client.connect();
      pool.track(() => void client.destroy());
      return client as unknown as RedisClient;
    },
    ioredis: async () => {
      const client = new Cluster(cluster().nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
      client.on('error', () => undefined);
      await new Promise((resolve) => client.once('ready', resolve));
      pool.track(() => client.disconnect());
      return client;
    },
  };
}

/** What a Redis test file works with: each library's clients and a new key prefix per test. */
export interface RedisFixture {
  readonly clients: Clients;
  readonly freshPrefix: () => string;
}

/** A redis-server for the calling file's tests: started before them (`started` gets it), stopped after, with its clients closed. */
export function useRedisServer(prefix: string, started: (server: RedisServer) => void): RedisFixture {
  const pool = new ClientPool();
  let server: RedisServer | undefined;
  beforeAll(async () => started((server = await startRedisServer())));
  afterAll(async () => {
    pool.closeAll();
    await server?.stop();
  });
  let count = 0;
  return { clients: nodeClients(() => server!.url, pool), freshPrefix: () => `${prefix}${++count}:` };
}

/** A local Redis Cluster (3 masters + 3 replicas) for the calling file's tests, as `useRedisServer`. */
export function useRedisCluster(prefix: string, started: (cluster: RedisCluster) => void): RedisFixture {
  const pool = new ClientPool();
  let cluster: RedisCluster | undefined;
  beforeAll(async () => started((cluster = await startRedisCluster())), 60_000);
  afterAll(async () => {
    pool.closeAll();
    await cluster?.stop();
  });
  let count = 0;
  return { clients: clusterClients(() => cluster!, pool), freshPrefix: () => `${prefix}${++count}:` };
}
