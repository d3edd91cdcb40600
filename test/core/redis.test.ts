/**
 * polyverify/redis against a real redis-server (started here on a free loopback port), with
 * node-redis 5 and ioredis 5, in this process: the store agrees with the in-memory one on every
 * sequence of operations; one store shares a config's guard across instances; Notificore's try
 * counts are shared; Redis killed, frozen and restarted gives typed errors within the deadline,
 * sends nothing, leaves nothing half-written, and recovers; no secret, code or phone number is
 * stored. Across processes (workers, the CLI): test/core/redis-processes.test.ts.
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MemoryCodeStore, StoreUnavailableError, createProvider, providerFromEnv, type VerifyEvent } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { RedisCodeStore, connectRedisStore } from '../../redis/index.js';
import { startHostileServer, startSimulator } from '../../testing/index.js';
import { rejectionOf } from '../helpers.js';
import type { RedisServer } from '../redis-server.js';
import { useRedisServer, PHONE, SECRET, TOKEN, type ClientKind } from '../redis-clients.js';
import { CodeHasher } from '../../src/codes/index.js';
import type { CodeRecord } from '../../src/codes/index.js';

let redis: RedisServer;
/** Clients as a user makes them, and a new key prefix per test (test/redis-clients.ts). */
const { clients: CLIENTS, freshPrefix } = useRedisServer('pvtest', (server) => (redis = server));

/** Every key and value under a prefix, as text. */
async function dump(prefix: string): Promise<string> {
  const raw = await createClient({ url: redis.url }).connect();
  try {
    const keys = await raw.keys(`${prefix}*`);
    const values = await Promise.all(keys.map(async (key) => ((await raw.type(key)) === 'hash' ? JSON.stringify(await raw.hGetAll(key)) : String(await raw.get(key)))));
    return keys.map((key, i) => `${key} ${values[i]}`).join('\n');
  } finally {
    await raw.close();
  }
}

describe.each(Object.keys(CLIENTS) as ClientKind[])('RedisCodeStore with %s', (kind) => {
  it('agrees with MemoryCodeStore on every sequence of saves, attempts, cancels, gets and deletes', async () => {
    const store = new RedisCodeStore({ client: await CLIENTS[kind](), prefix: freshPrefix() });
    const hasher = new CodeHasher(SECRET);
    const base = Date.now();
    const op = fc.oneof(
      fc.record({ do: fc.constant('save' as const), key: fc.constantFrom('a', 'b'), max: fc.integer({ min: 1, max: 3 }), ttl: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ do: fc.constant('attempt' as const), key: fc.constantFrom('a', 'b', 'c'), right: fc.boolean(), at: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ do: fc.constant('cancel' as const), key: fc.constantFrom('a', 'b'), at: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ do: fc.constant('get' as const), key: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ do: fc.constant('delete' as const), key: fc.constantFrom('a', 'b') }),
    );
    const same = (record: CodeRecord | undefined) => record && { ...record, hash: record.state === 'pending' && record.failedAttempts < record.maxAttempts ? 'kept' : 'any' };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const memory = new MemoryCodeStore({ now: () => base });
        for (const key of ['a', 'b', 'c']) await store.delete(key);
        for (const o of ops) {
          if (o.do === 'save') {
            // Times are in seconds past `base`, far ahead of the wall clock: Redis's own expiry never interferes.
            const record: CodeRecord = { hash: hasher.hash('123456'), createdAt: base, expiresAt: base + 3_600_000 + o.ttl * 1000, maxAttempts: o.max, failedAttempts: 0, state: 'pending' };
            await Promise.all([memory.save(o.key, record), store.save(o.key, record)]);
          } else if (o.do === 'attempt') {
            const hash = hasher.hash(o.right ? '123456' : '654321');
            const at = base + 3_600_000 + o.at * 1000;
            const [m, r] = await Promise.all([memory.attempt(o.key, hash, at), store.attempt(o.key, hash, at)]);
            expect(r.outcome).toBe(m.outcome);
            const { hash: _m, ...mine } = m.record ?? ({} as CodeRecord);
            const { hash: _r, ...theirs } = r.record ?? ({} as CodeRecord);
            expect(theirs).toEqual(mine);
          } else if (o.do === 'cancel') {
            const at = base + 3_600_000 + o.at * 1000;
            const [m, r] = await Promise.all([memory.cancel(o.key, at), store.cancel(o.key, at)]);
            expect(r && { ...r, hash: '' }).toEqual(m && { ...m, hash: '' });
          } else if (o.do === 'get') {
            const [m, r] = await Promise.all([memory.get(o.key), store.get(o.key)]);
            expect(same(r) && { ...same(r), hash: '' }).toEqual(same(m) && { ...same(m), hash: '' });
          } else {
            await Promise.all([memory.delete(o.key), store.delete(o.key)]);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the digest only while the code can still be checked, and Redis expires it (PX)', async () => {
    const prefix = freshPrefix();
    const store = new RedisCodeStore({ client: await CLIENTS[kind](), prefix, retainMs: 60_000 });
    const now = Date.now();
    await store.save('v1', { hash: 'ab'.repeat(32), createdAt: now, expiresAt: now + 300, maxAttempts: 3, failedAttempts: 0, state: 'pending' });
    const raw = await createClient({ url: redis.url }).connect();
    try {
      const [meta, digest] = store.keysOf('v1');
      expect(await raw.get(digest)).toBe('ab'.repeat(32));
      const digestTtl = await raw.pTTL(digest);
      expect(digestTtl).toBeGreaterThan(0);
      expect(digestTtl).toBeLessThanOrEqual(300);
      expect(await raw.pTTL(meta)).toBeGreaterThan(59_000);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await raw.exists(digest)).toBe(0); // gone with the code
      expect((await store.attempt('v1', 'ab'.repeat(32), Date.now())).outcome).toBe('expired'); // the state says why
    } finally {
      await raw.close();
    }
  });
});

describe('many instances, one truth', () => {
  let sim: Awaited<ReturnType<typeof startSimulator<'lox24'>>>;
  beforeAll(async () => {
    sim = await startSimulator('lox24');
  });
  afterAll(() => sim.close());


  it('one store shares everything: a config guard through createProvider(config, { store }) holds across instances (issue 33, trap 1)', async () => {
    const prefix = freshPrefix();
    const config = { provider: 'lox24' as const, token: TOKEN, secret: SECRET, baseUrl: sim.url, guard: { perPhone: { max: 1, windowSeconds: 600 } } };
    const instanceA = await createProvider(config, { store: new RedisCodeStore({ client: await CLIENTS.ioredis(), prefix }) });
    const instanceB = await createProvider(config, { store: new RedisCodeStore({ client: await CLIENTS['node-redis'](), prefix }) });
    const before = sim.requestCount;
    await instanceA.start({ to: PHONE });
    expect(await rejectionOf(instanceB.start({ to: PHONE }))).toMatchObject({ name: 'RateLimitError', sent: 'no' });
    expect(sim.requestCount - before).toBe(1);
    // Each store's limits sit under its prefix.
    const keys = await ((await CLIENTS.ioredis()) as unknown as Redis).keys(`${prefix}limit:*`);
    expect(keys.length).toBeGreaterThan(0);
  });


  it("Notificore's try counts are shared: attemptsRemaining is right whichever instance checks", async () => {
    const nc = await startSimulator('notificore');
    try {
      const prefix = freshPrefix();
      const make = async (kind: ClientKind) =>
        notificore({ apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url, triesStore: new RedisCodeStore({ client: await CLIENTS[kind](), prefix }) });
      const [a, b] = [await make('node-redis'), await make('ioredis')];
      const started = await a.start({ to: '+61401629754', maxAttempts: 3 });
      const code = nc.lastCode('+61401629754')!;
      const wrong = code === '000000' ? '111111' : '000000';
      expect(await b.check(started.id, wrong)).toMatchObject({ reason: 'incorrect_code', attemptsRemaining: 2 });
      expect(await a.check(started.id, wrong)).toMatchObject({ reason: 'incorrect_code', attemptsRemaining: 1 });
      expect((await b.get(started.id)).failedAttempts).toBe(2);
      expect((await b.listPage({ ids: [started.id] })).items[0]?.failedAttempts).toBe(2);
    } finally {
      await nc.close();
    }
  });

  it('createProvider(config, { store }) and providerFromEnv with POLYVERIFY_REDIS_URL use the store', async () => {
    const { providerFromEnv } = await import('../../providers/index.js');
    const store = await connectRedisStore(redis.url, { prefix: 'pv:' });
    try {
      const one = await createProvider({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }, { store });
      const started = await one.start({ to: PHONE });
      const other = await providerFromEnv({ POLYVERIFY_PROVIDER: 'lox24', LOX24_TOKEN: TOKEN, POLYVERIFY_SECRET: SECRET, LOX24_BASE_URL: sim.url, POLYVERIFY_REDIS_URL: redis.url });
      expect(await other.check(started.id, sim.lastCode(PHONE)!)).toMatchObject({ verified: true });
    } finally {
      await store.close();
    }
  });
});

describe('faults: Redis killed, frozen and restarted', () => {
  it.each(Object.keys(CLIENTS) as ClientKind[])('%s: typed errors within the deadline, nothing sent or half-written, and recovery', async (kind) => {
    const sim = await startSimulator('lox24');
    const prefix = freshPrefix();
    const events: VerifyEvent[] = [];
    const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, onEvent: (e) => void events.push(e), codeStore: new RedisCodeStore({ client: await CLIENTS[kind](), prefix, timeoutMs: 1_000 }) });
    try {
      const before = await verify.start({ to: PHONE });
      const code = sim.lastCode(PHONE)!;
      const sent = sim.requestCount;

      // Killed: the start fails before any request, sent no; a check fails typed.
      await redis.kill();
      let at = Date.now();
      const start = await rejectionOf(verify.start({ to: PHONE }));
      expect(start).toBeInstanceOf(StoreUnavailableError);
      expect(start).toMatchObject({ provider: 'lox24', operation: 'start', sent: 'no', retryable: true });
      expect(start.message).toMatch(/^lox24 start: the code store failed \(Redis (did not answer within 1000 ms|failed: .+)\)$/);
      const check = await rejectionOf(verify.check(before.id, code));
      expect(check).toMatchObject({ name: 'StoreUnavailableError', operation: 'check', sent: 'no' });
      expect(Date.now() - at).toBeLessThan(5_000); // bounded (the deadline is 1 s a command; this bound only catches a hang)
      expect(sim.requestCount).toBe(sent);

      // Restarted, empty: the store works again (scripts are loaded again through EVAL).
      await redis.restart();
      await expect.poll(async () => (await verify.start({ to: PHONE }).then(() => 'ok', (e: Error) => e.name)), { timeout: 15_000, interval: 100 }).toBe('ok');
      const again = await verify.start({ to: PHONE });
      expect(await verify.check(again.id, sim.lastCode(PHONE)!)).toMatchObject({ verified: true });

      // Frozen (a server that stops answering): a check fails at the deadline, and works once it thaws.
      const third = await verify.start({ to: PHONE });
      redis.freeze();
      at = Date.now();
      const frozen = await rejectionOf(verify.check(third.id, '000000'));
      expect(frozen.message).toBe('lox24 check: the code store failed (Redis did not answer within 1000 ms)');
      expect(Date.now() - at).toBeLessThan(5_000);
      redis.thaw();
      await expect.poll(async () => (await verify.get(third.id).then(() => 'ok', (e: Error) => e.name)), { timeout: 15_000, interval: 100 }).toBe('ok');

      // A start the vendor refuses leaves no record behind.
      const hostile = await startHostileServer({ kind: 'answer', status: 500, body: '{}' });
      const refused = lox24({ token: TOKEN, secret: SECRET, baseUrl: hostile.url, retries: 0, codeStore: new RedisCodeStore({ client: await CLIENTS[kind](), prefix: `${prefix}refused:` }) });
      expect(await rejectionOf(refused.start({ to: PHONE }))).toMatchObject({ name: 'ProviderUnavailableError' });
      expect(await dump(`${prefix}refused:`)).toBe('');
      await hostile.close();
    } finally {
      redis.thaw();
      await sim.close();
    }
  });
});

describe('what Redis holds', () => {
  it('no code, secret, token or phone number: only digests, times and counts', async () => {
    const sim = await startSimulator('lox24');
    const prefix = freshPrefix();
    try {
      const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: new RedisCodeStore({ client: await CLIENTS.ioredis(), prefix }) });
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        await verify.start({ to: PHONE, code: `9${i}8${i}7${i}6${i}` });
        codes.push(`9${i}8${i}7${i}6${i}`);
      }
      const text = await dump(prefix);
      expect(text.split('\n')).toHaveLength(10);
      for (const secret of [...codes, SECRET, TOKEN, PHONE, PHONE.slice(1)]) for (let i = 0; i + 8 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 8));
      expect(text).toMatch(/:h [0-9a-f]{64}/);
    } finally {
      await sim.close();
    }
  });
});
