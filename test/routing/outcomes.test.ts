/**
 * The outcome stores, in memory and in a real Redis (node-redis and ioredis), held to one
 * contract: settling once, expiry, decay, the cap, retraction; the memory store's bounds;
 * destinations.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOutcomes } from '../../redis/outcomes.js';
import { destinationOf, outcomeKeys } from '../../src/outcomes/destination.js';
import { MemoryOutcomeStore } from '../../src/outcomes/memory-store.js';
import { counted, decayed, decayOptions, type DecayOptions, type OutcomeStore } from '../../src/outcomes/store.js';
import { startRedisServer, type RedisServer } from '../redis-server.js';

const DAY = 86_400_000;
const pending = (expiresAt: number, cost?: number) => ({ keys: ['m|c:DE', 'm|*'], expiresAt, ...(cost !== undefined && { cost }) });

let redis: RedisServer;
const clients: { close(): void }[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => {
  for (const client of clients) client.close();
  redis.kill();
});

let stores = 0;
const makers: [string, (options?: DecayOptions) => Promise<OutcomeStore>][] = [
  ['in memory', async (options) => new MemoryOutcomeStore(options)],
  [
    'in Redis (node-redis)',
    async (options) => {
      const client = createClient({ url: redis.url });
      client.on('error', () => undefined);
      await client.connect();
      clients.push({ close: () => void client.destroy() });
      return redisOutcomes(client, { ...options, prefix: `contract-${++stores}:` });
    },
  ],
  [
    'in Redis (ioredis)',
    async (options) => {
      const client = new Redis(redis.url, { lazyConnect: true });
      await client.connect();
      clients.push({ close: () => void client.disconnect() });
      return redisOutcomes(client, { ...options, prefix: `contract-${++stores}:` });
    },
  ],
];

describe.each(makers)('the outcome store %s', (_label, make) => {
  it('settles a start once, under each of its keys, with its cost', async () => {
    const store = await make();
    await store.pend('a', pending(1000, 0.05));
    expect(await store.settle('a', true, 10)).toEqual({ keys: ['m|c:DE', 'm|*'], expiresAt: 1000, cost: 0.05, converted: true, at: 10 });
    expect(await store.settle('a', false, 20)).toBeUndefined();
    expect(await store.settle('never', true, 20)).toBeUndefined();
    const [de, all, other] = await store.tallies(['m|c:DE', 'm|*', 'x|*'], 10);
    expect(de).toEqual({ converted: 1, notConverted: 0, cost: 0.05, costed: 1 });
    expect(all).toEqual(de);
    expect(other).toEqual({ converted: 0, notConverted: 0, cost: 0, costed: 0 });
  });

  it('counts starts past their expiry as not converted, oldest first, at most `limit`', async () => {
    const store = await make();
    for (const [id, at] of [['a', 100], ['b', 200], ['c', 300]] as const) await store.pend(id, pending(at));
    expect(await store.expire(150, 10)).toBe(1);
    expect(await store.expire(1000, 1)).toBe(1);
    expect(await store.expire(1000, 10)).toBe(1);
    expect(await store.expire(1000, 10)).toBe(0);
    expect((await store.tallies(['m|*'], 1000))[0]!.notConverted).toBeCloseTo(3, 4);
    expect(await store.settle('a', true, 1000)).toBeUndefined();
  });

  it('decays with the window, and takes a fraud outcome back out at its weight now', async () => {
    const store = await make({ windowMs: DAY });
    await store.pend('a', pending(DAY * 10));
    await store.pend('b', pending(DAY * 10));
    await store.settle('a', true, 0);
    await store.settle('b', false, 0);
    const [later] = await store.tallies(['m|*'], DAY);
    expect(later!.converted).toBeCloseTo(Math.exp(-1), 10);
    expect(await store.retract('b', DAY)).toMatchObject({ converted: false });
    expect(await store.retract('b', DAY)).toBeUndefined();
    const [after] = await store.tallies(['m|*'], DAY);
    expect(after!.notConverted).toBeCloseTo(0, 10);
    expect(after!.converted).toBeCloseTo(Math.exp(-1), 10);
  });
  it('links an id to another (a resend that moved), the last link winning', async () => {
    const store = await make();
    expect(await store.linked('lost:1')).toBeUndefined();
    await store.link('lost:1', 'other:7');
    expect(await store.linked('lost:1')).toBe('other:7');
    await store.link('lost:1', 'third:2');
    expect(await store.linked('lost:1')).toBe('third:2');
  });

  it('counts a start at its very expiry; a settled start without a cost has none; a later retraction weighs what the outcome weighs by then', async () => {
    const store = await make({ windowMs: DAY });
    await store.pend('due', { keys: ['k'], expiresAt: 100 });
    expect(await store.expire(99, 10)).toBe(0);
    expect(await store.expire(100, 10)).toBe(1);
    await store.pend('plain', { keys: ['k'], expiresAt: 1000 });
    expect(await store.settle('plain', false, 100)).toEqual({ keys: ['k'], expiresAt: 1000, converted: false, at: 100 });
    // Two not converted at 100; one taken back a day later weighs e⁻¹ then: e⁻¹ of the two remains.
    await store.retract('plain', 100 + DAY);
    expect((await store.tallies(['k'], 100 + DAY))[0]!.notConverted).toBeCloseTo(Math.exp(-1), 9);
  });

  it('caps a key at maxOutcomes, scaling every count and cost alike; a start without a cost adds none', async () => {
    const store = await make({ maxOutcomes: 4 });
    await store.pend('paid', { keys: ['k'], expiresAt: 10, cost: 2 });
    await store.settle('paid', true, 0);
    for (let i = 0; i < 7; i++) {
      await store.pend(`n${i}`, { keys: ['k'], expiresAt: 10 });
      await store.settle(`n${i}`, false, 0);
    }
    const [t] = await store.tallies(['k'], 0);
    expect(t!.converted + t!.notConverted).toBeCloseTo(4, 10);
    // Each outcome past the fourth scales the others by 4/5: the converted one weighs 0.8⁴ after four.
    expect(t!.converted).toBeCloseTo(0.4096, 10);
    expect(t!.cost / t!.costed).toBeCloseTo(2, 10);
  });

  it('takes a costed outcome back out with its cost; settles an expired start once even when asked twice at once', async () => {
    const store = await make({ windowMs: DAY });
    await store.pend('a', { keys: ['k'], expiresAt: DAY, cost: 0.5 });
    await store.pend('b', { keys: ['k'], expiresAt: DAY, cost: 0.25 });
    await store.settle('a', true, 0);
    await store.settle('b', false, 0);
    expect(await store.retract('a', 0)).toEqual({ keys: ['k'], expiresAt: DAY, cost: 0.5, converted: true, at: 0 });
    const [t] = await store.tallies(['k'], 0);
    expect([t!.converted, t!.notConverted, t!.cost, t!.costed].map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0, 1, 0.25, 1]);
    await store.pend('c', { keys: ['k'], expiresAt: 5 });
    expect(await Promise.all([store.expire(10, 10), store.expire(10, 10)])).toEqual([1, 0]);
    expect(await store.settle('c', true, 10)).toBeUndefined();
  });
});

describe('the outcome store in Redis', () => {
  it('keeps every key under one hash tag, each for a bounded time: pending, settled and links a window, tallies four', async () => {
    const client = createClient({ url: redis.url });
    client.on('error', () => undefined);
    await client.connect();
    clients.push({ close: () => void client.destroy() });
    const store = redisOutcomes(client, { prefix: 'ttl:', windowMs: 1000_000 });
    await store.pend('a', { keys: ['m|*'], expiresAt: Date.now() + 60_000 });
    await store.pend('b', { keys: ['m|*'], expiresAt: Date.now() + 60_000 });
    await store.settle('b', true, Date.now());
    await store.link('c', 'd');
    const keys = (await client.keys('ttl:*')).sort();
    expect(keys).toEqual(['ttl:{out}:due', 'ttl:{out}:p:a', 'ttl:{out}:r:c', 'ttl:{out}:s:b', 'ttl:{out}:t:m|*']);
    await redisOutcomes(client).link('default', 'prefix');
    expect(await client.get('pv:{out}:r:default')).toBe('prefix');
    const ttl = async (key: string) => Math.round((await client.pTTL(key)) / 100_000);
    expect([await ttl('ttl:{out}:p:a'), await ttl('ttl:{out}:s:b'), await ttl('ttl:{out}:r:c'), await ttl('ttl:{out}:t:m|*')]).toEqual([10, 10, 10, 40]);
  });
});

describe('MemoryOutcomeStore', () => {
  it('keeps memory bounded: the oldest pending start counts as not converted, old keys, settled outcomes and links go', async () => {
    const store = new MemoryOutcomeStore({ maxPending: 2, maxKeys: 2, maxSettled: 1 });
    await store.pend('a', { keys: ['k1'], expiresAt: 50 });
    await store.pend('b', { keys: ['k2'], expiresAt: 60 });
    // Two pending is the bound, not past it: nothing counted yet.
    expect((await store.tallies(['k1'], 50))[0]!.notConverted).toBe(0);
    await store.link('x', 'y');
    await store.link('z', 'w');
    expect([await store.linked('x'), await store.linked('z')]).toEqual([undefined, 'w']);
    await store.pend('c', { keys: ['k3'], expiresAt: 70 });
    expect(await store.settle('a', true, 1)).toBeUndefined();
    expect((await store.tallies(['k1'], 50))[0]!.notConverted).toBe(1);
    await store.settle('b', true, 60);
    await store.settle('c', true, 70);
    expect((await store.tallies(['k1'], 70))[0]!.notConverted).toBe(0);
    expect(await store.retract('b', 70)).toBeUndefined();
    expect(await store.retract('c', 70)).toMatchObject({ converted: true });
  });
});

describe('counters', () => {
  const options = decayOptions({ windowMs: 1000, maxOutcomes: 4 });
  it('cap the outcomes a key holds, scaling every count alike', () => {
    let t = counted(undefined, { converted: true, cost: 2 }, 0, options);
    for (let i = 0; i < 7; i++) t = counted(t, { converted: false }, 0, options);
    expect(t.converted + t.notConverted).toBeCloseTo(4, 10);
    expect(t.converted / (t.converted + t.notConverted)).toBeLessThan(0.2);
    expect(t.cost / t.costed).toBeCloseTo(2, 10);
    expect(decayed(undefined, 5, 1000)).toEqual({ converted: 0, notConverted: 0, cost: 0, costed: 0 });
    expect(decayed({ ...t, at: 10 }, 5, 1000).converted).toBe(t.converted);
    expect(decayOptions()).toEqual({ windowMs: 7 * 86_400_000, maxOutcomes: 500 });
  });

  it('never go below zero when an outcome is taken out', () => {
    expect(counted(undefined, { converted: true, cost: 1 }, 0, options, -1)).toEqual({ converted: 0, notConverted: 0, cost: 0, costed: 0, at: 0 });
  });
});

describe('destinations', () => {
  it('a number’s country and its prefix without the last six digits; an address’s domain', () => {
    const country = (phone: string) => (phone.startsWith('+49') ? 'DE' : undefined);
    expect(destinationOf('+491701234567', country)).toEqual({ country: 'DE', prefix: '+491701' });
    expect(destinationOf('+1234567', country)).toEqual({ country: 'unknown', prefix: '+12' });
    expect(destinationOf({ email: 'Ann@Example.COM' }, country)).toEqual({ country: 'email', prefix: '@example.com' });
    expect(outcomeKeys('lox24', { country: 'DE', prefix: '+491701' })).toEqual(['lox24|*', 'lox24|c:DE', 'lox24|p:+491701']);
  });
});
