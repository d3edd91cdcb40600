/**
 * The built `polyverify` command as a subprocess (`npm test` builds first), against the
 * simulators running in this test process, configured through --config.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, run as runCli, type Run } from '../cli-run.js';
import { main } from '../../cli/main.js';
import { startAll, type RunningSimulators } from '../../cli/simulate.js';
import type { Verification } from '../../providers/index.js';

const dir = mkdtempSync(join(tmpdir(), 'polyverify-cli-'));

const run = (...args: string[]): Promise<Run> => runCli(args);

let sims: RunningSimulators;
let all: string; // a config file with the four simulators, in failover order
const single: Record<string, string> = {};

beforeAll(async () => {
  sims = await startAll();
  all = join(dir, 'all.json');
  writeFileSync(all, JSON.stringify(sims.configs));
  for (const config of sims.configs) {
    single[config.provider] = join(dir, `${config.provider}.json`);
    writeFileSync(single[config.provider]!, JSON.stringify(config));
  }
});
afterAll(() => sims.close());

const verification = (r: Run) => JSON.parse(r.stdout) as Verification;
const codeOf = (id: string) => sims.inbox({ id } as Verification).code;

describe('polyverify demo', () => {
  it('walks through every step and exits 0', async () => {
    const html = join(dir, 'demo-report.html');
    const { code, stdout, stderr } = await run('demo', '--html', html);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const step of [
      '1. LOX24 transports codes',
      'wrong code  verified false, reason incorrect_code, 4 attempts left',
      'right code  verified true, status verified',
      '2. Notificore owns the code',
      '3. Bird',
      '4. Twilio',
      'again       verified false, reason already_verified (Twilio answered 404; its attempts say it was approved)',
      'cost        0.0050 USD (Twilio prices each delivery attempt)',
      'decisions   lox24 try → lox24 next (connection, sent no) → notificore try → notificore sent',
      'check       through a fresh failover from the same config: verified true',
      '6. Everything, across the four vendors, newest first',
      '7. Exact cost summary',
      '8. The vendor scorecard: 4000 past verifications seeded over 14 days',
      `report      ${html}`,
      '9. Routing from the data: a market with a ground truth',
      'adaptive (balanced)                                0.0352 EUR per verified user, 86.5 % verified',
      'country  verified  EUR/verified  vendor  → verified  EUR/verified  vendor',
      'IN       41.5 %    0.0361        lox24   85.0 %      0.0143        notificore',
      "27 % less per verified user; adaptive's pick is the oracle's (cheapest within 5 % of the best conversion) in 10 of 10 countries",
      '10. A test number for app-store review',
      'wrong code  verified false, reason incorrect_code, 4 attempts left (the limit holds)',
      'vendors     0 requests',
      'done:',
    ]) {
      expect(stdout).toContain(step);
    }
    // The scorecard's providers, each with a figure for every column, and the page written.
    for (const provider of ['lox24', 'messagebird', 'notificore', 'twilio']) expect(stdout).toMatch(new RegExp(`\\n {3}${provider} +\\* +\\d+ +\\d+ +\\d+ +\\d+\\.\\d %`));
    expect(readFileSync(html, 'utf8')).toContain('<h1>Vendor scorecard</h1>');
    expect(stdout).toMatch(/\n {5}messagebird +1 {2}no final cost {2}\(0 priced, 1 not final\)\n/); // never a bare 0
    // One cost per verification: what step 2 shows for the Notificore check is what the list shows.
    const checked = /right code {2}verified true, cost (\S+ \S+)/.exec(stdout)?.[1];
    expect(checked).toMatch(/^0\.\d+ EUR$/);
    const row = stdout.split('\n').find((line) => line.includes('notificore') && line.includes('+61401'));
    expect(row?.trimEnd().endsWith(checked!)).toBe(true);
  });
});

describe('polyverify simulate', () => {
  it('prints the simulators, a config that works and each code delivered, and stops on SIGINT', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [cli, 'simulate'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const until = async (text: string | RegExp) => {
      while (typeof text === 'string' ? !out.includes(text) : !text.test(out)) await new Promise((r) => setTimeout(r, 25));
    };
    await until('Codes delivered');
    expect(out).toMatch(/^LOX24 +http:\/\/127\.0\.0\.1:\d+ +X-LOX24-AUTH-TOKEN: /m);
    const config = join(dir, 'simulated.json');
    writeFileSync(config, out.slice(out.indexOf('['), out.lastIndexOf(']') + 1));
    const started = verification(await run('start', '--to', '+61401629754', '--config', config, '--json'));
    expect(started.provider).toBe('lox24');
    await until(new RegExp(`lox24 +${started.id.slice('lox24:'.length)} +sms +to \\+61401629754 +code \\d{6}`));
    // Notificore checks its codes itself, so the code printed can be checked from another process.
    const nc = join(dir, 'simulated-notificore.json');
    writeFileSync(nc, JSON.stringify((JSON.parse(readFileSync(config, 'utf8')) as { provider: string }[]).find((c) => c.provider === 'notificore')));
    const other = verification(await run('start', '--to', '+61401629754', '--config', nc, '--json'));
    await until(new RegExp(`notificore +${other.id} +sms +to \\+61401629754 +code (\\d+)`));
    const code = new RegExp(`notificore +${other.id} +sms +to \\+61401629754 +code (\\d+)`).exec(out)![1]!;
    expect((await run('check', other.id, code, '--config', nc)).code).toBe(0);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe('a guard in the config', () => {
  it('is honoured: limits shared through --redis (exit 7, nothing sent), a country refusal (exit 2)', async () => {
    const { startRedisServer } = await import('../redis-server.js');
    const redis = await startRedisServer();
    try {
      const lox = sims.configs.find((c) => c.provider === 'lox24')!;
      const file = join(dir, 'guarded.json');
      writeFileSync(file, JSON.stringify({ ...lox, guard: { perPhone: { max: 1, windowSeconds: 600 }, perKey: { max: 5, windowSeconds: 600 }, countries: { allow: ['DE'] } } }));
      const first = await run('start', '--to', '+491701234999', '--config', file, '--redis', redis.url, '--limit-key', 'tester');
      expect(first).toMatchObject({ code: 0, stderr: '' });
      const loxSim = sims.simulators[sims.configs.indexOf(lox)]!;
      const sent = loxSim.requestCount;
      const again = await run('start', '--to', '+491701234999', '--config', file, '--redis', redis.url);
      expect(again.code).toBe(7);
      expect(again.stderr).toMatch(/^polyverify start: RateLimitError: lox24 start refused by the guard: too many verifications for this recipient \(1 per 600 s\); try again in \d+ s — wait, then try again\n$/);
      expect(loxSim.requestCount).toBe(sent);
      const abroad = await run('start', '--to', '+447400123456', '--config', file);
      expect(abroad.code).toBe(2);
      expect(abroad.stderr).toBe('polyverify start: ValidationError: Refused by the guard: to: is in a country this service does not send to (GB) — fix the input (see --help)\n');
    } finally {
      await redis.stop();
    }
  });
});

describe('operations through --config', () => {
  it('start, check (wrong then right), get, resend and cancel on Notificore', async () => {
    const started = await run('start', '--to', '+61401629754', '--channel', 'sms', '--config', single.notificore!, '--json');
    expect(started.code).toBe(0);
    const v = verification(started);
    expect(v).toMatchObject({ provider: 'notificore', status: 'pending', to: '+61401629754' });
    const wrong = await run('check', v.id, '000000', '--config', single.notificore!);
    expect(wrong.code).toBe(9);
    expect(wrong.stdout).toContain('reason       incorrect_code');
    const resent = await run('resend', v.id, '--config', single.notificore!, '--json');
    expect(resent.code).toBe(0);
    const right = await run('check', v.id, codeOf(v.id), '--config', single.notificore!);
    expect(right).toMatchObject({ code: 0, stderr: '' });
    expect(right.stdout).toContain('verified     true');
    const got = await run('get', v.id, '--config', single.notificore!);
    expect(got.stdout).toMatch(/^status {7}verified$/m);
    const other = verification(await run('start', '--to', '+61401629754', '--config', single.notificore!, '--json'));
    expect(verification(await run('cancel', other.id, '--config', single.notificore!, '--json')).status).toBe('canceled');
  });

  it('start, check (wrong, right, then a replay read from its attempts), get with its price, and a refused failover on Twilio', async () => {
    const v = verification(await run('start', '--to', '+14155552671', '--channel', 'whatsapp', '--config', single.twilio!, '--json'));
    expect(v).toMatchObject({ provider: 'twilio', status: 'pending', to: '+14155552671', channels: [{ channel: 'whatsapp' }] });
    const wrong = await run('check', v.id, codeOf(v.id) === '000000' ? '111111' : '000000', '--config', single.twilio!);
    expect(wrong.code).toBe(9);
    expect(wrong.stdout).toContain('reason       incorrect_code');
    expect((await run('check', v.id, codeOf(v.id), '--config', single.twilio!)).stdout).toContain('verified     true');
    const replay = await run('check', v.id, codeOf(v.id), '--config', single.twilio!);
    expect(replay.code).toBe(9);
    expect(replay.stdout).toContain('reason       already_verified');
    const got = verification(await run('get', v.id, '--config', single.twilio!, '--json'));
    expect(got).toMatchObject({ status: 'verified', cost: { amount: '0.0050', currency: 'USD' } });
    const failover = await run('failover', v.id, '--config', single.twilio!);
    expect(failover.stderr).toMatch(/^polyverify failover: UnsupportedError: twilio failover: Twilio keeps no channel plan/);
  });

  it('a test number: start and check in separate runs of the CLI, no vendor asked, the code never printed', async () => {
    const file = join(dir, 'test-numbers.json');
    writeFileSync(file, JSON.stringify({ failover: sims.configs, testNumbers: { numbers: { '+15555550100': '424242' }, validUntil: '2099-12-31' } }));
    const before = sims.simulators.reduce((n, sim) => n + sim.requestCount, 0);
    const v = verification(await run('start', '--to', '+15555550100', '--config', file, '--json'));
    expect(v).toMatchObject({ to: '+15555550100', status: 'pending', test: true, cost: null });
    const wrong = await run('check', v.id, '000000', '--config', file);
    expect(wrong.code).toBe(9);
    const right = await run('check', v.id, '424242', '--config', file);
    expect(right).toMatchObject({ code: 0, stderr: '' });
    expect(right.stdout).toContain('verified     true');
    expect(right.stdout + wrong.stdout + wrong.stderr).not.toContain('424242');
    expect(sims.simulators.reduce((n, sim) => n + sim.requestCount, 0)).toBe(before);
  });

  it('failover moves a Bird verification to its next step', async () => {
    const steps = verification(await run('start', '--to', '+31612345678', '--channel', 'whatsapp', '--channel', 'sms', '--config', single.messagebird!, '--json'));
    const moved = verification(await run('failover', steps.id, '--config', single.messagebird!, '--json'));
    expect(moved.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'sms']);
    expect(sims.inbox(moved).channel).toBe('sms');
  });

  it('failover past the last step: Bird refuses, one line, exit 6', async () => {
    const bird = join(dir, 'bird-steps.json');
    const config = sims.configs[2]!;
    writeFileSync(bird, JSON.stringify({ ...config, defaultChannels: [{ channel: 'email' }] }));
    const v = verification(await run('start', '--email', 'ann@example.com', '--config', bird, '--json'));
    expect(v.channels).toEqual([{ channel: 'email' }]);
    const moved = await run('failover', v.id, '--config', bird);
    expect(moved.code).toBe(6); // one step only
    expect(moved.stderr.trim().split('\n')).toHaveLength(1);
    expect(moved.stderr).toMatch(/^polyverify failover: RejectedError: messagebird failover: HTTP 422: There is no next step to fail over to \(NoNextStep\) — /);
  });

  it('a failover config starts on the first vendor and routes later calls by the id', async () => {
    const v = verification(await run('start', '--to', '+61401629754', '--config', all, '--json'));
    expect(v.id).toMatch(/^lox24:/);
    const got = await run('get', v.id, '--config', all, '--json');
    expect(verification(got).id).toBe(v.id);
  });
});

describe('list and costs', () => {
  const references = ['plain', 'a,b', 'say "hi"', 'line one\nline two', 'trailing\r\n'];

  beforeAll(async () => {
    for (const reference of references) {
      const r = await run('start', '--to', '+491701234567', '--reference', reference, '--config', single.lox24!, '--json');
      expect(r.code).toBe(0);
    }
  });

  it('CSV with commas, quotes and newlines round-trips through a CSV parser', async () => {
    const out = join(dir, 'export.csv');
    const r = await run('list', '--provider', 'lox24', '--format', 'csv', '--out', out, '--config', all);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    const rows = parseCsv(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row['reference']).filter((ref) => references.includes(ref!)).sort()).toEqual([...references].sort());
    expect(rows.every((row) => /^lox24:/.test(row['id']!))).toBe(true);
  });

  it('json, ndjson and table formats, filtered', async () => {
    const json = JSON.parse((await run('list', '--format', 'json', '--reference', 'a,b', '--config', all)).stdout) as Verification[];
    expect(json.map((v) => v.reference)).toEqual(['a,b']);
    const ndjson = (await run('list', '--format', 'ndjson', '--provider', 'lox24', '--config', all)).stdout.trim().split('\n');
    expect(ndjson.length).toBeGreaterThanOrEqual(references.length);
    expect(ndjson.every((line) => JSON.parse(line).provider === 'lox24')).toBe(true);
    const table = (await run('list', '--status', 'pending', '--config', single.lox24!)).stdout.split('\n');
    expect(table[0]).toMatch(/^created +provider +id +to +status +channel +cost +reference$/);
    expect(table.some((line) => line.endsWith('line one⏎line…'))).toBe(true); // line breaks shown, long cells cut
    // Fixed columns, known before the first row: every row is as wide as the rule, or narrower (a short last cell).
    expect(Math.max(...table.filter(Boolean).map((line) => line.length))).toBe(table[1]!.length);
    expect(table[1]!.length).toBeLessThanOrEqual(150);
  });

  it('--id takes the routable ids of a failover config, and bare vendor ids', async () => {
    const all_ = JSON.parse((await run('list', '--format', 'json', '--provider', 'lox24', '--config', all)).stdout) as Verification[];
    const routable = all_[0]!.id;
    expect(routable).toMatch(/^lox24:/);
    const byRoutable = JSON.parse((await run('list', '--format', 'json', '--id', routable, '--config', all)).stdout) as Verification[];
    expect(byRoutable.map((v) => v.id)).toEqual([routable]);
    const byBare = JSON.parse((await run('list', '--format', 'json', '--id', routable.slice('lox24:'.length), '--config', all)).stdout) as Verification[];
    expect(byBare.map((v) => v.id)).toEqual([routable]);
  });

  it('costs totals per provider, channel and currency', async () => {
    const r = await run('costs', '--from', '2020-01-01', '--config', all, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.count).toBeGreaterThan(0);
    expect(Object.keys(summary.costByProvider).sort()).toEqual(expect.arrayContaining(['lox24']));
    expect((await run('costs', '--config', all)).code).toBe(2);
  });

  it('shows progress on a terminal while exporting', async () => {
    const err: string[] = [];
    const sink: string[] = [];
    const { Writable } = await import('node:stream');
    const stdout = new Writable({ write: (chunk, _enc, done) => (sink.push(String(chunk)), done()) });
    const code = await main(['list', '--format', 'ndjson', '--config', all], { out: () => undefined, err: (l) => err.push(l), stdout, stderrIsTty: true, env: {} });
    expect(code).toBe(0);
    expect(err.at(-1)).toMatch(/^\r\d+ records, \d+ pages, \d+\/s\n$/);
  });
});

describe('errors', () => {
  it('bad arguments give the usage line and exit 2', async () => {
    for (const args of [['bogus'], ['start', '--config', all], ['check', 'only-an-id'], ['list', '--format', 'xml'], ['start', '--to', '+49170', '--ttl', 'soon']]) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\nusage: polyverify/);
    }
    expect((await run()).code).toBe(2);
    expect((await run('list', '--help')).stdout).toContain('usage: polyverify list');
  });

  it('a vendor error gives its exit code and one line, with no secret', async () => {
    const wrongKey = join(dir, 'wrong.json');
    writeFileSync(wrongKey, JSON.stringify({ ...sims.configs[1], apiKey: 'live_wrong_SECRET_key' }));
    const r = await run('start', '--to', '+61401629754', '--config', wrongKey);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^polyverify start: AuthenticationError: notificore auth: HTTP 401: Unauthenticated\. — check the credentials and the account\n$/);
    expect(r.stderr).not.toContain('SECRET');
    const missing = await run('get', '00000000-0000-4000-8000-000000000000', '--config', single.notificore!);
    expect(missing.code).toBe(5);
    const noConfig = await run('get', 'x');
    expect(noConfig.code).toBe(3);
    expect(noConfig.stderr).toBe("polyverify get: ValidationError: Invalid environment: POLYVERIFY_PROVIDER: is not set — fix the configuration\n");
  });

  it('--debug adds the stack', async () => {
    const r = await run('get', 'x', '--debug');
    expect(r.stderr.split('\n').length).toBeGreaterThan(3);
  });
});
