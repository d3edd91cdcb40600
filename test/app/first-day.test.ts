/**
 * The first day of a new team (issue 33): each trap a team fell into, replayed as the mistake a
 * new user makes, now either working or failing loudly with what to do. One `describe` per trap.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createClient } from 'redis';
import { connectRedisStore } from '../../redis/index.js';
import { MemoryCodeStore, createProvider, providerFromEnv, scorecard, scorecardHtml, type PolyverifyConfig, type ProviderConfig, type Verification } from '../../providers/index.js';
import { startSimulator } from '../../testing/index.js';
import type { Lox24Simulator } from '../../providers/lox24/simulator.js';
import type { MessagebirdSimulator } from '../../providers/messagebird/simulator.js';
import type { NotificoreSimulator } from '../../providers/notificore/simulator.js';
import { cli, run } from '../cli-run.js';
import { eventLog, rejectionOf } from '../helpers.js';
import { startRedisServer } from '../redis-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'polyverify-first-day-'));
let lox: Lox24Simulator;
let nc: NotificoreSimulator;
let bird: MessagebirdSimulator;
let loxConfig: ProviderConfig;
let ncConfig: ProviderConfig;
let birdConfig: ProviderConfig;

beforeAll(async () => {
  [lox, nc, bird] = await Promise.all([startSimulator('lox24'), startSimulator('notificore'), startSimulator('messagebird')]);
  loxConfig = lox.config() as ProviderConfig;
  ncConfig = nc.config() as ProviderConfig;
  birdConfig = bird.config() as ProviderConfig;
});
afterAll(() => Promise.all([lox.close(), nc.close(), bird.close()]));

const codeOf = (v: Verification): string => {
  const own = v.id.split(':').pop()!;
  return lox.lastCode(own) ?? nc.lastCode(own) ?? bird.lastCode(own)!;
};

describe('trap 4: route in the JSON config, and ids every form of one config takes', () => {
  const routed = (): PolyverifyConfig => ({ route: { '+44': birdConfig, default: [loxConfig, ncConfig] }, guard: { perPhone: { max: 5, windowSeconds: 600 } } });

  // LOX24's codes are polyverify's own: instances that check each other's ids share a store.
  const store = { store: new MemoryCodeStore() };

  it('builds a route from JSON, through createProvider and POLYVERIFY_CONFIG alike', async () => {
    const app = await createProvider(routed(), store);
    const uk = await app.start({ to: '+447911123456' });
    const de = await app.start({ to: '+491701234567' });
    expect(uk.id).toMatch(/^messagebird:/);
    expect(de.id).toMatch(/^failover:lox24:/);
    const fromEnv = await providerFromEnv({ POLYVERIFY_CONFIG: JSON.stringify(routed()) }, store);
    expect(await fromEnv.check(de.id, codeOf(de))).toEqual({ verified: true, status: 'verified' });
  });

  it('takes the route form’s ids in the array form and the other way round, and a vendor’s in its single form', async () => {
    const app = await createProvider(routed(), store);
    const array = await createProvider([loxConfig, ncConfig], store);
    const single = await createProvider(loxConfig, store);
    const fromRoute = await app.start({ to: '+491701234568' });
    expect((await array.get(fromRoute.id)).id).toBe(fromRoute.id.replace(/^failover:/, ''));
    const fromArray = await array.start({ to: '+491701234569' });
    expect(fromArray.id).toMatch(/^lox24:/);
    expect((await app.get(fromArray.id)).status).toBe('pending');
    expect((await single.get(fromArray.id)).id).toBe(fromArray.id.replace(/^lox24:/, ''));
    expect(await app.check(fromArray.id, codeOf(fromArray))).toEqual({ verified: true, status: 'verified' });
  });

  it('lists a vendor named in two entries once, so its costs count once', async () => {
    const sim = await startSimulator('lox24');
    try {
      const only = sim.config() as ProviderConfig;
      const app = await createProvider({ route: { '+49': only, default: [only, ncConfig] } });
      const direct = await app.start({ to: '+491701234570' });
      const viaDefault = await app.start({ to: '+33612345678' });
      expect(direct.id).toMatch(/^lox24:/);
      expect(viaDefault.id).toMatch(/^failover:lox24:/);
      const listed: string[] = [];
      for await (const v of app.list({ from: new Date(Date.now() - 60_000) })) if (v.provider === 'lox24') listed.push(v.id);
      expect(listed.sort()).toEqual([direct.id, viaDefault.id.replace(/^failover:/, '')].sort());
    } finally {
      await sim.close();
    }
  });

  it('refuses a bad route config naming each field, before anything is created', async () => {
    const error = await rejectionOf(createProvider({ route: { '44': loxConfig, default: [{ ...ncConfig, apiKey: 1 }] }, routes: {} } as never));
    expect(error.name).toBe('ValidationError');
    expect(error.issues).toEqual([
      { field: 'routes', message: 'is not an option of a route config (route, guard, name); a config is one provider\'s, an array, { failover } or { route }' },
      { field: 'route.44', message: "is not a destination: use an E.164 prefix ('+49'), '@', '@domain' or 'default'" },
      { field: 'route.default.0.apiKey', message: expect.stringMatching(/^must be/) },
    ]);
  });

  it('the CLI, given the application’s route config, reads and checks the application’s ids', async () => {
    const file = join(dir, 'routed.json');
    writeFileSync(file, JSON.stringify(routed()));
    const redis = await startRedisServer();
    const shared = await connectRedisStore(redis.url);
    onTestFinished(async () => {
      await shared.close();
      await redis.kill();
    });
    const app = await createProvider(routed(), { store: shared });
    const v = await app.start({ to: '+491701234571' });
    const env = { POLYVERIFY_REDIS_URL: redis.url };
    const got = await run(['get', v.id, '--config', file, '--json'], { env });
    expect(got.stderr).toBe('');
    expect(JSON.parse(got.stdout)).toMatchObject({ id: v.id, status: 'pending' });
    const arrayFile = join(dir, 'array.json');
    writeFileSync(arrayFile, JSON.stringify([loxConfig, ncConfig]));
    const checked = await run(['check', v.id, codeOf(v), '--config', arrayFile, '--json'], { env });
    expect(JSON.parse(checked.stdout)).toEqual({ verified: true, status: 'verified' });
  });
});

describe('trap 8: one CheckResult shape on every vendor, safe to hand to a client', () => {
  for (const vendor of ['lox24', 'notificore', 'messagebird'] as const) {
    it(`${vendor}: four fields at most, no number, no vendor record`, async () => {
      const config = { lox24: () => loxConfig, notificore: () => ncConfig, messagebird: () => birdConfig }[vendor]();
      const verify = await createProvider(config);
      const to = '+61401629754';
      const v = await verify.start({ to });
      const wrong = await verify.check(v.id, codeOf(v) === '000000' ? '111111' : '000000');
      const right = await verify.check(v.id, codeOf(v));
      expect(right).toEqual({ verified: true, status: 'verified' });
      expect(Object.keys(wrong).every((key) => ['verified', 'status', 'reason', 'attemptsRemaining'].includes(key))).toBe(true);
      expect(wrong).toMatchObject({ verified: false, status: 'pending', reason: 'incorrect_code' });
      expect(JSON.stringify([wrong, right])).not.toContain('401629754');
    });
  }
});

describe('trap 5: what providerFromEnv opens, close() closes', () => {
  it('a script that starts one verification over Redis and closes the provider exits by itself', async () => {
    const redis = await startRedisServer();
    onTestFinished(() => redis.kill());
    const script = [
      "const { providerFromEnv } = await import('polyverify');",
      'const verify = await providerFromEnv(process.env);',
      "const v = await verify.start({ to: '+491701234567' });",
      'await verify.close();',
      'await verify.close();',
      "console.log(v.id.length > 0 ? 'started' : 'no id');",
    ].join('\n');
    const env = { PATH: process.env.PATH!, POLYVERIFY_CONFIG: JSON.stringify(loxConfig), POLYVERIFY_REDIS_URL: redis.url };
    const started = Date.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, timeout: 20_000 }, (_error, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    expect(stdout.trim()).toBe('started');
    expect(code).toBe(0);
    // Exited on its own: the 20 s kill timer never fired (a leaked connection keeps a process alive forever).
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('close() is there without Redis too, and the provider is otherwise the same', async () => {
    const verify = await providerFromEnv({ POLYVERIFY_CONFIG: JSON.stringify(ncConfig) });
    expect(verify.name).toBe('notificore');
    const v = await verify.start({ to: '+491701234567' });
    expect(await verify.check(v.id, codeOf(v))).toEqual({ verified: true, status: 'verified' });
    await expect(verify.close()).resolves.toBeUndefined();
  });
});

describe('trap 10: the caller’s own mistake never moves traffic to the fallback', () => {
  it('a locale that names no language is refused before any member is asked', async () => {
    const { events, onEvent } = eventLog();
    const verify = await createProvider([loxConfig, ncConfig], { onEvent });
    const before = [lox.requestCount, nc.requestCount];
    const error = await rejectionOf(verify.start({ to: '+491701234567', locale: 'xx' }));
    expect(error).toMatchObject({ name: 'ValidationError', provider: 'failover', sent: 'no' });
    expect(error.issues).toEqual([{ field: 'locale', message: "names no known language (a typo? a tag such as 'en' or 'de-AT')" }]);
    expect([lox.requestCount, nc.requestCount]).toEqual(before);
    expect(events.filter((e) => e.type === 'decision')).toEqual([]);
  });

  it('what one vendor cannot do moves on, and says so', async () => {
    const { events, onEvent } = eventLog();
    const verify = await createProvider([loxConfig, ncConfig], { onEvent });
    const v = await verify.start({ to: '+491701234567', channels: [{ channel: 'viber' }, { channel: 'sms' }] });
    expect(v.id).toMatch(/^notificore:/);
    expect(events.filter((e) => e.type === 'decision').map((e) => [e.member, (e as { decision: string }).decision, (e as { error?: { code: string } }).error?.code])).toEqual([
      ['lox24', 'try', undefined],
      ['lox24', 'next', 'validation'],
      ['notificore', 'try', undefined],
      ['notificore', 'sent', undefined],
    ]);
  });
});

describe('trap 3: LOX24’s verified status kept as long as the reports need it', () => {
  it('POLYVERIFY_REDIS_RETAIN_SECONDS keeps a finished code’s record that long in Redis', async () => {
    const redis = await startRedisServer();
    const client = createClient({ url: redis.url });
    await client.connect();
    onTestFinished(async () => {
      await client.quit();
      await redis.kill();
    });
    const verify = await providerFromEnv({ POLYVERIFY_CONFIG: JSON.stringify(loxConfig), POLYVERIFY_REDIS_URL: redis.url, POLYVERIFY_REDIS_PREFIX: 'signup:', POLYVERIFY_REDIS_RETAIN_SECONDS: '2678400' });
    onTestFinished(() => verify.close());
    const v = await verify.start({ to: '+491701234572' });
    await verify.check(v.id, codeOf(v));
    const [key] = await client.keys('signup:*');
    // Kept 31 days past the code's expiry (LOX24's default lifetime is 5 minutes at most).
    expect(await client.ttl(key!)).toBeGreaterThan(2_678_400);
    expect((await verify.get(v.id)).status).toBe('verified');
  });

  it('the report says when its window starts before what the store keeps, and is quiet when the store keeps it', async () => {
    const redis = await startRedisServer();
    onTestFinished(() => redis.kill());
    const file = join(dir, 'lox.json');
    writeFileSync(file, JSON.stringify(loxConfig));
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const short = await run(['report', '--config', file, '--from', from, '--json'], { env: { POLYVERIFY_REDIS_URL: redis.url } });
    expect(short.code).toBe(0);
    expect(short.stderr).toMatch(/^note: finished LOX24 codes are kept 3600 s in the store, so those finished before \S+ read as expired and their conversion shows low; set POLYVERIFY_REDIS_RETAIN_SECONDS \(or --redis-retain-seconds\)/);
    const kept = await run(['report', '--config', file, '--from', from, '--json', '--redis-retain-seconds', '2678400'], { env: { POLYVERIFY_REDIS_URL: redis.url } });
    expect(kept.stderr).toBe('');
  });
});

describe('trap 9: the HTML report from code', () => {
  it('scorecardHtml turns a scorecard into the page the CLI writes', async () => {
    const sim = await startSimulator('notificore');
    onTestFinished(() => sim.close());
    const day = Date.UTC(2026, 10, 20, 10);
    sim.seed({ to: '+491701234567', createdAt: new Date(day), status: 'verified', finishedAt: new Date(day + 20_000), price: '0.02' });
    sim.seed({ to: '+491701234568', createdAt: new Date(day + 1000), status: 'expired', finishedAt: new Date(day + 301_000), price: '0' });
    const verify = await createProvider(sim.config() as ProviderConfig);
    const from = new Date(day - 86_400_000);
    const card = await scorecard(verify.list({ from }));
    const html = scorecardHtml(card, { from, generatedAt: new Date(day + 86_400_000) });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<p class="meta" id="summary" data-count="2">2 verifications created 2026-11-19T10:00:00.000Z to 2026-11-20T10:00:01.000Z · 1 providers · generated 2026-11-21T10:00:00.000Z by polyverify</p>');
    expect(html).toMatch(/<tr data-provider="notificore" data-country="DE" data-channel="[a-z]+"><td>notificore<\/td><td>DE<\/td><td>[a-z]+<\/td><td data-metric="started" data-value="2">2<\/td><td data-metric="verified" data-value="1">1<\/td>/);
    expect(html).not.toContain('<script');
  });
});

describe('trap 6: simulated faults that say "nothing sent", from code and from `polyverify simulate`', () => {
  const errors = { auth: 'AuthenticationError', funds: 'InsufficientFundsError', 'rate-limit': 'RateLimitError' } as const;
  for (const vendor of ['lox24', 'notificore', 'messagebird'] as const) {
    for (const reason of ['auth', 'funds', 'rate-limit'] as const) {
      it(`${vendor} refusing for ${reason}: the vendor's own answer, read as nothing sent`, async () => {
        const sim = await startSimulator(vendor);
        onTestFinished(() => sim.close());
        const verify = await createProvider({ ...sim.config(), retries: 0 } as ProviderConfig);
        sim.fault({ refuse: reason, times: Infinity });
        const error = await rejectionOf(verify.start({ to: '+491701234567' }));
        expect(error).toMatchObject({ name: errors[reason], operation: vendor === 'notificore' && reason !== 'funds' ? 'auth' : 'start', sent: 'no' }); // Notificore logs in first
        expect(sim.inbox.messages('+491701234567')).toEqual([]);
      });
    }
  }

  it('a refusal for funds passes over reads and waits for the send', async () => {
    const sim = await startSimulator('lox24');
    onTestFinished(() => sim.close());
    const verify = await createProvider(sim.config() as ProviderConfig);
    sim.fault({ refuse: 'funds' });
    await verify.listPage({ limit: 1 });
    expect(await rejectionOf(verify.start({ to: '+491701234567' }))).toMatchObject({ name: 'InsufficientFundsError', status: 402 });
    expect((await verify.start({ to: '+491701234567' })).status).toBe('pending');
  });

  it('a failover moves on past a refusal and stops at a 503, as it must', async () => {
    const sim = await startSimulator('lox24');
    onTestFinished(() => sim.close());
    const configs = [{ ...sim.config(), retries: 0 }, ncConfig] as ProviderConfig[];
    sim.fault({ refuse: 'funds' });
    expect((await (await createProvider(configs)).start({ to: '+491701234567' })).id).toMatch(/^notificore:/);
    sim.fault({ status: 503 });
    expect(await rejectionOf((await createProvider(configs)).start({ to: '+491701234567' }))).toMatchObject({ name: 'ProviderUnavailableError', provider: 'lox24', sent: 'maybe' });
  });

  it('`polyverify simulate --fail lox24=funds` makes the app’s failover use the next vendor', async () => {
    const child = spawn(process.execPath, [cli, 'simulate', '--json', '--fail', 'lox24=funds'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    while (!out.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 25));
    try {
      const configs = JSON.parse(out.slice(0, out.indexOf('\n'))) as ProviderConfig[];
      expect(err).toContain('lox24 fails every request it applies to: funds (nothing sent: a failover moves on)');
      const verify = await createProvider(configs);
      expect((await verify.start({ to: '+491701234567' })).id).toMatch(/^notificore:/);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    const bad = await run(['simulate', '--fail', 'lox24=broke']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toContain('--fail must be VENDOR=HOW with VENDOR lox24, notificore, messagebird and HOW auth, funds, rate-limit, down (e.g. --fail lox24=funds)');
  });
});
