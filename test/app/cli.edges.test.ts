/**
 * The built command at its edges, as a user's shell meets it: pipes closed early, --version,
 * complete --help, --json purity, no colour codes, spreadsheet-safe CSV, e-mail starts, and
 * simulate's --json, fixed ids and busy ports.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, usage } from '../../cli/commands.js';
import { startAll, type RunningSimulators } from '../../cli/simulate.js';
import type { Verification } from '../../providers/index.js';
import type { SeedInput } from '../../testing/base.js';
import { cli, run as runCli, type Run } from '../cli-run.js';

const run = (...args: string[]): Promise<Run> => runCli(args, { timeoutMs: 60_000 });
const dir = mkdtempSync(join(tmpdir(), 'polyverify-edges-'));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let sims: RunningSimulators;
let all: string;
let bird: string;

beforeAll(async () => {
  sims = await startAll();
  all = join(dir, 'all.json');
  writeFileSync(all, JSON.stringify(sims.configs));
  bird = join(dir, 'bird.json');
  writeFileSync(bird, JSON.stringify(sims.configs.find((c) => c.provider === 'messagebird')));
  // Enough rows that an export is still writing when its reader goes away.
  const sim = sims.simulators.find((s) => s.config().provider === 'messagebird') as unknown as { seed(i: SeedInput): string };
  for (let i = 0; i < 3_000; i++) sim.seed({ to: `+3161234${String(i).padStart(4, '0')}`, createdAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000) });
});
afterAll(() => sims.close());

/** Runs the command with its stdout read until `bytes` arrived, then closed (as `| head -c` does). */
function readThenClose(args: string[], bytes: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; read: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let read = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      read += c;
      if (read.length >= bytes) child.stdout.destroy();
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stderr, read }));
  });
}

describe('a reader that stops early', () => {
  it('ends list, demo and get quietly with exit 0, no EPIPE and no stack', async () => {
    const list = await readThenClose(['list', '--format', 'csv', '--config', bird], 200);
    expect(list).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(list.read.startsWith('created_at,provider,id')).toBe(true);
    const demo = await readThenClose(['demo', '--html', join(dir, 'demo.html')], 10);
    expect(demo).toMatchObject({ code: 0, signal: null, stderr: '' });
    const started = JSON.parse((await run('start', '--to', '+31612345678', '--config', bird, '--json')).stdout) as Verification;
    const get = await readThenClose(['get', started.id, '--config', bird], 5);
    expect(get).toMatchObject({ code: 0, signal: null, stderr: '' });
  });
});

describe('--version and --help', () => {
  it('prints the package version for --version, -v and version', async () => {
    for (const flag of ['--version', '-v', 'version']) expect(await run(flag)).toEqual({ code: 0, stdout: `polyverify ${pkg.version}\n`, stderr: '' });
  });

  it('lists every command with a whole sentence, and every flag a command takes in its help', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    for (const [name, spec] of Object.entries(COMMANDS)) {
      expect(top.stdout).toContain(`  ${name.padEnd(10)}${spec.summary}\n`);
      expect(spec.summary).toMatch(/^[A-Z].*\.$/);
      const help = commandHelp(name);
      for (const option of Object.keys(spec.options)) expect(help, `${name} --${option}`).toMatch(new RegExp(`^  (-\\w, )?--${option}\\b`, 'm'));
      for (const line of help.split('\n')) expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(100);
      expect((await run(name, '--help')).stdout).toBe(`${help}\n`);
    }
    expect(usage()).toBe(top.stdout.trimEnd());
    const start = commandHelp('start').replace(/\s+/g, ' ');
    expect(start).toContain('sms, voice, telegram, viber, whatsapp, email'); // the channels allowed
    expect(start).toMatch(/--ttl SECONDS +how long the code can be checked, in seconds/);
  });

  it('answers bad arguments with the usage line and where to find every option', async () => {
    const r = await run('start', '--ttl', '30');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('polyverify start: give exactly one of --to PHONE or --email ADDRESS\nusage: polyverify start (--to PHONE | --email ADDRESS) [options]  (polyverify start --help for every option)\n');
  });
});

describe('output for programs', () => {
  it('--json prints JSON alone on stdout for every command that takes it', async () => {
    const started = await run('start', '--to', '+31612345678', '--config', bird, '--json');
    const v = JSON.parse(started.stdout) as Verification;
    for (const args of [['get', v.id], ['costs', '--from', '2026-11-01'], ['report', '--from', '2026-11-01'], ['list', '--from', '2026-11-30']]) {
      const r = await run(...args, '--config', bird, '--json');
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr).toBe('');
      expect(() => JSON.parse(r.stdout), args.join(' ')).not.toThrow();
    }
  });

  it('never writes colour codes, with NO_COLOR or with FORCE_COLOR', async () => {
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '3', TERM: 'xterm-256color' }] as Record<string, string>[]) {
      for (const args of [['--help'], ['list', '--config', bird, '--from', '2026-11-30'], ['get', 'not-a-uuid', '--config', bird], ['report', '--from', '2026-11-01', '--config', bird]]) {
        const r = await runCli(args, { env });
        expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
      }
    }
  });
});

describe('CSV exports', () => {
  it('guards cells a spreadsheet would run as a formula, and leaves phone numbers as they are', async () => {
    const lox = join(dir, 'lox.json'); // LOX24 keeps a reference (its payload); Bird does not
    writeFileSync(lox, JSON.stringify(sims.configs.find((c) => c.provider === 'lox24')));
    const references = ['=HYPERLINK("http://x.example","click")', '+SUM(1,2)', '-2+3', '@cmd', '\tlead', 'fine'];
    for (const reference of references) expect((await run('start', '--to', '+31612345678', `--reference=${reference}`, '--config', lox)).code).toBe(0);
    const r = await run('list', '--format', 'csv', '--from', '2026-11-30', '--config', lox);
    const rows = parseCsv(r.stdout, { columns: true, relax_quotes: true }) as Record<string, string>[];
    const seen = rows.map((row) => row['reference']).filter((ref) => ref !== '');
    expect(seen.sort()).toEqual(["'=HYPERLINK(\"http://x.example\",\"click\")", "'+SUM(1,2)", "'-2+3", "'@cmd", "'\tlead", 'fine'].sort());
    expect(rows.every((row) => row['to'] === '+31612345678')).toBe(true);
  });
});

describe('start', () => {
  it('takes the e-mail channel for --email when no --channel is given', async () => {
    const r = await run('start', '--email', 'a@example.com', '--config', bird, '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Verification).channels).toEqual([{ channel: 'email' }]);
  });
});

describe('polyverify simulate', () => {
  async function simulate(...args: string[]) {
    const child = spawn(process.execPath, [cli, 'simulate', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const firstLine = async () => {
      while (!stdout.includes('\n') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      return stdout.split('\n')[0]!;
    };
    return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
  }

  async function freePort(): Promise<number> {
    // Four free ports in a row, as the command needs (one per simulator): each is bound once here, then released.
    const bind = (port: number) =>
      new Promise<ReturnType<typeof createServer> | undefined>((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(undefined));
        server.listen(port, '127.0.0.1', () => resolve(server));
      });
    for (;;) {
      const first = await bind(0);
      const port = (first!.address() as { port: number }).port;
      const rest = port < 60_000 ? [await bind(port + 1), await bind(port + 2), await bind(port + 3)] : [];
      await Promise.all([first, ...rest].map((server) => server && new Promise((resolve) => server.close(resolve))));
      if (rest.length === 3 && rest.every(Boolean)) return port;
    }
  }

  it('--json: the config alone on stdout, people’s lines on stderr, then one JSON line per code', async () => {
    const sim = await simulate('--json');
    const configs = JSON.parse(await sim.firstLine()) as { provider: string }[];
    expect(configs.map((c) => c.provider)).toEqual(['lox24', 'notificore', 'messagebird', 'twilio']);
    expect(sim.output().stderr).toContain('polyverify simulate: 4 vendor simulators on 127.0.0.1');
    const file = join(dir, 'sim-bird.json');
    writeFileSync(file, JSON.stringify(configs.find((c) => c.provider === 'messagebird')));
    const v = JSON.parse((await run('start', '--to', '+31612345678', '--config', file, '--json')).stdout) as Verification;
    while (!sim.output().stdout.includes(v.id)) await new Promise((r) => setTimeout(r, 20));
    const delivery = JSON.parse(sim.output().stdout.split('\n').find((line) => line.includes(v.id))!) as Record<string, string>;
    expect(delivery).toMatchObject({ provider: 'messagebird', verificationId: v.id, to: '+31612345678', channel: 'sms', code: expect.stringMatching(/^\d{6}$/) });
    expect((await run('check', v.id, delivery['code']!, '--config', file)).code).toBe(0);
    sim.child.kill('SIGINT');
    expect(await sim.exited).toBe(0);
  });

  it('gives the same credentials and ids on the same --port, so a saved config keeps working', async () => {
    const port = await freePort();
    const first = await simulate('--port', String(port), '--json');
    const config = await first.firstLine();
    first.child.kill('SIGINT');
    await first.exited;
    const second = await simulate('--port', String(port), '--json');
    expect(await second.firstLine()).toBe(config);
    const file = join(dir, 'saved.json');
    writeFileSync(file, JSON.stringify((JSON.parse(config) as { provider: string }[]).find((c) => c.provider === 'messagebird')));
    expect((await run('start', '--to', '+31612345678', '--config', file)).code).toBe(0);
    // A port in use: a clear message and exit 2, not a stack.
    const busy = await run('simulate', '--port', String(port));
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`^polyverify simulate: cannot listen on 127\\.0\\.0\\.1 port ${port}–${port + 3} \\(a port is in use\\): choose another --port`));
    second.child.kill('SIGINT');
    await second.exited;
  });
});
