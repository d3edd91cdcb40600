/**
 * RedisCodeStore's layout and options against a real redis-server, in this process: the keys of
 * a record, its try counts, its limits, webhook ids and outcomes under the store's prefix; a
 * record's finish time and its retention; try counts down to zero; the deadline handed to every
 * store on the client; what it shows of itself.
 */
import { inspect } from 'node:util';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { RedisCodeStore } from '../../redis/index.js';
import type { CodeRecord } from '../../src/codes/index.js';
import type { RedisServer } from '../redis-server.js';
import { useRedisServer } from '../redis-clients.js';
import { rejectionOf } from '../helpers.js';

let redis: RedisServer;
const { clients, freshPrefix } = useRedisServer('pvstore', (server) => (redis = server));

const record = (overrides: Partial<CodeRecord> = {}): CodeRecord => ({
  hash: 'cd'.repeat(32),
  createdAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  maxAttempts: 3,
  failedAttempts: 0,
  state: 'pending',
  ...overrides,
});

async function raw<T>(run: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = await createClient({ url: redis.url }).connect();
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

describe('RedisCodeStore', () => {
  it("keeps each record's state, digest and try counts, guard counters, webhook ids and outcomes under its prefix", async () => {
    const prefix = freshPrefix();
    const store = new RedisCodeStore({ client: await clients['node-redis'](), prefix });
    await store.save('v1', record());
    await store.startTries('v2', 3, 60_000);
    await store.limits.take('perPhone:0', 'digest-of-phone', { max: 3, windowSeconds: 600 });
    await store.seen.claim('event-1', 60_000);
    await store.outcomes.pend('v3', { keys: ['lox24|c:DE'], expiresAt: Date.now() + 60_000 });
    const keys = (await raw((c) => c.keys(`${prefix}*`))).sort();
    expect(keys.filter((k) => !k.includes('limit:') && !k.includes('webhook:') && !k.startsWith(`${prefix}{out}`))).toEqual([`${prefix}{v1}:h`, `${prefix}{v1}:m`, `${prefix}{v2}:t`]);
    expect(keys.some((k) => k.startsWith(`${prefix}limit:perPhone:0`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${prefix}webhook:`) && k.includes('event-1'))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${prefix}{out}:`))).toBe(true);
    expect(store.keysOf('v1')).toEqual([`${prefix}{v1}:m`, `${prefix}{v1}:h`]);
  });

  it("a record's finish time comes back only when it has one; it is kept for retainMs past its expiry", async () => {
    const prefix = freshPrefix();
    const store = new RedisCodeStore({ client: await clients.ioredis(), prefix, retainMs: 120_000 });
    const now = Date.now();
    await store.save('done', record({ state: 'verified', finishedAt: now - 5, expiresAt: now + 60_000 }));
    await store.save('open', record({ expiresAt: now + 60_000 }));
    expect(await store.get('done')).toMatchObject({ state: 'verified', finishedAt: now - 5 });
    expect(await store.get('open')).not.toHaveProperty('finishedAt');
    const [meta, digest] = store.keysOf('open');
    const [metaTtl, digestTtl] = await raw((c) => Promise.all([c.pTTL(meta), c.pTTL(digest)]));
    // The state: expiry + retention from now (180 s); the digest: until expiry (60 s).
    expect(metaTtl).toBeGreaterThan(170_000);
    expect(metaTtl).toBeLessThanOrEqual(180_000);
    expect(digestTtl).toBeGreaterThan(50_000);
    expect(digestTtl).toBeLessThanOrEqual(60_000);
  });

  it('try counts: failed tries count down to zero, then none are left; unknown ids have none', async () => {
    const store = new RedisCodeStore({ client: await clients['node-redis'](), prefix: freshPrefix() });
    await store.startTries('t', 2, 60_000);
    expect(await store.triesFailed(['t', 'unknown'])).toEqual([0, undefined]);
    expect(await store.failTry('t')).toBe(1);
    expect(await store.failTry('t')).toBe(0);
    expect(await store.triesFailed(['t'])).toEqual([2]);
    expect(await store.failTry('unknown')).toBeUndefined();
  });

  it('hands its deadline to the counters, webhook ids and outcomes on its client (outcomes at most 500 ms)', async () => {
    const store = new RedisCodeStore({ client: await clients.ioredis(), prefix: freshPrefix(), timeoutMs: 150 });
    redis.freeze();
    try {
      const limit = await rejectionOf(store.limits.take('total:0', 'all', { max: 3, windowSeconds: 60 }));
      const seen = await rejectionOf(store.seen.claim('event-2', 60_000));
      const outcomes = await rejectionOf(store.outcomes.tallies(['lox24|c:DE'], Date.now()));
      for (const error of [limit, seen, outcomes]) expect(JSON.stringify(error) + String((error as Error).message) + String((error as { cause?: Error }).cause?.message)).toContain('within 150 ms');
    } finally {
      redis.thaw();
    }
  });

  it('shows its prefix, never a client or a secret', async () => {
    const store = new RedisCodeStore({ client: await clients['node-redis'](), prefix: 'shown:' });
    expect(JSON.stringify({ store })).toBe('{"store":"[RedisCodeStore shown:]"}');
    expect(inspect(store)).toBe("RedisCodeStore { prefix: 'shown:' }");
  });
});
