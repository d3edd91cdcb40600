/**
 * The first day of a new team (issue 33): each trap a team fell into, replayed as the mistake a
 * new user makes, now either working or failing loudly with what to do. One `describe` per trap.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { connectRedisStore } from '../../redis/index.js';
import { MemoryCodeStore, createProvider, providerFromEnv, type PolyverifyConfig, type ProviderConfig, type Verification } from '../../providers/index.js';
import { startSimulator } from '../../testing/index.js';
import type { Lox24Simulator } from '../../providers/lox24/simulator.js';
import type { MessagebirdSimulator } from '../../providers/messagebird/simulator.js';
import type { NotificoreSimulator } from '../../providers/notificore/simulator.js';
import { run } from '../cli-run.js';
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
  const store = { codeStore: new MemoryCodeStore() };

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
