/**
 * polyverify/redis against a real redis-server (started here on a free loopback port), with
 * node-redis 5 and ioredis 5: the store agrees with the in-memory one on every sequence of
 * operations; two processes share one verification (at most maxAttempts codes evaluated, a
 * right code accepted once); a code started by one CLI process is checked by another;
 * Notificore's try counts are shared; Redis killed, frozen and restarted gives typed errors
 * within the deadline, sends nothing, leaves nothing half-written, and recovers; no secret,
 * code or phone number is stored.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MemoryCodeStore, StoreUnavailableError, createProvider, providerFromEnv, type VerifyEvent } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { RedisCodeStore, connectRedisStore, type RedisClient } from '../../redis/index.js';
import { startHostileServer, startSimulator } from '../../testing/index.js';
import { rejectionOf } from '../helpers.js';
import { startRedisServer, type RedisServer } from '../redis-server.js';
import { CodeHasher } from '../../src/codes/index.js';
import type { CodeRecord } from '../../src/codes/index.js';

const SECRET = 'redis-test-secret-0123456';
const TOKEN = '1234567:simulator0000000000000000000000';
const PHONE = '+491701234567';

let redis: RedisServer;
const clients: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await redis.stop();
});

/** A client as a user makes one: each library's defaults (offline queue on), an error listener. */
const CLIENTS = {
  'node-redis': async (): Promise<RedisClient> => {
    const client = await createClient({ url: redis.url, socket: { reconnectStrategy: () => 50 } }).on('error', () => undefined).connect();
    clients.push({ close: async () => void client.destroy() }); // at once, whatever state a killed Redis left it in
    return client as unknown as RedisClient;
  },
  ioredis: async (): Promise<RedisClient> => {
    const client = new Redis(redis.url, { retryStrategy: () => 50 });
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('ready', resolve));
    clients.push({ close: async () => void client.disconnect() });
    return client;
  },
} as const;
type ClientKind = keyof typeof CLIENTS;
let prefixes = 0;
const freshPrefix = () => `pvtest${++prefixes}:`;

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

  const worker = (kind: ClientKind, prefix: string, id: string, code: string, count: number) =>
    new Promise<{ verified: boolean; reason: string | null; attemptsRemaining: number | null }[]>((resolve, reject) => {
      execFile(process.execPath, [fileURLToPath(new URL('../redis-worker.mjs', import.meta.url)), kind, redis.url, prefix, 'check', id, code, String(count)], { timeout: 30_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`worker failed: ${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });

  it('two processes, 100 concurrent wrong checks: exactly maxAttempts evaluated, then the right code is refused', async () => {
    const prefix = freshPrefix();
    const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: new RedisCodeStore({ client: await CLIENTS['node-redis'](), prefix }) });
    const started = await verify.start({ to: PHONE, maxAttempts: 5 });
    const code = sim.lastCode(PHONE)!;
    const wrong = code === '000000' ? '111111' : '000000';
    const results = (await Promise.all([worker('node-redis', prefix, started.id, wrong, 50), worker('ioredis', prefix, started.id, wrong, 50)])).flat();
    expect(results).toHaveLength(100);
    const evaluated = results.filter((r) => r.reason === 'incorrect_code');
    expect(evaluated.map((r) => r.attemptsRemaining).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results.filter((r) => r.reason === 'max_attempts')).toHaveLength(95);
    expect(await verify.check(started.id, code)).toMatchObject({ verified: false, reason: 'max_attempts' });
  });

  it('two processes, 100 concurrent right checks: accepted exactly once', async () => {
    const prefix = freshPrefix();
    const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: new RedisCodeStore({ client: await CLIENTS.ioredis(), prefix }) });
    const started = await verify.start({ to: PHONE });
    const code = sim.lastCode(PHONE)!;
    const results = (await Promise.all([worker('node-redis', prefix, started.id, code, 50), worker('ioredis', prefix, started.id, code, 50)])).flat();
    expect(results.filter((r) => r.verified)).toHaveLength(1);
    expect(results.filter((r) => r.reason === 'already_verified')).toHaveLength(99);
  });

  it('the CLI: start in one process, check in another, with --redis (and without it, the code is not found)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyverify-redis-'));
    const config = join(dir, 'lox24.json');
    writeFileSync(config, JSON.stringify({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }));
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [cli, ...args], { timeout: 30_000, env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const start = await run(['start', '--to', PHONE, '--config', config, '--redis', redis.url, '--json']);
    expect(start.stderr).toBe('');
    const { id } = JSON.parse(start.stdout) as { id: string };
    const code = sim.lastCode(PHONE)!;
    expect((await run(['check', id, code, '--config', config])).code).toBe(9); // another process without the shared store
    const wrong = await run(['check', id, code === '000000' ? '111111' : '000000', '--config', config, '--json'], { POLYVERIFY_REDIS_URL: redis.url });
    expect(JSON.parse(wrong.stdout)).toMatchObject({ verified: false, reason: 'incorrect_code', attemptsRemaining: 4 });
    const right = await run(['check', id, code, '--config', config, '--redis', redis.url, '--json']);
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ verified: true, status: 'verified' });
    const got = await run(['get', id, '--config', config, '--redis', redis.url, '--json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, status: 'verified' });
    const down = await run(['check', id, code, '--config', config, '--redis', 'redis://127.0.0.1:9']);
    expect(down.code).toBe(8);
    expect(down.stderr).toMatch(/^polyverify check: StoreUnavailableError: redis: cannot connect to redis:\/\/127\.0\.0\.1:9 \(/);
  });

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

  it('an application on its own prefix and the CLI see the same codes: --redis-prefix or POLYVERIFY_REDIS_PREFIX (issue 33, trap 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyverify-prefix-'));
    const config = join(dir, 'lox24.json');
    writeFileSync(config, JSON.stringify({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }));
    const prefix = `${freshPrefix()}app:`;
    const app = await providerFromEnv({ POLYVERIFY_PROVIDER: 'lox24', LOX24_TOKEN: TOKEN, POLYVERIFY_SECRET: SECRET, LOX24_BASE_URL: sim.url, POLYVERIFY_REDIS_URL: redis.url, POLYVERIFY_REDIS_PREFIX: prefix });
    const v = await app.start({ to: PHONE });
    expect(await app.check(v.id, sim.lastCode(v.id)!)).toMatchObject({ verified: true });
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const get = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [cli, 'get', v.id, '--config', config, '--redis', redis.url, '--json', ...args], { timeout: 30_000, env: { PATH: process.env.PATH!, ...env } }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    // The default prefix finds no record: the verified code reads as LOX24 alone says (pending).
    expect(JSON.parse((await get([])).stdout)).toMatchObject({ id: v.id, status: 'pending' });
    expect(JSON.parse((await get(['--redis-prefix', prefix])).stdout)).toMatchObject({ id: v.id, status: 'verified' });
    expect(JSON.parse((await get([], { POLYVERIFY_REDIS_PREFIX: prefix })).stdout)).toMatchObject({ id: v.id, status: 'verified' });
    const bad = await get(['--redis-prefix', 'my app', '--redis-retain-seconds', '5']);
    expect(bad.code).toBe(3); // a configuration error
    expect(bad.stderr).toContain('--redis-prefix: must be 1 to 64 letters, digits or _ : . - (e.g. myapp:)');
    expect(bad.stderr).toContain('--redis-retain-seconds: must be a whole number of seconds from 60 to 31536000 (a year)');
    await expect(providerFromEnv({ POLYVERIFY_PROVIDER: 'lox24', LOX24_TOKEN: TOKEN, POLYVERIFY_REDIS_URL: redis.url, POLYVERIFY_REDIS_RETAIN_SECONDS: 'an hour' })).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ field: 'POLYVERIFY_REDIS_RETAIN_SECONDS', message: 'must be a whole number of seconds from 60 to 31536000 (a year)' }],
    });
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
