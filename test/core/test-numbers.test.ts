/**
 * testNumbers(): listed numbers answered with fixed codes and no vendor — over each simulator
 * (requests counted), with attempts, expiry and validUntil, scripted unhappy paths, signed ids,
 * a shared Redis store, the guard, costs, scorecards and adaptive routing; configs and the
 * environment; nothing of a code or a number where it must not be.
 */
import { inspect } from 'node:util';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectedError, ValidationError, adaptive, createProvider, guard, providerFromEnv, scorecard, summarize, testNumbers, type VerifyEvent, type VerifyProvider } from '../../providers/index.js';
import { RedisCodeStore } from '../../redis/index.js';
import { SIMULATED_VENDORS, startSimulator } from '../../testing/index.js';
import { rejectionOf } from '../helpers.js';
import { SMS_CAPABILITIES } from '../array-provider.js';
import { isListedTestNumber } from '../../src/test-numbers.js';
import { startRedisServer, type RedisServer } from '../redis-server.js';

const REVIEWER = '+15555550100';
const CODE = '424242';
const NOW = Date.UTC(2026, 11, 5, 12);
const UNTIL = '2027-03-31';

type Sim = Awaited<ReturnType<typeof startSimulator>>;
const sims: Sim[] = [];
beforeAll(async () => {
  for (const vendor of SIMULATED_VENDORS) sims.push(await startSimulator(vendor));
});
afterAll(async () => {
  for (const sim of sims) await sim.close();
});

describe.each(SIMULATED_VENDORS.map((vendor, i) => [vendor, i] as const))('over the %s simulator', (_vendor, index) => {
  it('a listed number asks no vendor: start, wrong and right check, get, resend, a second check; any other number passes through', async () => {
    const sim = sims[index]!;
    const events: VerifyEvent[] = [];
    const verify = await createProvider({ ...sim.config(), testNumbers: { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL } } as never, { onEvent: (e) => events.push(e) });
    const before = sim.requestCount;
    const v = await verify.start({ to: REVIEWER });
    expect(v).toMatchObject({ provider: verify.name, to: REVIEWER, status: 'pending', cost: null, test: true, maxAttempts: 5, failedAttempts: 0, raw: { test: true } });
    expect(v.id).toMatch(/^test-[0-9a-z]+-[0-9a-f]{12}-[0-9a-f]{16}-[0-9a-f]{24}$/);
    expect(v.expiresAt!.getTime() - v.createdAt.getTime()).toBe(600_000);
    expect(await verify.check(v.id, '000000')).toEqual({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 4 });
    expect((await verify.get(v.id)).failedAttempts).toBe(1);
    expect((await verify.resend(v.id)).status).toBe('pending');
    expect(await verify.check(v.id, CODE)).toEqual({ verified: true, status: 'verified' });
    expect(await verify.check(v.id, CODE)).toEqual({ verified: false, status: 'verified', reason: 'already_verified' });
    expect((await verify.get(v.id)).status).toBe('verified');
    expect(sim.requestCount).toBe(before);
    // A real start goes to the vendor as before.
    await verify.start({ to: '+491701234567' });
    expect(sim.requestCount).toBeGreaterThan(before);
    // The events say a test number was answered; never which.
    const told = events.filter((e) => e.type === 'decision' && e.decision === 'test');
    expect(told.map((e) => e.operation)).toEqual(['start', 'check', 'resend', 'check', 'check']);
    expect(JSON.stringify(events)).not.toContain('5555550100');
    expect(JSON.stringify(events)).not.toContain(CODE);
  });
});

describe('testNumbers()', () => {
  const inner = (): VerifyProvider & { calls: string[] } => {
    const calls: string[] = [];
    const fail = (what: string) => async () => {
      calls.push(what);
      throw new Error(`the vendor was asked to ${what}`);
    };
    return { name: 'vendor', calls, capabilities: SMS_CAPABILITIES, start: fail('start'), check: fail('check'), get: fail('get'), cancel: fail('cancel'), resend: fail('resend'), failover: fail('failover'), list: () => (async function* () {})(), listPage: async () => ({ items: [] }) };
  };
  const listed = (extra: object = {}, now = () => NOW) => {
    const vendor = inner();
    return { vendor, verify: testNumbers(vendor, { numbers: { [REVIEWER]: CODE, '+447700900123': { code: '135790', outcome: 'undelivered' }, '+447700900124': { code: '246810', outcome: 'expired' }, '+447700900125': { code: '975310', outcome: 'blocked' } }, validUntil: UNTIL, now, ...extra }) };
  };

  it('locks after the attempt limit, even for the right code', async () => {
    const { verify } = listed();
    const v = await verify.start({ to: REVIEWER });
    for (let left = 4; left >= 0; left--) expect(await verify.check(v.id, '111111')).toMatchObject({ reason: 'incorrect_code', attemptsRemaining: left });
    expect(await verify.check(v.id, CODE)).toEqual({ verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0 });
    expect((await verify.get(v.id)).status).toBe('failed');
  });

  it('expires after ttlSeconds; refuses starts after validUntil, naming why, sending nothing', async () => {
    let now = NOW;
    const { verify, vendor } = listed({ ttlSeconds: 60 }, () => now);
    const v = await verify.start({ to: REVIEWER });
    now += 60_000;
    expect(await verify.check(v.id, CODE)).toEqual({ verified: false, status: 'expired', reason: 'expired' });
    expect((await verify.get(v.id)).status).toBe('expired');
    now = Date.parse('2027-03-31T00:00:01Z');
    const error = (await rejectionOf(verify.start({ to: REVIEWER }))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: 'vendor', operation: 'start', sent: 'no' });
    expect(error.issues).toEqual([{ field: 'to', message: 'is a test number whose validUntil (2027-03-31T00:00:00.000Z) has passed; nothing was sent (renew it or take it out of the config)' }]);
    expect(error.message).not.toContain('5555550100');
    expect(vendor.calls).toEqual([]);
  });

  it('plays the scripted unhappy paths: undelivered, expired, blocked', async () => {
    const { verify, vendor } = listed();
    const lost = await verify.start({ to: '+447700900123' });
    expect(lost).toMatchObject({ status: 'failed', deliveredChannel: undefined, attempts: [{ channel: 'sms', status: 'failed' }] });
    expect((await verify.get(lost.id)).status).toBe('failed');
    const late = await verify.start({ to: '+447700900124' });
    expect(await verify.check(late.id, '246810')).toEqual({ verified: false, status: 'expired', reason: 'expired' });
    const blocked = await rejectionOf(verify.start({ to: '+447700900125' }));
    expect(blocked).toBeInstanceOf(RejectedError);
    expect(blocked).toMatchObject({ sent: 'no', status: 403, issues: [{ field: 'to', message: 'is blocked (scripted)' }], message: 'vendor start: the number is blocked (a test number scripted as blocked); nothing was sent' });
    expect(vendor.calls).toEqual([]);
  });

  it('cancels; ids are signed: a changed one is not a test id (it goes to the provider)', async () => {
    const { verify, vendor } = listed();
    const v = await verify.start({ to: REVIEWER });
    expect((await verify.cancel(v.id)).status).toBe('canceled');
    expect(await verify.check(v.id, CODE)).toEqual({ verified: false, status: 'canceled', reason: 'canceled' });
    const forged = v.id.slice(0, -1) + (v.id.endsWith('0') ? '1' : '0');
    await expect(verify.check(forged, CODE)).rejects.toThrow('the vendor was asked to check');
    // A qualified id (as a composite hands it on) is the same verification.
    expect((await verify.get(`vendor:${v.id}`)).status).toBe('canceled');
    expect(vendor.calls).toEqual(['check']);
  });

  it('another process with the same config checks the same id (a CLI, an instance without a shared store)', async () => {
    const one = listed().verify;
    const v = await one.start({ to: REVIEWER });
    const other = listed().verify;
    expect(await other.check(v.id, CODE)).toEqual({ verified: true, status: 'verified' });
    // A different list signs differently: the id is not its.
    const changed = testNumbers(inner(), { numbers: { [REVIEWER]: '999999' }, validUntil: UNTIL, now: () => NOW });
    await expect(changed.check(v.id, CODE)).rejects.toThrow('the vendor was asked to check');
  });

  it('never shows a code or a listed number in full: inspect, JSON, errors', async () => {
    const { verify } = listed();
    const v = await verify.start({ to: REVIEWER });
    const views = [inspect(verify, { depth: 10 }), JSON.stringify(verify), v.id, JSON.stringify(await verify.check(v.id, '000000'))].join('\n');
    for (const secret of [CODE, '135790', '246810', '975310', '5555550100', '7700900123']) expect(views).not.toContain(secret);
    expect(inspect(verify)).toBe("VerifyProvider { name: 'vendor', testNumbers: 4 listed until 2027-03-31 }");
  });

  it.each([
    ['a number outside the fiction ranges', { numbers: { '+491701234567': CODE }, validUntil: UNTIL }, 'testNumbers.numbers[+49170*****67]', "is not in a range kept for fiction (the NANP's 555-0100…0199, Ofcom's 07700 900xxx or 020 7946 0xxx); a real number needs anyNumber: true"],
    ['a number that is not E.164', { numbers: { '5555550100': CODE }, validUntil: UNTIL }, 'testNumbers.numbers[555555**00]', 'must be an E.164 number (+ and 7 to 15 digits)'],
    ['a short code', { numbers: { [REVIEWER]: '1234' }, validUntil: UNTIL }, 'testNumbers.numbers[+15555****00].code', 'must be 6 to 10 digits (a fixed code is a standing door: as long as a real one)'],
    ['an unknown outcome', { numbers: { [REVIEWER]: { code: CODE, outcome: 'lost' } }, validUntil: UNTIL }, 'testNumbers.numbers[+15555****00].outcome', 'must be delivered, undelivered, expired or blocked'],
    ['no validUntil', { numbers: { [REVIEWER]: CODE } }, 'testNumbers.validUntil', 'is required'],
    ['a validUntil that is no date', { numbers: { [REVIEWER]: CODE }, validUntil: '2027-02-30x' }, 'testNumbers.validUntil', 'must be a date (ISO 8601, such as 2027-03-31)'],
    ['an empty list', { numbers: {}, validUntil: UNTIL }, 'testNumbers.numbers', 'must list at least one number'],
    ['a short secret', { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL, secret: 'short' }, 'testNumbers.secret', 'must be at least 16 characters'],
  ])('refuses %s, naming the field with the number masked', (_why, options, field, message) => {
    const error = (() => {
      try {
        testNumbers(inner(), options as never);
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.issues).toEqual([{ field, message }]);
    expect(error!.message).not.toMatch(/5555550100|1701234567/);
  });

  it('takes a real number with anyNumber: true', async () => {
    const verify = testNumbers(inner(), { numbers: { '+491701234567': CODE }, validUntil: new Date(Date.UTC(2027, 0, 1)), anyNumber: true, now: () => NOW });
    expect((await verify.start({ to: '+491701234567' })).test).toBe(true);
  });
});

describe('with other parts', () => {
  const vendorOf = (): VerifyProvider => ({
    name: 'real',
    capabilities: SMS_CAPABILITIES,
    start: async (r) => ({ id: 'r-1', provider: 'real', to: r.to as string, status: 'pending', channels: [{ channel: 'sms' }], attempts: [], deliveredChannel: undefined, maxAttempts: 3, failedAttempts: 0, cost: { amount: '0.05', currency: 'EUR' }, reference: undefined, country: 'DE', createdAt: new Date(NOW), updatedAt: undefined, expiresAt: new Date(NOW + 600_000), finishedAt: undefined, raw: {} }),
    check: async () => ({ verified: true, status: 'verified' }),
    get: async () => { throw new Error('no'); },
    cancel: async () => { throw new Error('no'); },
    resend: async () => { throw new Error('no'); },
    failover: async () => { throw new Error('no'); },
    list: () => (async function* () {})(),
    listPage: async () => ({ items: [] }),
  });

  it('the guard lets a listed number past strictNumbers and countries, never past its limits', async () => {
    const verify = guard(testNumbers(vendorOf(), { numbers: { '+447700900123': CODE }, validUntil: UNTIL, now: () => NOW }), { strictNumbers: true, countries: { allow: ['DE'] }, perPhone: { max: 2, windowSeconds: 600 } });
    await verify.start({ to: '+447700900123' });
    await verify.start({ to: '+447700900123' });
    expect(await rejectionOf(verify.start({ to: '+447700900123' }))).toMatchObject({ name: 'RateLimitError', sent: 'no' });
    // The same range unlisted is still refused as fiction.
    expect(await rejectionOf(verify.start({ to: '+447700900124' }))).toMatchObject({ name: 'ValidationError', issues: [{ field: 'to', message: expect.stringMatching(/^is in a range kept for drama/) }] });
  });

  it('costs, scorecards and adaptive() leave test verifications out', async () => {
    const verify = testNumbers(vendorOf(), { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL, now: () => NOW });
    const test = await verify.start({ to: REVIEWER });
    const real = await verify.start({ to: '+491701234567' });
    const summary = summarize([test, real]);
    expect([summary.count, summary.cost.totals]).toEqual([1, [{ amount: '0.05', currency: 'EUR' }]]);
    const card = await scorecard([test, real]);
    expect(card.rows.reduce((n, row) => n + row.started, 0)).toBe(1);
    const outcomes: string[] = [];
    const routed = adaptive({ members: [verify], now: () => NOW, outcomes: { pend: async (id) => void outcomes.push(id), settle: async () => undefined, expire: async () => 0, retract: async () => undefined, tallies: async (keys) => keys.map(() => ({ converted: 0, notConverted: 0, cost: 0, costed: 0 })), link: async () => undefined, linked: async () => undefined } });
    await routed.start({ to: REVIEWER });
    await routed.start({ to: '+491701234567' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(outcomes).toEqual(['real:r-1']);
  });
});

describe('shared through Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.kill());

  it('two instances count one attempt limit; Redis holds a keyed hash, never the code or the number', async () => {
    const clients = await Promise.all([0, 1].map(() => createClient({ url: redis.url }).on('error', () => undefined).connect()));
    try {
      const [a, b] = clients.map((client) => testNumbers({ ...vendorless(), name: 'app' }, { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL, store: new RedisCodeStore({ client, prefix: 'tn:' }) }));
      const v = await a!.start({ to: REVIEWER });
      for (let i = 0; i < 3; i++) await a!.check(v.id, '111111');
      for (let i = 0; i < 2; i++) await b!.check(v.id, '111111');
      expect(await b!.check(v.id, CODE)).toMatchObject({ reason: 'max_attempts' });
      const keys = await clients[0]!.keys('tn:*');
      const values = await Promise.all(keys.map(async (key) => JSON.stringify((await clients[0]!.type(key)) === 'hash' ? await clients[0]!.hGetAll(key) : await clients[0]!.get(key))));
      const dump = keys.join('\n') + values.join('\n');
      expect(dump).not.toContain(CODE);
      expect(dump).not.toContain('5555550100');
    } finally {
      for (const client of clients) client.destroy();
    }
  });
});

describe('configs and the environment', () => {
  it('a config’s testNumbers section sits in front of a failover, inside its guard; mistakes are named by path', async () => {
    const [lox, nc] = [sims[0]!, sims[1]!];
    const config = { failover: [lox.config(), nc.config()], guard: { perPhone: { max: 1, windowSeconds: 600 } }, testNumbers: { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL } };
    const verify = await createProvider(config as never);
    const before = lox.requestCount + nc.requestCount;
    const v = await verify.start({ to: REVIEWER });
    expect(await verify.check(v.id, CODE)).toEqual({ verified: true, status: 'verified' });
    expect(lox.requestCount + nc.requestCount).toBe(before);
    expect(await rejectionOf(verify.start({ to: REVIEWER }))).toMatchObject({ name: 'RateLimitError' });
    const error = (await rejectionOf(createProvider({ failover: [lox.config(), { ...nc.config(), testNumbers: { numbers: { '+491701234567': CODE }, validUntil: UNTIL } }] } as never))) as ValidationError;
    expect(error.issues).toEqual([{ field: 'failover.1.testNumbers.numbers[+49170*****67]', message: expect.stringMatching(/^is not in a range kept for fiction/) }]);
  });

  it('POLYVERIFY_TEST_NUMBERS puts them in front of what the environment describes', async () => {
    const lox = sims[0]!;
    const env = { POLYVERIFY_CONFIG: JSON.stringify(lox.config()), POLYVERIFY_TEST_NUMBERS: JSON.stringify({ numbers: { [REVIEWER]: CODE }, validUntil: UNTIL }) };
    const verify = await providerFromEnv(env);
    const before = lox.requestCount;
    const v = await verify.start({ to: REVIEWER });
    expect(await verify.check(v.id, CODE)).toEqual({ verified: true, status: 'verified' });
    expect(lox.requestCount).toBe(before);
    const bad = await rejectionOf(providerFromEnv({ ...env, POLYVERIFY_TEST_NUMBERS: '{numbers' }));
    expect(bad).toMatchObject({ name: 'ValidationError', issues: [{ field: 'POLYVERIFY_TEST_NUMBERS', message: expect.stringMatching(/^is not valid JSON/) }] });
  });
});

function vendorless(): VerifyProvider {
  const no = async () => {
    throw new Error('no vendor here');
  };
  return { name: 'app', capabilities: { recipients: ['phone'], channels: ['sms'] } as never, start: no, check: no, get: no, cancel: no, resend: no, failover: no, list: () => (async function* () {})(), listPage: async () => ({ items: [] }) };
}

describe('testNumbers(), every edge', () => {
  const calls: string[] = [];
  const vendor = (): VerifyProvider => {
    const pass = (what: string) => async (id: unknown) => {
      calls.push(`${what} ${String(id)}`);
      return { id: String(id), provider: 'vendor' } as never;
    };
    return {
      name: 'vendor',
      capabilities: SMS_CAPABILITIES,
      start: async (r) => (calls.push(`start ${typeof r.to === 'string' ? r.to : r.to.email}`), { id: 'v-1' } as never),
      check: pass('check') as never,
      get: pass('get') as never,
      cancel: pass('cancel') as never,
      resend: pass('resend') as never,
      failover: pass('failover') as never,
      list: () => (async function* () { yield { id: 'listed' } as never; })(),
      listPage: async () => ({ items: [{ id: 'paged' } as never] }),
      pages: () => (async function* () { yield [{ id: 'page' } as never]; })(),
    };
  };
  const make = (extra: object = {}, now = () => NOW, inner = vendor()) => testNumbers(inner, { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL, now, ...extra });

  it.each([
    ['numbers that are not an object', { numbers: 5 }, 'testNumbers.numbers', 'must be an object of number → code'],
    ['a code that is a number', { numbers: { [REVIEWER]: 424242 } }, 'testNumbers.numbers[+15555****00].code', 'must be 6 to 10 digits (a fixed code is a standing door: as long as a real one)'],
    ['an entry that is null', { numbers: { [REVIEWER]: null } }, 'testNumbers.numbers[+15555****00].code', 'must be 6 to 10 digits (a fixed code is a standing door: as long as a real one)'],
    ['a code with a letter after it', { numbers: { [REVIEWER]: '424242x' } }, 'testNumbers.numbers[+15555****00].code', 'must be 6 to 10 digits (a fixed code is a standing door: as long as a real one)'],
    ['a code with a letter before it', { numbers: { [REVIEWER]: 'x424242' } }, 'testNumbers.numbers[+15555****00].code', 'must be 6 to 10 digits (a fixed code is a standing door: as long as a real one)'],
    ['a number with a letter after it', { numbers: { '+15555550100x': CODE } }, 'testNumbers.numbers[+15555*****0x]', 'must be an E.164 number (+ and 7 to 15 digits)'],
    ['a number with a letter before it', { numbers: { 'x+15555550100': CODE } }, 'testNumbers.numbers[x+1555*****00]', 'must be an E.164 number (+ and 7 to 15 digits)'],
    ['a validUntil that is a number', { validUntil: 5 }, 'testNumbers.validUntil', 'must be a date (ISO 8601, such as 2027-03-31)'],
    ['a validUntil after text', { validUntil: 'x2027-03-31' }, 'testNumbers.validUntil', 'must be a date (ISO 8601, such as 2027-03-31)'],
    ['a validUntil before text', { validUntil: '2027-03-31 and on' }, 'testNumbers.validUntil', 'must be a date (ISO 8601, such as 2027-03-31)'],
    ['a validUntil that is an invalid Date', { validUntil: new Date('never') }, 'testNumbers.validUntil', 'must be a date (ISO 8601, such as 2027-03-31)'],
    ['a validUntil of a month that is none', { validUntil: '2027-13-45' }, 'testNumbers.validUntil', 'must be a date (ISO 8601, such as 2027-03-31)'],
    ['anyNumber that is not a boolean', { anyNumber: 'yes' }, 'testNumbers.anyNumber', 'must be true or false'],
    ['a ttlSeconds that is a string', { ttlSeconds: '60' }, 'testNumbers.ttlSeconds', 'must be a number'],
    ['a fractional ttlSeconds', { ttlSeconds: 60.5 }, 'testNumbers.ttlSeconds', 'must be a whole number'],
    ['a ttlSeconds below 30', { ttlSeconds: 29 }, 'testNumbers.ttlSeconds', 'must be at least 30'],
    ['a ttlSeconds above a day', { ttlSeconds: 86_401 }, 'testNumbers.ttlSeconds', 'must be at most 86400'],
    ['a maxAttempts that is a string', { maxAttempts: '5' }, 'testNumbers.maxAttempts', 'must be a number'],
    ['a fractional maxAttempts', { maxAttempts: 1.5 }, 'testNumbers.maxAttempts', 'must be a whole number'],
    ['a maxAttempts of 0', { maxAttempts: 0 }, 'testNumbers.maxAttempts', 'must be at least 1'],
    ['a maxAttempts above 10', { maxAttempts: 11 }, 'testNumbers.maxAttempts', 'must be at most 10'],
    ['a secret that is not a string', { secret: 1234567890123456 }, 'testNumbers.secret', 'must be a string'],
  ])('refuses %s', (_why, extra, field, message) => {
    const error = (() => {
      try {
        make(extra);
      } catch (e) {
        return e as ValidationError;
      }
    })()!;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: 'vendor', operation: 'config', message: `Invalid test numbers: ${field}: ${message}` });
    expect(error.issues).toEqual([{ field, message }]);
  });

  it('takes every outcome, a full ISO time and the bounds of each option', async () => {
    for (const outcome of ['delivered', 'undelivered', 'expired', 'blocked']) expect(() => make({ numbers: { [REVIEWER]: { code: CODE, outcome } } })).not.toThrow();
    const verify = make({ validUntil: '2027-03-31T12:00:00Z', ttlSeconds: 30, maxAttempts: 1, secret: 'sixteen-chars-ok' });
    const v = await verify.start({ to: REVIEWER });
    expect(v.expiresAt!.getTime()).toBe(NOW + 30_000);
    expect(await verify.check(v.id, '000000')).toMatchObject({ reason: 'incorrect_code', attemptsRemaining: 0, status: 'failed' });
    expect(() => make({ ttlSeconds: 86_400, maxAttempts: 10, numbers: { [REVIEWER]: '1234567890' } })).not.toThrow();
  });

  it('the verification it answers: the channel asked for or SMS, delivered, finished once verified', async () => {
    const verify = make();
    const sms = await verify.start({ to: REVIEWER, reference: 'review-1' });
    expect(sms).toMatchObject({ channels: [{ channel: 'sms' }], deliveredChannel: 'sms', reference: 'review-1', finishedAt: undefined, updatedAt: undefined, country: undefined });
    expect(sms.attempts).toEqual([{ channel: 'sms', status: 'delivered', at: new Date(NOW), messageId: undefined, raw: { test: true } }]);
    const voice = await verify.start({ to: REVIEWER, channels: [{ channel: 'voice' }] });
    expect(voice).toMatchObject({ channels: [{ channel: 'voice' }], deliveredChannel: 'voice', attempts: [{ channel: 'voice', status: 'delivered' }] });
    await verify.check(sms.id, CODE);
    expect((await verify.get(sms.id)).finishedAt).toEqual(new Date(NOW));
    // A cancel after it was verified changes nothing: it reads verified.
    expect((await verify.cancel(sms.id)).status).toBe('verified');
  });

  it('starts up to validUntil itself, not after', async () => {
    let now = Date.parse('2027-03-31T00:00:00.000Z');
    const verify = make({}, () => now);
    expect((await verify.start({ to: REVIEWER })).test).toBe(true);
    now += 1;
    const error = (await rejectionOf(verify.start({ to: REVIEWER }))) as ValidationError;
    expect(error).toMatchObject({ operation: 'start', message: 'Invalid start request: to: is a test number whose validUntil (2027-03-31T00:00:00.000Z) has passed; nothing was sent (renew it or take it out of the config)' });
  });

  it('a blocked number is refused for start, by the provider’s name', async () => {
    const error = await rejectionOf(make({ numbers: { [REVIEWER]: { code: CODE, outcome: 'blocked' } } }).start({ to: REVIEWER }));
    expect(error).toMatchObject({ name: 'RejectedError', provider: 'vendor', operation: 'start' });
  });

  it('passes every other recipient and id through, and lists what the provider lists', async () => {
    calls.length = 0;
    const verify = make();
    await verify.start({ to: { email: 'ann@example.com' } });
    await verify.start({ to: '+15555550101' });
    for (const id of ['v-1', 'test-abc', 'test-1-000000000000-0000000000000000-000000000000000000000000']) {
      await verify.check(id, CODE);
      await verify.get(id);
      await verify.cancel(id);
      await verify.resend(id);
      await verify.failover(id);
    }
    expect(calls.slice(0, 7)).toEqual(['start ann@example.com', 'start +15555550101', 'check v-1', 'get v-1', 'cancel v-1', 'resend v-1', 'failover v-1']);
    expect(calls).toHaveLength(17);
    const listed: string[] = [];
    for await (const item of verify.list()) listed.push(item.id);
    for await (const page of verify.pages!()) listed.push(...page.map((item) => item.id));
    expect([...listed, ...(await verify.listPage()).items.map((item) => item.id)]).toEqual(['listed', 'page', 'paged']);
    const bare = testNumbers({ ...vendor(), pages: undefined } as VerifyProvider, { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL });
    expect(bare.pages).toBeUndefined();
  });

  it('failover, resend and cancel of a test id answer for it, each told as a test event', async () => {
    const events: VerifyEvent[] = [];
    const verify = make({ onEvent: (e: VerifyEvent) => events.push(e) });
    const v = await verify.start({ to: REVIEWER });
    expect((await verify.failover(v.id)).id).toBe(v.id);
    expect((await verify.resend(v.id)).id).toBe(v.id);
    expect((await verify.cancel(v.id)).status).toBe('canceled');
    expect(events.map((e) => [e.type, e.operation, (e as { decision?: string }).decision, (e as { member?: string }).member])).toEqual([
      ['decision', 'start', 'test', 'vendor'],
      ['decision', 'failover', 'test', 'vendor'],
      ['decision', 'resend', 'test', 'vendor'],
      ['decision', 'cancel', 'test', 'vendor'],
    ]);
  });

  it('ids: the same list in any order signs alike; another list under the same secret is not the same numbers', async () => {
    const one = testNumbers(vendor(), { numbers: { [REVIEWER]: CODE, '+15555550101': '111111' }, validUntil: UNTIL, now: () => NOW });
    const reordered = testNumbers(vendor(), { numbers: { '+15555550101': '111111', [REVIEWER]: CODE }, validUntil: UNTIL, now: () => NOW });
    const v = await one.start({ to: REVIEWER });
    expect(await reordered.check(v.id, CODE)).toEqual({ verified: true, status: 'verified' });
    const secret = 'one-secret-for-both-0123';
    const first = testNumbers(vendor(), { numbers: { [REVIEWER]: CODE }, validUntil: UNTIL, secret, now: () => NOW });
    const second = testNumbers(vendor(), { numbers: { '+15555550101': CODE }, validUntil: UNTIL, secret, now: () => NOW });
    const w = await first.start({ to: REVIEWER });
    calls.length = 0;
    await second.check(w.id, CODE);
    expect(calls).toEqual([`check ${w.id}`]);
    // A listed number's digest alone does not make an id of a wrapper with its own secret.
    const derived = await make().start({ to: REVIEWER });
    calls.length = 0;
    await make({ secret }).check(derived.id, CODE);
    expect(calls).toEqual([`check ${derived.id}`]);
  });

  it('another process counts from what is left of the id’s life', async () => {
    let now = NOW;
    const v = await make({ ttlSeconds: 600 }, () => now).start({ to: REVIEWER });
    now += 599_000;
    expect(await make({}, () => now).check(v.id, CODE)).toEqual({ verified: true, status: 'verified' });
    now += 2_000;
    expect(await make({}, () => now).check(v.id, CODE)).toEqual({ verified: false, status: 'expired', reason: 'expired' });
  });

  it('says whether a number is listed in front of a provider, and of no other', () => {
    const inner = vendor();
    const verify = make({}, () => NOW, inner);
    expect([isListedTestNumber(verify, REVIEWER), isListedTestNumber(verify, '+15555550101'), isListedTestNumber(inner, REVIEWER)]).toEqual([true, false, false]);
  });
});
