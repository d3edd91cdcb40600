/**
 * adaptive() with its outcomes in a real Redis (RedisCodeStore.outcomes), on node-redis and
 * ioredis: two instances learn as one, a start is counted once however many instances see it,
 * and a Redis that dies degrades routing to the last pick, never to an error.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptive, guard, type VerifyEvent, type VerifyProvider } from '../../providers/index.js';
import { RedisCodeStore, redisLimits } from '../../redis/index.js';
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

describe('the pumping defence over Redis', () => {
  it('two instances behind a load balancer judge a range on all its traffic: at most 50 of a 1 000-start burst sent, nothing else refused', async () => {
    const clients = await Promise.all([0, 1].map(async () => {
      const client = createClient({ url: redis.url });
      client.on('error', () => undefined);
      return client.connect();
    }));
    try {
      const market = openMarket({ ...openMarket().world, pumping: { prefix: '+2348099', digits: 6, fromMs: 3000 * 1000, starts: 1000 } }, { seed: 3 });
      const events: VerifyEvent[][] = [[], []];
      const instances = clients.map((client, i) => {
        const store = new RedisCodeStore({ client, prefix: 'pump2:' });
        return guard(adaptive({ members: market.members, outcomes: store.outcomes, seed: 2, now: market.now }), { pumping: true, limits: store.limits, now: market.now, onEvent: (e) => events[i]!.push(e) });
      });
      // Round robin: each instance sees half of every range's traffic, starts and checks alike.
      let turn = 0;
      const next = () => instances[turn++ % 2]!;
      const balanced = { name: 'balanced', capabilities: instances[0]!.capabilities, start: (r, o) => next().start(r, o), check: (id, code, o) => next().check(id, code, o) } as VerifyProvider;
      const run = await market.run(balanced, { starts: 6000, seed: 4 });
      expect(run.pumped.sent + run.pumped.refused).toBe(1000);
      expect(run.pumped.sent).toBeLessThanOrEqual(50);
      expect(run.refused).toBe(0);
      // Both instances refused the range, each on the shared figures.
      const refusals = events.map((own) => own.filter((e) => e.type === 'decision' && e.rule === 'pumping' && e.decision === 'refused').length);
      expect(refusals.every((count) => count > 400)).toBe(true);
      const keys = await clients[0]!.keys('pump2:limit:pump:*');
      expect(keys.some((key) => key.startsWith('pump2:limit:pump:recent:{out}:t:p:+234809'))).toBe(true);
      expect(keys.some((key) => key.startsWith('pump2:limit:pump:usual:{out}:t:c:NG'))).toBe(true);
      console.log(`pumping over Redis, two instances: ${run.pumped.sent} of 1000 attack starts sent; ${run.collateral} genuine starts in the range refused; ${run.refused} elsewhere`);
    } finally {
      for (const client of clients) client.destroy();
    }
  }, 120_000);
});

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
