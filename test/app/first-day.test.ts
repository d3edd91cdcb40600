/**
 * The first day of a new team (issue 33): each trap a team fell into, replayed as the mistake a
 * new user makes, now either working or failing loudly with what to do. One `describe` per trap.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
      { field: 'routes', message: 'is not an option of a route config (route, guard, testNumbers, name); a config is one provider\'s, an array, { failover } or { route }' },
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
    expect(bad.stderr).toContain('--fail must be VENDOR=HOW with VENDOR lox24, notificore, messagebird, twilio and HOW auth, funds, rate-limit, down (e.g. --fail lox24=funds)');
  });
});

describe('trap 11: the smaller traps', () => {
  it('the recommended guard is one word in a config, and needs the client’s key', async () => {
    const verify = await createProvider({ ...loxConfig, guard: { preset: 'recommended' } });
    const missing = await rejectionOf(verify.start({ to: '+491701234580' }));
    expect(missing).toMatchObject({ name: 'ValidationError', issues: [{ field: 'options.limitKey', message: expect.any(String) }] });
    for (let i = 0; i < 3; i++) await verify.start({ to: '+491701234580' }, { limitKey: '198.51.100.7' });
    const fourth = await rejectionOf(verify.start({ to: '+491701234580' }, { limitKey: '198.51.100.7' }));
    expect(fourth.message).toBe('lox24 start refused by the guard: too many verifications for this recipient (3 per 600 s); try again in 600 s');
    const bad = await rejectionOf(createProvider({ ...loxConfig, guard: { preset: 'strict' } } as never));
    expect(bad.issues).toEqual([{ field: 'guard.preset', message: "must be 'recommended'" }]);
  });

  it('a guard’s refusal says it is the guard’s, in front of a route', async () => {
    const verify = await createProvider({ route: { '+44': birdConfig, default: [loxConfig, ncConfig] }, guard: { perPhone: { max: 1, windowSeconds: 600 } } });
    await verify.start({ to: '+491701234581' });
    const error = await rejectionOf(verify.start({ to: '+491701234581' }));
    expect(error).toMatchObject({ name: 'RateLimitError', provider: 'route', sent: 'no' });
    expect(error.message).toBe('route start refused by the guard: too many verifications for this recipient (1 per 600 s); try again in 600 s');
  });

  it('strictNumbers says why Ofcom’s drama numbers and the NANP’s 555-01xx are refused', async () => {
    const verify = await createProvider({ ...loxConfig, guard: { strictNumbers: true } });
    for (const [to, range] of [['+447700900123', "Ofcom's 07700 900xxx"], ['+442079460123', "Ofcom's 020 7946 0xxx"], ['+12125550142', "the NANP's 555-01xx"]] as const) {
      const error = await rejectionOf(verify.start({ to }));
      expect(error.issues).toEqual([{ field: 'to', message: `is in a range kept for drama and examples (${range}), never a real phone; use a real number, or leave strictNumbers off in tests` }]);
    }
    expect((await verify.start({ to: '+447911123456' })).status).toBe('pending');
  });

  it('the example backend ships in the package', async () => {
    const packed = await new Promise<string>((resolve, reject) => execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, out) => (error ? reject(error) : resolve(out))));
    const files = (JSON.parse(packed) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['examples/backend.ts', 'examples/quickstart.ts']));
  });

  it('every key polyverify writes to Redis is in docs/scaling.md’s key table', async () => {
    const redis = await startRedisServer();
    const client = createClient({ url: redis.url });
    await client.connect();
    const shared = await connectRedisStore(redis.url);
    onTestFinished(async () => {
      await shared.close();
      await client.quit();
      await redis.kill();
    });
    const guardRules = { perPhone: [{ max: 3, windowSeconds: 600 }], perKey: { max: 9, windowSeconds: 60 }, perCountry: { max: 99, windowSeconds: 60 }, total: { max: 999, windowSeconds: 60 } };
    const verify = await createProvider({ failover: [loxConfig, ncConfig], guard: guardRules }, { store: shared });
    const v = await verify.start({ to: '+491701234582' }, { limitKey: 'k' });
    await verify.check(v.id, '000000');
    const viaNc = await createProvider(ncConfig, { store: shared });
    const n = await viaNc.start({ to: '+491701234583' });
    await viaNc.check(n.id, '000000');
    const table = readFileSync(join(ROOT, 'docs/scaling.md'), 'utf8').match(/^\| `pv:[^`]+` \|/gm)!.map((row) => row.slice(3, -3));
    const patterns = table.map((key) => new RegExp(`^${key.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{ID\}/g, '\\{[^}]+\\}').replace(/<[^>]+>/g, '[^:]+')}$`));
    const keys = await client.keys('pv:*');
    expect(keys.filter((key) => !patterns.some((p) => p.test(key)))).toEqual([]);
    // And the table holds nothing this flow does not write, but the webhook ids, adaptive()'s outcomes and the pumping figures (tested apart: test/routing/outcomes.test.ts and redis.test.ts).
    expect(table.filter((_, i) => !keys.some((key) => patterns[i]!.test(key)))).toEqual(['pv:webhook:<event id>', 'pv:{out}:p:<id>', 'pv:{out}:due', 'pv:{out}:t:<member>\\|<level>', 'pv:{out}:s:<id>', 'pv:{out}:r:<id>', 'pv:limit:pump:<scope>:{out}:…']);
  });
});

describe('the data model, documented', () => {
  it('docs/model.md names every field of every model type', () => {
    const model = readFileSync(join(ROOT, 'src/model.ts'), 'utf8') + readFileSync(join(ROOT, 'src/money.ts'), 'utf8');
    const doc = readFileSync(join(ROOT, 'docs/model.md'), 'utf8');
    const types = ['Verification', 'DeliveryAttempt', 'ChannelStep', 'Money', 'CheckResult', 'StartRequest', 'ListQuery'];
    const missing: string[] = [];
    for (const type of types) {
      const body = new RegExp(`export interface ${type}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(model)![1]!;
      const section = doc.slice(doc.indexOf(`## ${type}`) === -1 ? doc.indexOf(`### ${type}`) : doc.indexOf(`## ${type}`));
      for (const [, field] of body.matchAll(/^ {2}readonly (\w+)\??:/gm)) if (!section.includes(`| \`${field}\` |`)) missing.push(`${type}.${field}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('the First day walkthrough (docs/first-day.md), as written', () => {
  const doc = readFileSync(join(ROOT, 'docs/first-day.md'), 'utf8');
  const blocks = (language: string) => [...doc.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => m[1]!);

  it('its code is examples/first-day.ts, verbatim', () => {
    expect(blocks('ts').join('\n\n') + '\n').toBe(readFileSync(join(ROOT, 'examples/first-day.ts'), 'utf8'));
  });

  it('runs: two instances on one Redis, route and failover, a shared guard, a safe check, the report, the CLI', async () => {
    // The page's config, with the simulators' credentials where it has "…".
    const sims: Record<string, ProviderConfig> = { lox24: loxConfig, notificore: ncConfig, messagebird: birdConfig };
    const withSims = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(withSims) : typeof value === 'object' && value !== null ? ('provider' in value ? sims[(value as { provider: string }).provider] : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSims(v)]))) : value;
    const configFile = join(dir, 'polyverify.json');
    writeFileSync(configFile, JSON.stringify(withSims(JSON.parse(blocks('json')[0]!))));
    const redis = await startRedisServer();
    const { createSignupService } = await import('../../examples/first-day.js');
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const [a, b] = await Promise.all([0, 1].map(() => createSignupService({ configFile, redisUrl: redis.url, logger: quiet, clientIp: () => '203.0.113.9' })));
    onTestFinished(async () => {
      await Promise.all([a!.close(), b!.close()]);
      await redis.kill();
    });
    const post = async (app: Awaited<ReturnType<typeof createSignupService>>['app'], path: string, body: unknown) => {
      const response = await app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get('retry-after') };
    };

    const uk = await post(a!.app, '/signup/start', { phone: '+447911123456' });
    expect(uk).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^messagebird:/) } });
    const de = await post(a!.app, '/signup/start', { phone: '+491701234590' });
    expect(de).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^failover:lox24:/) } });
    const id = de.body['id'] as string;
    const code = lox.lastCode(id.split(':').pop()!)!;
    // Checked by the other instance: the code's hash is in the shared store.
    expect(await post(b!.app, '/signup/check', { id, code: code === '000000' ? '111111' : '000000' })).toMatchObject({ status: 422, body: { verified: false, status: 'pending', reason: 'incorrect_code' } });
    expect(await post(b!.app, '/signup/check', { id, code })).toEqual({ status: 200, body: { verified: true, status: 'verified' }, retryAfter: null });

    // The guard's limits are shared: the fourth code for one phone is refused, whichever instance asks.
    for (const app of [a!.app, b!.app]) expect((await post(app, '/signup/start', { phone: '+491701234591' })).status).toBe(201);
    expect((await post(a!.app, '/signup/start', { phone: '+491701234591' })).status).toBe(201);
    expect(await post(b!.app, '/signup/start', { phone: '+491701234591' })).toMatchObject({ status: 429, retryAfter: '600' });
    // Drama numbers and typos are 400s that say why.
    expect(await post(a!.app, '/signup/start', { phone: '+447700900123' })).toMatchObject({ status: 400, body: { error: expect.stringContaining("Ofcom's 07700 900xxx") } });

    const report = await a!.app.request('/admin/report');
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('<h1>Vendor scorecard</h1>');

    // The CLI, as the page writes it, on the same file, Redis, prefix and retention.
    const command = doc.match(/^npx polyverify get \S+ (--config polyverify\.json --redis-prefix signup: --redis-retain-seconds 2678400)$/m)!;
    const args = command[1]!.replace('polyverify.json', configFile).split(' ');
    const got = await run(['get', id, ...args, '--json'], { env: { POLYVERIFY_REDIS_URL: redis.url } });
    expect(got.stderr).toBe('');
    expect(JSON.parse(got.stdout)).toMatchObject({ id, status: 'verified' });
  });
});
