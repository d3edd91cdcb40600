/**
 * guard(): limits and their windows on a fake clock, concurrency, countries, real numbers,
 * resend, refunds, events, composition with failover and route, config and environment, and
 * two guarded instances sharing a real Redis — and that nothing refused reaches the vendor.
 */
import { inspect } from 'node:util';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  RateLimitError,
  StoreUnavailableError,
  ValidationError,
  createProvider,
  failover,
  guard,
  route,
  type GuardOptions,
  type VerifyEvent,
  type VerifyProvider,
} from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { redisLimits, type RedisClient } from '../../redis/index.js';
import { startHostileServer, startSimulator } from '../../testing/index.js';
import { rejectionOf } from '../helpers.js';
import { startRedisServer, type RedisServer } from '../redis-server.js';

const DE = '+491701234567';
const SECRET = 'guard-test-secret-0123456';

let sim: Awaited<ReturnType<typeof startSimulator<'lox24'>>>;
beforeAll(async () => {
  sim = await startSimulator('lox24');
});
afterAll(() => sim.close());
afterEach(() => vi.useRealTimers());

const vendor = (options: object = {}) => lox24({ token: sim.token, secret: SECRET, baseUrl: sim.url, ...options });
/** Runs `count` starts one after the other; returns how each ended (`ok` or the error's name). */
async function starts(verify: VerifyProvider, to: string, count: number, limitKey?: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(await verify.start({ to }, limitKey ? { limitKey } : undefined).then(() => 'ok', (e: Error) => e.name));
  return out;
}
/** Counts the vendor requests `run` makes. */
async function requestsOf(run: () => Promise<unknown>): Promise<number> {
  const before = sim.requestCount;
  await run();
  return sim.requestCount - before;
}

describe('limits and windows (fake clock)', () => {
  it('perPhone: 3 per 10 minutes and 5 per day; each refusal is exact and makes no request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
    const verify = guard(vendor(), { perPhone: [{ max: 3, windowSeconds: 600 }, { max: 5, windowSeconds: 86_400 }] });
    expect(await requestsOf(async () => expect(await starts(verify, DE, 3)).toEqual(['ok', 'ok', 'ok']))).toBe(3);
    vi.setSystemTime(new Date('2026-12-01T10:04:00Z'));
    let refused: RateLimitError | undefined;
    expect(await requestsOf(async () => void (refused = await rejectionOf(verify.start({ to: DE }))))).toBe(0);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused).toMatchObject({ sent: 'no', retryable: true, retryAfterMs: 360_000, provider: 'lox24', operation: 'start' });
    expect(refused!.message).toBe('lox24 start refused by the guard: too many verifications for this recipient (3 per 600 s); try again in 360 s');
    expect(await starts(verify, '+491701234568', 1)).toEqual(['ok']); // another phone has its own count
    vi.setSystemTime(new Date('2026-12-01T10:10:01Z')); // the 10-minute window has ended
    expect(await starts(verify, DE, 3)).toEqual(['ok', 'ok', 'RateLimitError']); // now the day's 5 are used up
    const day = await rejectionOf(verify.start({ to: DE }));
    expect(day.message).toMatch(/^lox24 start refused by the guard: too many verifications for this recipient \(5 per 86400 s\); try again in \d+ s$/);
    vi.setSystemTime(new Date('2026-12-02T10:00:01Z'));
    expect(await starts(verify, DE, 1)).toEqual(['ok']);
  });

  it('perKey needs a limitKey and counts each key apart; total counts everything', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
    const verify = guard(vendor(), { perKey: { max: 2, windowSeconds: 60 }, total: { max: 5, windowSeconds: 60 } });
    const missing = await rejectionOf(verify.start({ to: DE }));
    expect(missing).toBeInstanceOf(ValidationError);
    expect(missing.issues).toEqual([{ field: 'options.limitKey', message: "is required by this guard's perKey limit (the client's IP or account id)" }]);
    expect(await starts(verify, DE, 3, '203.0.113.7')).toEqual(['ok', 'ok', 'RateLimitError']);
    expect((await rejectionOf(verify.start({ to: DE }, { limitKey: '203.0.113.7' }))).message).toBe('lox24 start refused by the guard: too many verifications for this client (its limitKey) (2 per 60 s); try again in 60 s');
    expect(await starts(verify, '+491701234569', 3, '198.51.100.2')).toEqual(['ok', 'ok', 'RateLimitError']);
    expect(await starts(verify, '+491701234560', 2, '192.0.2.1')).toEqual(['ok', 'RateLimitError']); // 5 in all
    expect((await rejectionOf(verify.start({ to: DE }, { limitKey: '192.0.2.99' }))).message).toBe('lox24 start refused by the guard: too many verifications in all (5 per 60 s); try again in 60 s');
  });

  it('perCountry counts each destination country apart', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
    const verify = guard(vendor(), { perCountry: { max: 2, windowSeconds: 3600 } });
    expect(await starts(verify, '+491701234561', 1)).toEqual(['ok']);
    expect(await starts(verify, '+491701234562', 2)).toEqual(['ok', 'RateLimitError']);
    expect(await starts(verify, '+436641234567', 2)).toEqual(['ok', 'ok']); // Austria has its own
  });

  it('100 concurrent starts for one phone with max 3: exactly 3 sent', async () => {
    const verify = guard(vendor(), { perPhone: { max: 3, windowSeconds: 600 } });
    const to = '+491709999001';
    const sent = await requestsOf(async () => {
      const results = await Promise.allSettled(Array.from({ length: 100 }, () => verify.start({ to })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof RateLimitError)).toHaveLength(97);
    });
    expect(sent).toBe(3);
  });

  it('a start that provably sent nothing is given back; one that may have sent counts', async () => {
    const refusing = await startHostileServer({ kind: 'answer', status: 401, body: '{"title":"Unauthorized"}' });
    const failing = await startHostileServer({ kind: 'answer', status: 500, body: '{}' });
    try {
      const limits = { perPhone: { max: 1, windowSeconds: 600 } };
      const shared = (await import('../../src/guard/limits.js')).memoryLimitStore();
      const refused = guard(vendor({ baseUrl: refusing.url, retries: 0 }), { ...limits, limits: shared });
      expect(await rejectionOf(refused.start({ to: DE }))).toMatchObject({ name: 'AuthenticationError', sent: 'no' });
      expect(await rejectionOf(refused.start({ to: DE }))).toMatchObject({ name: 'AuthenticationError' }); // not a RateLimitError: given back
      const maybe = guard(vendor({ baseUrl: failing.url, retries: 0 }), { ...limits, limits: shared });
      expect(await rejectionOf(maybe.start({ to: DE }))).toMatchObject({ name: 'ProviderUnavailableError', sent: 'maybe' });
      expect(await rejectionOf(maybe.start({ to: DE }))).toBeInstanceOf(RateLimitError);
    } finally {
      await Promise.all([refusing.close(), failing.close()]);
    }
  });

  it('a refusal by a later rule gives back what the earlier rules took', async () => {
    const verify = guard(vendor(), { total: { max: 2, windowSeconds: 600 }, perPhone: { max: 1, windowSeconds: 600 } });
    expect(await starts(verify, '+491709999002', 3)).toEqual(['ok', 'RateLimitError', 'RateLimitError']); // perPhone refuses; total gets its take back
    expect(await starts(verify, '+491709999003', 1)).toEqual(['ok']); // so total still has room for this one
    expect(await starts(verify, '+491709999004', 1)).toEqual(['RateLimitError']);
  });
});

describe("preset: 'recommended'", () => {
  it('3 per recipient per 10 minutes and 10 a day, 10 per client per 10 minutes and 50 a day, real numbers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T10:00:00Z'));
    try {
      const verify = guard(vendor(), { preset: 'recommended' });
      expect(inspect(verify)).toBe("VerifyProvider { name: 'lox24', guard: ['perKey', 'perKey', 'perPhone', 'perPhone'] }");
      expect(await starts(verify, DE, 4, 'client-a')).toEqual(['ok', 'ok', 'ok', 'RateLimitError']);
      expect((await rejectionOf(verify.start({ to: DE }, { limitKey: 'client-b' }))).message).toBe('lox24 start refused by the guard: too many verifications for this recipient (3 per 600 s); try again in 600 s');
      // Each 10 minutes a recipient gets 3 more, up to 10 a day.
      const day: string[] = [];
      for (let window = 1; window <= 4; window++) {
        vi.setSystemTime(new Date(Date.parse('2026-12-02T10:00:00Z') + window * 601_000));
        day.push(...(await starts(verify, DE, 3, `client-${window}`)));
      }
      expect(day.filter((outcome) => outcome === 'ok')).toHaveLength(7);
      const phones = Array.from({ length: 11 }, (_, i) => `+4917012345${String(i).padStart(2, '0')}`);
      const perClient = [];
      for (const to of phones) perClient.push(await verify.start({ to }, { limitKey: 'one-client' }).then(() => 'ok', (e: Error) => e.message));
      expect(perClient.slice(0, 10).every((outcome) => outcome === 'ok')).toBe(true);
      expect(perClient[10]).toMatch(/too many verifications for this client \(its limitKey\) \(10 per 600 s\)/);
      expect((await rejectionOf(verify.start({ to: '+4917012' }, { limitKey: 'x' }))).issues).toEqual([{ field: 'to', message: 'is not a valid phone number for its country' }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the options given override the preset', async () => {
    const verify = guard(vendor(), { preset: 'recommended', perKey: { max: 1000, windowSeconds: 600 }, strictNumbers: false });
    expect(inspect(verify)).toBe("VerifyProvider { name: 'lox24', guard: ['perKey', 'perPhone', 'perPhone'] }");
    expect(await starts(verify, '+4917012', 1, 'k')).toEqual(['ok']);
  });
});

describe('countries and real numbers', () => {
  it.each([
    // [number, what it is, allowed with strictNumbers, with mobileOnly too]
    ['+491701234567', 'German mobile', true, true],
    ['+4930123456', 'German landline', true, false],
    ['+4917012', 'too short for Germany', false, false],
    ['+999123456789', 'no such country code', false, false],
    ['+4990012345678', 'German 0900 (premium, not a valid length)', false, false],
    ['+449098790000', 'UK premium rate', false, false],
    ['+33899123456', 'French premium rate', false, false],
    ['+19005550123', 'US 900 premium rate', false, false],
    ['+447400123456', 'UK mobile', true, true],
    ['+33612345678', 'French mobile', true, true],
    ['+61401629754', 'Australian mobile', true, true],
    ['+61290000000', 'Australian landline', true, false],
    ['+12012345678', 'US (fixed line or mobile)', true, true],
    ['+447700900123', 'UK drama range, unallocated', false, false],
  ])('%s (%s): strictNumbers %s, mobileOnly %s', async (to, _what, strict, mobile) => {
    const strictGuard = guard(vendor(), { strictNumbers: true });
    const mobileGuard = guard(vendor(), { strictNumbers: true, mobileOnly: true });
    for (const [verify, allowed] of [[strictGuard, strict], [mobileGuard, mobile]] as const) {
      const sent = await requestsOf(async () => {
        const outcome = await verify.start({ to }).then(() => undefined, (e: unknown) => e);
        if (allowed) expect(outcome).toBeUndefined();
        else {
          expect(outcome).toBeInstanceOf(ValidationError);
          expect((outcome as ValidationError).issues[0]!.field).toBe('to');
          expect((outcome as ValidationError).sent).toBe('no');
        }
      });
      expect(sent).toBe(allowed ? 1 : 0);
    }
  });

  it('names the drama range a refused number is in, and lets the numbers around it through', async () => {
    const verify = guard(vendor(), { strictNumbers: true });
    const refused = [
      ['+447700900000', "Ofcom's 07700 900xxx"],
      ['+447700900999', "Ofcom's 07700 900xxx"],
      ['+442079460000', "Ofcom's 020 7946 0xxx"],
      ['+12015550100', "the NANP's 555-01xx"],
      ['+13125550199', "the NANP's 555-01xx"],
    ] as const;
    for (const [to, range] of refused) {
      expect((await rejectionOf(verify.start({ to }))).issues).toEqual([{ field: 'to', message: `is in a range kept for drama and examples (${range}), never a real phone; use a real number, or leave strictNumbers off in tests` }]);
    }
    // Next door: real ranges, or at least not drama ones.
    for (const to of ['+12015550200', '+447700901000']) {
      const outcome = await verify.start({ to }).then(() => 'ok', (e: ValidationError) => e.issues[0]!.message);
      expect(outcome).not.toMatch(/drama/);
    }
    expect(await starts(guard(vendor(), { perPhone: { max: 5, windowSeconds: 60 } }), '+447700900123', 1)).toEqual(['ok']);
  });

  it('allow and deny lists name the country; unknown countries are outside an allow list', async () => {
    const allow = guard(vendor(), { countries: { allow: ['DE', 'AT'] } });
    expect(await starts(allow, '+436641234567', 1)).toEqual(['ok']);
    const gb = await rejectionOf(allow.start({ to: '+447400123456' }));
    expect(gb.issues).toEqual([{ field: 'to', message: 'is in a country this service does not send to (GB)' }]);
    expect((await rejectionOf(allow.start({ to: '+88213200000' }))).issues).toEqual([{ field: 'to', message: 'is in no country this service sends to' }]);
    const deny = guard(vendor(), { countries: { deny: ['NG'] } });
    expect((await rejectionOf(deny.start({ to: '+2348031234567' }))).issues).toEqual([{ field: 'to', message: 'is in a country this service does not send to (NG)' }]);
    expect(await starts(deny, '+447400123456', 1)).toEqual(['ok']);
  });

  it('refuses bad options, naming the field', () => {
    const bad = (options: GuardOptions) => {
      try {
        guard(vendor(), options);
      } catch (error) {
        return (error as ValidationError).issues;
      }
      return [];
    };
    expect(bad({ perPhone: { max: 0, windowSeconds: 60 } })).toEqual([{ field: 'guard.perPhone.max', message: 'must be at least 1' }]);
    expect(bad({ countries: { allow: ['de'] } })).toEqual([{ field: 'guard.countries.allow.0', message: 'must be ISO 3166-1 alpha-2 codes such as DE' }]);
    expect(bad({ mobileOnly: true })).toEqual([{ field: 'guard.mobileOnly', message: 'needs strictNumbers: true' }]);
  });
});

describe('resend, events, composition', () => {
  it('resend counts against the same per-phone limit', async () => {
    const nc = await startSimulator('notificore');
    try {
      const verify = guard(notificore({ apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url }), { perPhone: { max: 2, windowSeconds: 600 } });
      const started = await verify.start({ to: '+61401629754' });
      await verify.resend(started.id);
      expect(await rejectionOf(verify.resend(started.id))).toBeInstanceOf(RateLimitError);
      // Another instance learns the recipient from get().
      const other = guard(notificore({ apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url }), { perPhone: { max: 1, windowSeconds: 600 } });
      await other.resend(started.id);
      expect(await rejectionOf(other.resend(started.id))).toBeInstanceOf(RateLimitError);
    } finally {
      await nc.close();
    }
  });

  it('every decision is an event with the rule and a masked recipient', async () => {
    const events: VerifyEvent[] = [];
    const verify = guard(vendor(), { perPhone: { max: 1, windowSeconds: 600 }, countries: { allow: ['DE'] }, onEvent: (e) => void events.push(e) });
    await starts(verify, '+491709999005', 2);
    await starts(verify, '+447400123456', 1);
    expect(events).toEqual([
      { type: 'decision', provider: 'lox24', operation: 'start', member: 'lox24', decision: 'allowed', to: '+49170*****05' },
      { type: 'decision', provider: 'lox24', operation: 'start', member: 'lox24', decision: 'refused', to: '+49170*****05', rule: 'perPhone' },
      { type: 'decision', provider: 'lox24', operation: 'start', member: 'lox24', decision: 'refused', to: '+44740*****56', rule: 'countries' },
    ]);
    expect(JSON.stringify(events)).not.toContain('9999005');
  });

  it('wraps a failover or a route with ids unchanged, and goes inside them too', async () => {
    const outer = guard(failover([vendor({ name: 'a' }), vendor({ name: 'b' })]), { perPhone: { max: 1, windowSeconds: 600 } });
    const started = await outer.start({ to: '+491709999006' });
    expect(started.id).toMatch(/^a:/);
    expect(await outer.check(started.id, sim.lastCode('+491709999006')!)).toMatchObject({ verified: true });
    expect(await rejectionOf(outer.start({ to: '+491709999006' }))).toBeInstanceOf(RateLimitError);
    // A guarded member refusing is not "nothing sent, try the next": the failover tries b, which has no guard.
    const inner = failover([guard(vendor({ name: 'a' }), { countries: { allow: ['AT'] } }), vendor({ name: 'b' })]);
    expect((await inner.start({ to: '+491709999007' })).id).toMatch(/^b:/);
    const routed = guard(route({ '+49': vendor({ name: 'de' }), default: vendor({ name: 'rest' }) }), { total: { max: 1, windowSeconds: 60 } });
    expect((await routed.start({ to: '+491709999008' })).id).toMatch(/^de:/);
    expect(await rejectionOf(routed.start({ to: '+447400123456' }))).toBeInstanceOf(RateLimitError);
  });
});

describe('config and environment', () => {
  it('a guard section in a config, and a guarded failover object, are applied by createProvider and createProvider', async () => {
    const config = { provider: 'lox24' as const, token: sim.token, secret: SECRET, baseUrl: sim.url, guard: { perPhone: { max: 1, windowSeconds: 600 }, countries: { allow: ['DE'] } } };
    const one = await createProvider(config);
    expect(await starts(one, '+491709999009', 2)).toEqual(['ok', 'RateLimitError']);
    const both = await createProvider({ failover: [{ ...config, guard: undefined, name: 'x' }, { ...config, guard: undefined, name: 'y' }], guard: { total: { max: 1, windowSeconds: 60 } } });
    expect(await starts(both, '+491709999010', 2)).toEqual(['ok', 'RateLimitError']);
    const { providerFromEnv } = await import('../../providers/index.js');
    const fromEnv = await providerFromEnv({ POLYVERIFY_CONFIG: JSON.stringify({ failover: [config], guard: { perPhone: { max: 1, windowSeconds: 600 } } }) });
    expect(await starts(fromEnv, '+491709999013', 2)).toEqual(['ok', 'RateLimitError']);
    const wrong = await rejectionOf(createProvider({ ...config, guard: { perPhone: { max: 'three' } } } as never));
    expect(wrong.issues[0]).toMatchObject({ field: 'guard.perPhone' });
  });
});

describe('shared through Redis', () => {
  let redis: RedisServer;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
    await redis.stop();
  });
  const nodeRedis = async () => {
    const client = await createClient({ url: redis.url, socket: { reconnectStrategy: () => 50 } }).on('error', () => undefined).connect();
    closers.push(async () => void client.destroy()); // at once, whatever state a killed Redis left it in
    return client as unknown as RedisClient;
  };
  const ioRedis = async () => {
    const client = new Redis(redis.url, { retryStrategy: () => 50 });
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('ready', resolve));
    closers.push(async () => void client.disconnect());
    return client;
  };

  it('two guarded instances (node-redis and ioredis), 100 concurrent starts for one phone with max 3: exactly 3 sent', async () => {
    const limits = { perPhone: { max: 3, windowSeconds: 600 } };
    const a = guard(vendor(), { ...limits, limits: redisLimits(await nodeRedis()) });
    const b = guard(vendor(), { ...limits, limits: redisLimits(await ioRedis()) });
    const to = '+491709999011';
    const sent = await requestsOf(async () => {
      const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).start({ to })));
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      expect(new Set(errors.filter((m) => !m.startsWith('lox24 start refused by the guard: too many verifications for this recipient')))).toEqual(new Set());
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    });
    expect(sent).toBe(3);
  });

  it('keys hold no phone number or client key; Redis down is a StoreUnavailableError with nothing sent', async () => {
    const client = await nodeRedis();
    const verify = guard(vendor(), { perPhone: { max: 5, windowSeconds: 600 }, perKey: { max: 5, windowSeconds: 600 }, limits: redisLimits(client, { prefix: 'gtest:', timeoutMs: 1_000 }) });
    await verify.start({ to: '+491709999012' }, { limitKey: '203.0.113.50' });
    const raw = await createClient({ url: redis.url }).connect();
    const keys = await raw.keys('gtest:*');
    await raw.close();
    expect(keys).toHaveLength(2);
    expect(keys.join(' ')).not.toMatch(/9999012|203\.0\.113/);
    await redis.kill();
    try {
      let error: Error | undefined;
      expect(await requestsOf(async () => void (error = await rejectionOf(verify.start({ to: '+491709999012' }, { limitKey: '203.0.113.50' }))))).toBe(0);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).toMatchObject({ sent: 'no', operation: 'start' });
      expect(error!.message).toMatch(/^lox24 start: the guard's limit store failed \(Redis (did not answer within 1000 ms|failed: .+)\)$/);
    } finally {
      await redis.restart();
    }
  });
});

describe('the in-process stores', () => {
  it('memoryLimitStore: counts per bucket and key, refuses new keys past maxKeys until windows end, and gives back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
    const { memoryLimitStore } = await import('../../src/guard/limits.js');
    const store = memoryLimitStore({ maxKeys: 2 });
    const limit = { max: 2, windowSeconds: 60 };
    expect(await store.take('perPhone:0', 'a', limit)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await store.take('perPhone:0', 'a', limit)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await store.take('perPhone:0', 'a', limit)).toMatchObject({ allowed: false, retryAfterMs: 60_000 });
    vi.setSystemTime(new Date('2026-12-01T10:00:10Z'));
    expect(await store.take('perPhone:0', 'b', limit)).toEqual({ allowed: true, retryAfterMs: 0 });
    // Two keys held: a third is refused until the first window ends (50 s from now), a held key still counts.
    expect(await store.take('perPhone:0', 'c', limit)).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect(await store.take('perPhone:0', 'b', limit)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await store.take('total:0', 'c', limit)).toEqual({ allowed: true, retryAfterMs: 0 }); // another bucket, its own keys
    await store.giveBack('perPhone:0', 'b', limit);
    expect(await store.take('perPhone:0', 'b', limit)).toEqual({ allowed: true, retryAfterMs: 0 });
    vi.setSystemTime(new Date('2026-12-01T10:01:01Z')); // a's window ended: its place is free
    expect(await store.take('perPhone:0', 'c', limit)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await store.take('perPhone:0', 'a', limit)).toMatchObject({ allowed: false });
  });

  it('MemoryTriesStore: counts per key until ttl, tries left never below 0, unknown keys undefined', async () => {
    let now = 1_000;
    const { MemoryTriesStore } = await import('../../src/codes/tries.js');
    const tries = new MemoryTriesStore({ now: () => now, limit: 2 });
    await tries.startTries('a', 2, 500);
    expect(await tries.failTry('a')).toBe(1);
    expect(await tries.failTry('a')).toBe(0);
    expect(await tries.failTry('a')).toBe(0);
    expect(await tries.failTry('nobody')).toBeUndefined();
    await tries.startTries('b', 3, 10_000);
    expect(await tries.triesFailed(['a', 'b', 'nobody'])).toEqual([3, 0, undefined]);
    now = 1_500; // a's ttl ended
    expect(await tries.triesFailed(['a', 'b'])).toEqual([undefined, 0]);
    expect(await tries.failTry('a')).toBeUndefined();
    await tries.startTries('c', 1, 10_000); // limit 2: the oldest (a) is dropped
    expect(await tries.triesFailed(['b', 'c'])).toEqual([0, 0]);
  });
});
