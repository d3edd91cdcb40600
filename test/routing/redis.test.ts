/**
 * adaptive() with its outcomes in a real Redis (RedisCodeStore.outcomes), on node-redis and
 * ioredis: two instances learn as one, a start is counted once however many instances see it,
 * and a Redis that dies degrades routing to the last pick, never to an error.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptive, type VerifyEvent } from '../../providers/index.js';
import { RedisCodeStore } from '../../redis/index.js';
import { openMarket } from '../../testing/market.js';
import { startRedisServer, type RedisServer } from '../redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.kill());

for (const library of ['node-redis', 'ioredis'] as const) {
  describe(library, () => {
    const connect = async () => {
      if (library === 'ioredis') {
        const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
        await client.connect();
        return { client, close: () => void client.disconnect() };
      }
      const client = createClient({ url: redis.url });
      client.on('error', () => undefined);
      await client.connect();
      return { client, close: () => void client.destroy() };
    };

    it('two instances learn as one: what one counts, the other decides from', async () => {
      const [a, b] = await Promise.all([connect(), connect()]);
      try {
        const prefix = `${library}-learn:`;
        const market = openMarket(undefined, { seed: 5 });
        const one = adaptive({ members: market.members, outcomes: new RedisCodeStore({ client: a.client, prefix }).outcomes, seed: 1, now: market.now });
        const two = adaptive({ members: market.members, outcomes: new RedisCodeStore({ client: b.client, prefix }).outcomes, seed: 1, now: market.now });
        // Instance one does all the learning; instance two only starts afterwards.
        await market.run(one, { starts: 3000, seed: 6 });
        const events: VerifyEvent[] = [];
        const watched = adaptive({ members: market.members, outcomes: new RedisCodeStore({ client: b.client, prefix }).outcomes, seed: 1, now: market.now, onEvent: (e) => events.push(e) });
        const run = await market.run(watched, { starts: 600, seed: 7 });
        const picks = events.filter((e) => e.type === 'decision' && (e.decision === 'explore' || e.decision === 'exploit'));
        // It starts where instance one left off: no exploration of its own.
        expect(picks.filter((e) => e.type === 'decision' && e.reason?.startsWith('fewer than'))).toEqual([]);
        let right = 0;
        for (const [country, shares] of Object.entries(run.shares)) right += shares[market.oracle(country, 0.05)] ?? 0;
        expect(right / run.started).toBeGreaterThan(0.85);
        // A start settled by one instance is not counted again by the other.
        const v = await one.start({ to: '+491701234567' });
        const store = new RedisCodeStore({ client: b.client, prefix }).outcomes;
        expect(await two.check(v.id, '000000')).toMatchObject({ verified: false });
        const before = await store.tallies([`${v.id.split(':')[0]}|p:+491701`], market.now());
        market.advance(301_000);
        await Promise.all([one.start({ to: '+33612345678' }), two.start({ to: '+33612345679' })]);
        const after = await store.tallies([`${v.id.split(':')[0]}|p:+491701`], market.now());
        expect(after[0]!.converted + after[0]!.notConverted - (before[0]!.converted + before[0]!.notConverted)).toBeCloseTo(1, 2);
      } finally {
        a.close();
        b.close();
      }
    }, 60_000);
  });
}

describe('a Redis that dies', () => {
  it('degrades to the last pick per country, with a warning, and starts go on', async () => {
    const own = await startRedisServer();
    const client = createClient({ url: own.url, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    const market = openMarket(undefined, { seed: 5 });
    const events: VerifyEvent[] = [];
    const verify = adaptive({ members: market.members, outcomes: new RedisCodeStore({ client, prefix: 'dies:' }).outcomes, seed: 1, now: market.now, onEvent: (e) => events.push(e) });
    await market.run(verify, { starts: 2500, seed: 6 });
    const last = events.filter((e) => e.type === 'decision' && e.decision === 'exploit' && e.country === 'IN').at(-1) as Extract<VerifyEvent, { type: 'decision' }>;
    await own.kill();
    events.length = 0;
    const v = await verify.start({ to: '+919876543210' });
    expect(v.provider).toBe(last.member);
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual([expect.stringMatching(/^the outcome store failed \(.+\); routing on the last pick for IN$/)]);
    expect(await verify.check(v.id, '123456')).toMatchObject({ status: expect.any(String) });
    expect(client.isOpen).toBe(false);
  }, 60_000);
});
