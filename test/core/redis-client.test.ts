/**
 * redis/client.ts's dispatch, in this process: which call each client shape gets (node-redis
 * single node, node-redis cluster with the command's first key, ioredis), scripts by EVALSHA then
 * EVAL on NOSCRIPT, the deadline, a client's failures as RedisStoreError (first line, code), the
 * clients refused at construction, and a node-redis cluster's map of slots re-read after a
 * failure at most once a second. The clients here record their calls; the real servers' suites
 * (test/core/redis.test.ts, test/core/redis-cluster.test.ts) prove the same against Redis.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Commands, RedisStoreError, isNodeRedisCluster, script, withinDeadline, type RedisClient } from '../../redis/client.js';
import { rejectionOf } from '../helpers.js';

const SCRIPT = script("return redis.call('GET', KEYS[1])");
const never = () => new Promise<never>(() => undefined);

function nodeRedis(answer: (args: string[]) => Promise<unknown> = async () => 'OK') {
  const calls: string[][] = [];
  return { calls, client: { sendCommand: (args: string[]) => (calls.push(args), answer(args)) } };
}
function nodeRedisCluster(answer: (args: string[]) => Promise<unknown> = async () => 'OK', slots?: object) {
  const calls: [string | undefined, boolean | undefined, string[]][] = [];
  const client = {
    masters: [{}, {}, {}],
    sendCommand: (firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]) => (calls.push([firstKey, isReadonly, args]), answer(args)),
    ...(slots && { _slots: slots }),
  };
  return { calls, client };
}
function ioredis(answer: (args: string[]) => Promise<unknown> = async () => 'OK', extra: object = {}) {
  const calls: string[][] = [];
  return { calls, client: { ...extra, call: (command: string, ...args: string[]) => (calls.push([command, ...args]), answer([command, ...args])) } };
}

afterEach(() => vi.restoreAllMocks());

describe('Commands', () => {
  it('sends each command to the call of its client: node-redis, a node-redis cluster (with the first key), ioredis', async () => {
    const single = nodeRedis();
    const cluster = nodeRedisCluster();
    const io = ioredis();
    for (const { client } of [single, cluster, io]) {
      const commands = new Commands(client as RedisClient, 1_000);
      expect(await commands.run(['SET', 'pv:{a}', 'v', 'PX', '60000'])).toBe('OK');
      expect(await commands.eval(SCRIPT, ['pv:{a}:state', 'pv:{a}:digest'], ['1', 'x'])).toBe('OK');
    }
    const evalsha = ['EVALSHA', SCRIPT.sha, '2', 'pv:{a}:state', 'pv:{a}:digest', '1', 'x'];
    expect(single.calls).toEqual([['SET', 'pv:{a}', 'v', 'PX', '60000'], evalsha]);
    expect(cluster.calls).toEqual([
      ['pv:{a}', false, ['SET', 'pv:{a}', 'v', 'PX', '60000']],
      ['pv:{a}:state', false, evalsha],
    ]);
    expect(io.calls).toEqual([['SET', 'pv:{a}', 'v', 'PX', '60000'], evalsha]);
  });

  it('a script Redis does not know (NOSCRIPT) is sent again as EVAL with its source, to the same node; other errors are not', async () => {
    const cluster = nodeRedisCluster(async (args) => {
      if (args[0] === 'EVALSHA') throw new Error('NOSCRIPT No matching script. Please use EVAL.');
      return 7;
    });
    expect(await new Commands(cluster.client as RedisClient, 1_000).eval(SCRIPT, ['k'], [])).toBe(7);
    expect(cluster.calls).toEqual([
      ['k', false, ['EVALSHA', SCRIPT.sha, '1', 'k']],
      ['k', false, ['EVAL', SCRIPT.source, '1', 'k']],
    ]);
    const failing = nodeRedis(async () => Promise.reject(Object.assign(new Error('ERR wrong number of args\nscript: return 1'), { code: 'ERR' })));
    const error = await rejectionOf(new Commands(failing.client, 1_000).eval(SCRIPT, ['k'], []));
    expect(error).toBeInstanceOf(RedisStoreError);
    expect(error).toMatchObject({ name: 'RedisStoreError', message: 'Redis failed: ERR wrong number of args', code: 'ERR' });
    expect(failing.calls).toHaveLength(1);
  });

  it('a command without an answer fails at its deadline with ETIMEDOUT; one that throws is a RedisStoreError too', async () => {
    const silent = new Commands(nodeRedis(never).client, 30);
    expect(await rejectionOf(silent.run(['GET', 'k']))).toMatchObject({ name: 'RedisStoreError', message: 'Redis did not answer within 30 ms', code: 'ETIMEDOUT' });
    const throwing = new Commands(
      {
        call: () => {
          throw new Error('Connection is closed.');
        },
      },
      1_000,
    );
    expect(await rejectionOf(throwing.run(['GET', 'k']))).toMatchObject({ name: 'RedisStoreError', message: 'Redis failed: Connection is closed.', code: undefined });
  });

  it('refuses, at construction, what is neither library\'s client and an ioredis Cluster that reads replicas', () => {
    expect(() => new Commands({} as RedisClient, 1_000)).toThrow(new TypeError('client must be a node-redis 5 client (createClient or createCluster) or an ioredis 5 client (new Redis or new Cluster)'));
    expect(() => new Commands(undefined as unknown as RedisClient, 1_000)).toThrow(TypeError);
    const replicas = ioredis(undefined, { isCluster: true, options: { scaleReads: 'slave' } });
    expect(() => new Commands(replicas.client as RedisClient, 1_000)).toThrow(
      new TypeError("client: an ioredis Cluster with scaleReads other than 'master' reads counts from replicas that may be behind; use scaleReads: 'master' (the default)"),
    );
    for (const extra of [{ isCluster: true, options: { scaleReads: 'master' } }, { isCluster: true, options: {} }, { isCluster: false, options: { scaleReads: 'slave' } }]) {
      expect(() => new Commands(ioredis(undefined, extra).client as RedisClient, 1_000)).not.toThrow();
    }
  });
});

describe("a node-redis cluster's map of slots", () => {
  function withSlots() {
    const rediscovered: unknown[] = [];
    const asked: [string | undefined, boolean][] = [];
    const slots = {
      getClient: (key: string | undefined, readonly: boolean) => (asked.push([key, readonly]), `node of ${key}`),
      rediscover: async (node: unknown) => void rediscovered.push(node),
    };
    return { slots, rediscovered, asked };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('is read again from the failed key\'s node after a failure, at most once a second; successes never read it', async () => {
    const { slots, rediscovered, asked } = withSlots();
    let fail = true;
    const cluster = nodeRedisCluster(async () => (fail ? Promise.reject(new Error('The client is offline')) : 'OK'), slots);
    const commands = new Commands(cluster.client as RedisClient, 1_000);
    let now = 10_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    await rejectionOf(commands.run(['GET', 'pv:{a}']));
    await settle();
    expect(asked).toEqual([['pv:{a}', false]]);
    expect(rediscovered).toEqual(['node of pv:{a}']);
    now += 999;
    await rejectionOf(commands.eval(SCRIPT, ['pv:{b}'], []));
    await settle();
    expect(rediscovered).toHaveLength(1);
    now += 1;
    await rejectionOf(commands.eval(SCRIPT, ['pv:{b}'], []));
    await settle();
    expect(rediscovered).toEqual(['node of pv:{a}', 'node of pv:{b}']);
    fail = false;
    now += 5_000;
    await commands.run(['GET', 'pv:{c}']);
    await settle();
    expect(rediscovered).toHaveLength(2);
  });

  it('a failing re-read is left for the next failure; a cluster without the internals is used as it is', async () => {
    const { slots, asked } = withSlots();
    slots.rediscover = async () => Promise.reject(new Error('no node answers'));
    const cluster = nodeRedisCluster(async () => Promise.reject(new Error('down')), slots);
    let now = 50_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const commands = new Commands(cluster.client as RedisClient, 1_000);
    await rejectionOf(commands.run(['GET', 'k']));
    await settle();
    now += 1_000;
    await rejectionOf(commands.run(['GET', 'k']));
    await settle();
    expect(asked).toHaveLength(2);
    // getClient throwing is swallowed too.
    const throwing = nodeRedisCluster(async () => Promise.reject(new Error('down')), { getClient: () => { throw new Error('no slot'); }, rediscover: async () => undefined });
    await rejectionOf(new Commands(throwing.client as RedisClient, 1_000).run(['GET', 'k']));
    await settle();
    for (const partial of [{}, { rediscover: async () => undefined }, { getClient: () => undefined }]) {
      const bare = nodeRedisCluster(async () => Promise.reject(new Error('down')), partial);
      expect(await rejectionOf(new Commands(bare.client as RedisClient, 1_000).run(['GET', 'k']))).toMatchObject({ message: 'Redis failed: down' });
    }
  });
});

describe('the helpers', () => {
  it('isNodeRedisCluster: a client with masters and no ioredis call', () => {
    expect(isNodeRedisCluster(nodeRedisCluster().client as RedisClient)).toBe(true);
    expect(isNodeRedisCluster(nodeRedis().client)).toBe(false);
    expect(isNodeRedisCluster({ ...ioredis().client, masters: [] } as RedisClient)).toBe(false);
    expect(isNodeRedisCluster({ sendCommand: async () => 'OK', masters: 'no' } as unknown as RedisClient)).toBe(false);
  });

  it("script: the source and its SHA-1 as Redis names it", () => {
    expect(SCRIPT).toEqual({ source: "return redis.call('GET', KEYS[1])", sha: createHash('sha1').update("return redis.call('GET', KEYS[1])").digest('hex') });
  });

  it('withinDeadline: a value passes, a failure is its first line (at most 200 characters) with a string code, anything thrown is a message', async () => {
    expect(await withinDeadline(async () => 42, 1_000)).toBe(42);
    const long = await rejectionOf(withinDeadline(() => Promise.reject(Object.assign(new Error(`${'x'.repeat(300)}\nsecond line`), { code: 42 })), 1_000));
    expect(long).toMatchObject({ message: `Redis failed: ${'x'.repeat(200)}`, code: undefined });
    expect(await rejectionOf(withinDeadline(() => Promise.reject('plain'), 1_000))).toMatchObject({ message: 'Redis failed: plain' });
    expect(await rejectionOf(withinDeadline(() => Promise.reject(null), 1_000))).toMatchObject({ message: 'Redis failed: null', code: undefined });
    const own = new RedisStoreError('mine', 'X');
    expect(await rejectionOf(withinDeadline(() => Promise.reject(own), 1_000))).toBe(own);
  });
});
