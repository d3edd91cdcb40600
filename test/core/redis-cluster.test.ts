/**
 * polyverify/redis on a real local Redis Cluster (3 masters + 3 replicas, created here with
 * `redis-cli --cluster create`), with node-redis 5 `createCluster` and ioredis 5 `Cluster`, in
 * this process: every store (codes, try counts, guard limits, webhook ids, adaptive outcomes)
 * works, a LOX24 start files its code under the vendor's id without a command across slots,
 * `connectRedisStore` finds the cluster from one node's URL or several, a client that cannot
 * work is refused at construction, and a killed master gives typed errors until its replica
 * takes over, then both clients recover. Across processes (workers, the CLI):
 * test/core/redis-cluster-processes.test.ts.
 */
import fc from 'fast-check';
import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';

import { MemoryCodeStore, StoreUnavailableError, createProvider, type VerifyProvider } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { RedisCodeStore, connectRedisStore, type RedisClient } from '../../redis/index.js';
import { startSimulator } from '../../testing/index.js';
import { rejectionOf } from '../helpers.js';
import type { RedisCluster } from '../redis-cluster.js';
import { useRedisCluster, PHONE, SECRET, TOKEN, type ClientKind } from '../redis-clients.js';
import { CodeHasher, type CodeRecord } from '../../src/codes/index.js';

let cluster: RedisCluster;
/** Cluster clients as a user makes them (every node a seed), and a new key prefix per test (test/redis-clients.ts). */
const { clients: CLIENTS, freshPrefix } = useRedisCluster('pvcluster', (started) => (cluster = started));

/** Every key under a prefix, across the masters. */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of cluster.nodes) {
    const role = await cluster.cli(node.port, 'ROLE').catch(() => '');
    if (!role.startsWith('master')) continue;
    keys.push(...(await cluster.cli(node.port, '--scan', '--pattern', `${prefix}*`)).split('\n').filter(Boolean));
  }
  return keys.sort();
}

describe.each(Object.keys(CLIENTS) as ClientKind[])('a Redis Cluster with %s', (kind) => {
  it('the code store agrees with MemoryCodeStore on every sequence of operations, its keys spread over slots', async () => {
    const store = new RedisCodeStore({ client: await CLIENTS[kind](), prefix: freshPrefix() });
    const hasher = new CodeHasher(SECRET);
    const base = Date.now();
    // Keys whose slots sit on three different masters.
    const names = ['a', 'b', 'c'] as const;
    const masters = new Set(await Promise.all(names.map(async (k) => (await cluster.masterOf(store.keysOf(k)[0])).port)));
    expect(masters.size).toBeGreaterThan(1);
    const op = fc.oneof(
      fc.record({ do: fc.constant('save' as const), key: fc.constantFrom(...names), max: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ do: fc.constant('attempt' as const), key: fc.constantFrom(...names), right: fc.boolean(), at: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ do: fc.constant('cancel' as const), key: fc.constantFrom(...names), at: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ do: fc.constant('delete' as const), key: fc.constantFrom(...names) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 15 }), async (ops) => {
        const memory = new MemoryCodeStore({ now: () => base });
        for (const key of names) await store.delete(key);
        for (const o of ops) {
          if (o.do === 'save') {
            const record: CodeRecord = { hash: hasher.hash('123456'), createdAt: base, expiresAt: base + 3_630_000, maxAttempts: o.max, failedAttempts: 0, state: 'pending' };
            await Promise.all([memory.save(o.key, record), store.save(o.key, record)]);
          } else if (o.do === 'attempt') {
            const hash = hasher.hash(o.right ? '123456' : '654321');
            const at = base + 3_600_000 + o.at * 1000;
            const [m, r] = await Promise.all([memory.attempt(o.key, hash, at), store.attempt(o.key, hash, at)]);
            expect(r.outcome).toBe(m.outcome);
            expect(r.record && { ...r.record, hash: '' }).toEqual(m.record && { ...m.record, hash: '' });
          } else if (o.do === 'cancel') {
            const at = base + 3_600_000 + o.at * 1000;
            const [m, r] = await Promise.all([memory.cancel(o.key, at), store.cancel(o.key, at)]);
            expect(r && { ...r, hash: '' }).toEqual(m && { ...m, hash: '' });
          } else {
            await Promise.all([memory.delete(o.key), store.delete(o.key)]);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it('a LOX24 start files its code under the vendor id (no command across slots), and the code checks', async () => {
    const sim = await startSimulator('lox24');
    try {
      const prefix = freshPrefix();
      const store = new RedisCodeStore({ client: await CLIENTS[kind](), prefix });
      const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: store });
      const ids: string[] = [];
      // Enough starts that provisional keys and vendor ids fall in different slots many times over.
      for (let i = 0; i < 12; i++) ids.push((await verify.start({ to: PHONE })).id);
      expect(await keysUnder(prefix)).toEqual(ids.flatMap((id) => store.keysOf(id)).sort());
      const last = ids.at(-1)!;
      expect(await verify.check(last, sim.lastCode(PHONE)!)).toMatchObject({ verified: true });
      expect(await verify.check(last, sim.lastCode(PHONE)!)).toMatchObject({ verified: false, reason: 'already_verified' });
      expect((await verify.get(ids[0]!)).status).toBe('pending');
    } finally {
      await sim.close();
    }
  });

  it("Notificore's try counts, the guard's limits, webhook ids and adaptive outcomes work on the cluster", async () => {
    const nc = await startSimulator('notificore');
    try {
      const prefix = freshPrefix();
      const client = await CLIENTS[kind]();
      const store = new RedisCodeStore({ client, prefix });
      const verify = notificore({ apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url, triesStore: store });
      const started = await verify.start({ to: '+61401629754', maxAttempts: 3 });
      const code = nc.lastCode('+61401629754')!;
      const wrong = code === '000000' ? '111111' : '000000';
      expect(await verify.check(started.id, wrong)).toMatchObject({ reason: 'incorrect_code', attemptsRemaining: 2 });
      expect((await verify.get(started.id)).failedAttempts).toBe(1);

      const guarded = await createProvider({ provider: 'notificore', apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url, guard: { perPhone: { max: 2, windowSeconds: 600 } } }, { store });
      const outcomes = await Promise.all(Array.from({ length: 6 }, () => guarded.start({ to: '+61401629755' }).then(() => 'started', (e: Error) => e.name)));
      expect(outcomes.sort()).toEqual(['RateLimitError', 'RateLimitError', 'RateLimitError', 'RateLimitError', 'started', 'started']);

      expect(await store.seen.claim('evt-1', 10_000)).toBe('new');
      expect(await store.seen.claim('evt-1', 10_000)).toBe('processing');
      await store.seen.done('evt-1', 60_000);
      expect(await store.seen.claim('evt-1', 10_000)).toBe('done');

      const shared = store.outcomes;
      const now = Date.now();
      await shared.pend('s1', { keys: ['lox24|DE', 'twilio|DE'], expiresAt: now + 600_000, cost: 0.07 });
      expect(await shared.settle('s1', true, now + 1)).toMatchObject({ keys: ['lox24|DE', 'twilio|DE'], converted: true, cost: 0.07 });
      expect(await shared.settle('s1', true, now + 2)).toBeUndefined(); // counted once
      const [tally] = await shared.tallies(['lox24|DE'], now + 2);
      expect(tally!.converted).toBeCloseTo(1, 3);
    } finally {
      await nc.close();
    }
  });
});

describe('connectRedisStore on a cluster', () => {
  it('finds the cluster from one node (or several comma-separated): codes saved through one are checked through the other', async () => {
    const sim = await startSimulator('lox24');
    const one = await connectRedisStore(cluster.nodes[3]!.url, { prefix: freshPrefix() });
    const many = await connectRedisStore(`${cluster.nodes[0]!.url}, ${cluster.nodes[1]!.url}`);
    try {
      const a = await createProvider({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }, { store: one });
      for (let i = 0; i < 6; i++) {
        const v = await a.start({ to: PHONE });
        expect(await a.check(v.id, sim.lastCode(PHONE)!)).toMatchObject({ verified: true });
      }
      const b = await createProvider({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }, { store: many });
      const c = await createProvider({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }, { store: await connectRedisStore(cluster.nodes[5]!.url) });
      const v = await b.start({ to: PHONE });
      expect(await c.check(v.id, sim.lastCode(PHONE)!)).toMatchObject({ verified: true, status: 'verified' });
      expect(await b.check(v.id, sim.lastCode(PHONE)!)).toMatchObject({ verified: false, reason: 'already_verified' });
    } finally {
      await one.close();
      await many.close();
      await sim.close();
    }
  });
});

describe('clients that cannot work are refused at construction', () => {
  it('an ioredis Cluster reading from replicas, and an object of neither library', async () => {
    const replicaReads = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]!.port }], { scaleReads: 'slave', lazyConnect: true });
    expect(() => new RedisCodeStore({ client: replicaReads })).toThrow(
      new TypeError("client: an ioredis Cluster with scaleReads other than 'master' reads counts from replicas that may be behind; use scaleReads: 'master' (the default)"),
    );
    expect(() => new RedisCodeStore({ client: {} as RedisClient })).toThrow(
      new TypeError('client must be a node-redis 5 client (createClient or createCluster) or an ioredis 5 client (new Redis or new Cluster)'),
    );
    replicaReads.disconnect();
  });

  it('a malformed list of URLs is a ValidationError naming POLYVERIFY_REDIS_URL, and shows no password', async () => {
    const error = await rejectionOf(connectRedisStore('redis://:hunter2secret@127.0.0.1:1,rediss://127.0.0.1:2'));
    expect(error).toMatchObject({ name: 'ValidationError', issues: [{ field: 'POLYVERIFY_REDIS_URL', message: 'lists nodes of one cluster: every URL must have the same scheme, user and password' }] });
    expect(JSON.stringify(error) + String(error.stack)).not.toContain('hunter2');
    expect(await rejectionOf(connectRedisStore('redis://127.0.0.1:1,not a url'))).toMatchObject({ issues: [{ field: 'POLYVERIFY_REDIS_URL', message: 'is not a comma-separated list of URLs' }] });
  });
});

describe('a master killed: typed errors while the cluster elects, then recovery', () => {
  it('both clients: checks of codes on the dead master fail as StoreUnavailableError (sent: no), then work again, nothing lost', async () => {
    const sim = await startSimulator('lox24');
    try {
      const prefix = freshPrefix();
      const stores = { 'node-redis': new RedisCodeStore({ client: await CLIENTS['node-redis'](), prefix, timeoutMs: 500 }), ioredis: new RedisCodeStore({ client: await CLIENTS.ioredis(), prefix, timeoutMs: 500 }) };
      const verifiers: Record<ClientKind, VerifyProvider> = {
        'node-redis': lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: stores['node-redis'], retries: 0 }),
        ioredis: lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: stores.ioredis, retries: 0 }),
      };
      // Verifications until one of each client sits on the same master.
      const started: Record<ClientKind, { id: string; code: string }[]> = { 'node-redis': [], ioredis: [] };
      for (let i = 0; i < 8; i++) {
        for (const kind of Object.keys(CLIENTS) as ClientKind[]) {
          const v = await verifiers[kind].start({ to: PHONE });
          started[kind].push({ id: v.id, code: sim.lastCode(PHONE)! });
        }
      }
      const victim = await cluster.masterOf(stores.ioredis.keysOf(started.ioredis[0]!.id)[0]);
      const onVictim = async (kind: ClientKind) => {
        const out = [];
        for (const v of started[kind]) if ((await cluster.masterOf(stores[kind].keysOf(v.id)[0])).port === victim.port) out.push(v);
        return out;
      };
      // Each id's slot is random: more node-redis starts until one sits on the victim (8 left none there 4 % of the time).
      for (let i = 0; i < 60 && (await onVictim('node-redis')).length === 0; i++) {
        const v = await verifiers['node-redis'].start({ to: PHONE });
        started['node-redis'].push({ id: v.id, code: sim.lastCode(PHONE)! });
      }
      const targets = { 'node-redis': await onVictim('node-redis'), ioredis: await onVictim('ioredis') };
      expect(targets['node-redis'].length).toBeGreaterThan(0);
      // Every write reached the replica before the kill.
      await cluster.cli(victim.port, 'WAIT', '1', '2000');

      const killing = cluster.killMaster(victim);
      const during: Record<ClientKind, unknown[]> = { 'node-redis': [], ioredis: [] };
      const bad = (kind: ClientKind) => (targets[kind][0]!.code === '000000' ? '111111' : '000000');
      // While the cluster elects: every failure is typed, bounded by the deadline, and says nothing was sent.
      for (let i = 0; i < 3; i++) {
        for (const kind of Object.keys(CLIENTS) as ClientKind[]) {
          const outcome = await verifiers[kind].check(targets[kind][0]!.id, bad(kind)).catch((e: unknown) => e);
          during[kind].push(outcome);
        }
      }
      await killing;
      console.log(JSON.stringify(during));
      for (const outcomes of Object.values(during)) {
        expect(outcomes.filter((outcome) => outcome instanceof Error).length).toBeGreaterThan(0);
        for (const outcome of outcomes) {
          if (outcome instanceof Error) {
            expect(outcome).toBeInstanceOf(StoreUnavailableError);
            expect(outcome).toMatchObject({ operation: 'check', sent: 'no', retryable: true });
          }
        }
      }
      // After the election, both clients reach the promoted replica; the codes were kept.
      const recovered: Record<ClientKind, number> = { 'node-redis': 0, ioredis: 0 };
      const since = Date.now();
      for (const kind of Object.keys(CLIENTS) as ClientKind[]) {
        const { id } = targets[kind][0]!;
        await expect.poll(async () => (await verifiers[kind].get(id).then((v) => v.status, (e: Error) => e.name)), { timeout: 20_000, interval: 100 }).toBe('pending');
        recovered[kind] = Date.now() - since;
        const last = targets[kind].at(-1)!;
        expect(await verifiers[kind].check(last.id, last.code)).toMatchObject({ verified: true });
        const fresh = await verifiers[kind].start({ to: PHONE });
        expect(await verifiers[kind].check(fresh.id, sim.lastCode(PHONE)!)).toMatchObject({ verified: true });
      }
      console.log(`cluster failover: recovered after the election in node-redis ${recovered['node-redis']} ms, ioredis ${recovered.ioredis} ms`);
    } finally {
      await sim.close();
    }
  }, 90_000);
});
