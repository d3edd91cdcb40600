/**
 * No secret reaches any surface, for every vendor: a server that echoes each request (its
 * headers and body, so the credentials and the plaintext code) back in its error text, at every
 * status a vendor can answer. Searched: the message, the stack, every cause in the chain,
 * `JSON.stringify`, `util.inspect` at full depth with hidden properties, every event, and the
 * CLI's stdout and stderr (with `--debug`). No substring of 8 characters or more of a secret,
 * nor of the phone number, may appear.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, type ProviderConfig, type VerifyEvent, type VerifyProvider } from '../../providers/index.js';
import { startHostileServer } from '../../testing/index.js';
import { logEvents } from '../../src/logger.js';
import { rejectionOf } from '../helpers.js';
import type { HostileRequest } from '../../testing/hostile.js';
import type { HostileServer } from '../../testing/hostile.js';

const PHONE = '+491701234567';
const ID = '00000000-0000-4000-8000-000000000000';
const STATUSES = [400, 401, 403, 404, 409, 422, 429, 500, 503];

/** Every view of a value a user, a log or a tracker can see. */
function surfaces(value: unknown): string {
  const views: string[] = [String(value), JSON.stringify(value) ?? '', inspect(value, { depth: Infinity, showHidden: true, getters: true })];
  const seen = new Set<unknown>();
  for (let at: unknown = value; at instanceof Error && !seen.has(at); at = at.cause) {
    seen.add(at);
    views.push(at.message, at.stack ?? '', JSON.stringify(at) ?? '', inspect(at, { depth: Infinity, showHidden: true }));
  }
  return views.join('\n');
}

/** The 8-character pieces of each secret that are found in `text`. */
function leaks(text: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) found.push(secret.slice(i, i + 8));
  return found;
}

/** The secrets a server received: the configured ones, and any code or bearer token seen in the requests. */
function secretsSent(server: { requests: readonly { headers: Record<string, unknown>; body: string }[] }, configured: readonly string[]): string[] {
  const secrets = new Set(configured);
  for (const request of server.requests) {
    const auth = request.headers.authorization;
    if (typeof auth === 'string') secrets.add(auth.replace(/^\w+\s+/, ''));
    try {
      const body = JSON.parse(request.body) as Record<string, unknown>;
      for (const key of ['code', 'api_key']) if (typeof body[key] === 'string') secrets.add(body[key]);
    } catch {
      // not JSON: nothing more to learn from it
    }
  }
  return [...secrets].filter((s) => s.length >= 8);
}

interface VendorCase {
  readonly vendor: 'lox24' | 'notificore' | 'messagebird' | 'twilio';
  readonly config: (baseUrl: string) => ProviderConfig;
  /** An id of the vendor's format (a UUID where absent). */
  readonly id?: string;
  readonly secrets: readonly string[];
  /** A server in front of which the vendor's calls get as far as the echo (Notificore logs in first). */
  readonly server: (status: number) => Promise<HostileServer>;
}

const servers: Server[] = [];
/** Notificore: a login that succeeds with a long bearer token, then an echo of every request. */
async function loginThenEcho(status: number): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const bearer = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: 4_000_000_000 })).toString('base64url')}.bearer-signature-never-shown-0123`;
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    if (req.url === '/api/auth/login') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ bearer }));
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: JSON.stringify({ headers: req.headers, body }) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests, close: async () => undefined };
}
afterAll(async () => {
  await Promise.all(servers.map((s) => (s.closeAllConnections(), new Promise((resolve) => s.close(resolve)))));
});

const WORKSPACE = 'f0e1d2c3-b4a5-4968-8776-655443322110';
const CASES: readonly VendorCase[] = [
  {
    vendor: 'lox24',
    config: (baseUrl) => ({ provider: 'lox24', token: '7654321:lox24-token-never-shown-0123456', secret: 'hmac-secret-never-shown-0123', baseUrl, retries: 0 }),
    secrets: ['7654321:lox24-token-never-shown-0123456', 'hmac-secret-never-shown-0123'],
    server: (status) => startHostileServer({ kind: 'answer', status, echo: true }),
  },
  {
    vendor: 'notificore',
    config: (baseUrl) => ({ provider: 'notificore', apiKey: 'live_nc_key_hidden_0123_abcd', sender: 'MyApp', templateId: 1, baseUrl, retries: 0 }),
    secrets: ['live_nc_key_hidden_0123_abcd'],
    server: loginThenEcho,
  },
  {
    vendor: 'messagebird',
    config: (baseUrl) => ({ provider: 'messagebird', accessKey: 'bird-access-key-never-shown-0123', workspaceId: WORKSPACE, channels: { sms: { navigatorId: WORKSPACE } }, baseUrl, retries: 0 }),
    secrets: ['bird-access-key-never-shown-0123'],
    server: (status) => startHostileServer({ kind: 'answer', status, echo: true }),
  },
  {
    vendor: 'twilio',
    // The Basic header carries the Auth Token base64-encoded: secretsSent adds that value to the search.
    config: (baseUrl) => ({ provider: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: 'twilio-auth-token-never-shown-01', serviceSid: `VA${'0'.repeat(32)}`, baseUrl, retries: 0 }),
    id: `VE${'0'.repeat(32)}`,
    secrets: ['twilio-auth-token-never-shown-01'],
    server: (status) => startHostileServer({ kind: 'answer', status, echo: true }),
  },
];

describe.each(CASES)('$vendor: an echoing vendor leaks nothing', ({ vendor, config, secrets, server: serve, id = ID }) => {
  it.each(STATUSES)('HTTP %i, on start, check and get, in the error, its causes, the events and the log lines', async (status) => {
    const server = await serve(status);
    const events: VerifyEvent[] = [];
    // The logger bridge at its most talkative, both styles: every line it writes is searched too.
    const lines: unknown[][] = [];
    const logger = { debug: (...a: unknown[]) => void lines.push(a), info: (...a: unknown[]) => void lines.push(a), warn: (...a: unknown[]) => void lines.push(a), error: (...a: unknown[]) => void lines.push(a) };
    const bridges = [logEvents(logger, { level: 'debug' }), logEvents(logger, { level: 'debug', style: 'message-first' })];
    const provider: VerifyProvider = await createProvider(config(server.url), { onEvent: (e) => (events.push(e), bridges.forEach((log) => log(e))) });
    const settle = (call: Promise<unknown>) => call.then((result) => result, (error: unknown) => error);
    const errors = [
      await rejectionOf(provider.start({ to: PHONE, ...(vendor === 'lox24' && { code: '48291375' }) })),
      await settle(provider.check(id, '48291375')), // LOX24 checks locally; a 404 may be a "not found" result
      await rejectionOf(provider.get(id)),
    ];
    const all = [...secretsSent(server, secrets), '48291375', PHONE];
    expect(server.requests.some((r) => r.body.includes('48291375') || JSON.stringify(r.headers).includes(secrets[0]!.slice(0, 8)))).toBe(true); // the echo did carry them
    expect(leaks([...errors.map(surfaces), ...events.map(surfaces), ...lines.map(surfaces), surfaces(provider)].join('\n'), all)).toEqual([]);
    expect(lines.length).toBe(2 * events.length);
    expect(events.filter((e) => e.type === 'error')).not.toHaveLength(0);
    await server.close();
  });
});

describe('test numbers leak neither their code nor their number', () => {
  it('in results, errors, events, log lines, inspect and JSON, and through the CLI with --debug', async () => {
    const server = await startHostileServer({ kind: 'answer', status: 500, echo: true });
    const listed = { numbers: { '+15555550100': '48291375' }, validUntil: '2099-12-31' };
    const config = { ...CASES[1]!.config(server.url), testNumbers: listed };
    const events: VerifyEvent[] = [];
    const lines: unknown[][] = [];
    const logger = { debug: (...a: unknown[]) => void lines.push(a), info: (...a: unknown[]) => void lines.push(a), warn: (...a: unknown[]) => void lines.push(a), error: (...a: unknown[]) => void lines.push(a) };
    const log = logEvents(logger, { level: 'debug' });
    const provider = await createProvider(config as ProviderConfig, { onEvent: (e) => (events.push(e), log(e)) });
    const v = await provider.start({ to: '+15555550100' });
    const results = [v.id, await provider.check(v.id, '00000000'), await provider.check(v.id, '48291375'), await provider.get(v.id), await provider.cancel(v.id)];
    const expired = await createProvider({ ...config, testNumbers: { ...listed, validUntil: '2020-01-01' } } as ProviderConfig);
    const error = await rejectionOf(expired.start({ to: '+15555550100' }));
    const file = join(mkdtempSync(join(tmpdir(), 'polyverify-test-numbers-')), 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const run = (...args: string[]) => new Promise<string>((resolve) => execFile(process.execPath, [cli, ...args], { timeout: 30_000, env: { PATH: process.env.PATH } }, (_e, stdout, stderr) => resolve(`${stdout}\n${stderr}`)));
    const started = JSON.parse((await run('start', '--to', '+15555550100', '--config', file, '--json')).split('\n')[0]!) as { id: string };
    const output = [await run('check', started.id, '00000000', '--config', file, '--debug'), await run('check', started.id, '48291375', '--config', file, '--debug', '--json')];
    // What a result carries about the recipient (`to`) is the caller's own; everything else is searched.
    const text = [...results.map((r) => (typeof r === 'object' && r !== null && 'to' in r ? surfaces({ ...r, to: '' }) : surfaces(r))), surfaces(error), ...events.map(surfaces), ...lines.map(surfaces), surfaces(provider), ...output].join('\n');
    expect(leaks(text, ['48291375'])).toEqual([]);
    expect(text).not.toContain('5555550100');
    expect(output[1]).toMatch(/"verified": ?true/);
    await server.close();
  });
});

describe('the CLI leaks nothing either', () => {
  const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'polyverify-secrets-'));
  const run = (...args: string[]) =>
    new Promise<string>((resolve) => execFile(process.execPath, [cli, ...args], { timeout: 30_000, env: { PATH: process.env.PATH } }, (_e, stdout, stderr) => resolve(`${stdout}\n${stderr}`)));
  let started: { vendor: VendorCase; server: HostileServer; file: string }[];
  beforeAll(async () => {
    started = await Promise.all(
      CASES.map(async (vendor) => {
        const server = await vendor.server(500);
        const file = join(dir, `${vendor.vendor}.json`);
        writeFileSync(file, JSON.stringify(vendor.config(server.url)));
        return { vendor, server, file };
      }),
    );
  });

  it.each(CASES.map((c) => c.vendor))('%s: start, check, get and list, with --debug, plain and --json', async (name) => {
    const { vendor, server, file } = started.find((s) => s.vendor.vendor === name)!;
    const output: string[] = [];
    for (const json of [[], ['--json']]) {
      output.push(await run('start', '--to', PHONE, '--config', file, '--debug', ...json));
      output.push(await run('check', vendor.id ?? ID, '48291375', '--config', file, '--debug', ...json));
      output.push(await run('get', vendor.id ?? ID, '--config', file, '--debug', ...json));
      output.push(await run('list', '--config', file, '--debug', ...json));
    }
    const text = output.join('\n');
    expect(text).toMatch(/Error|error/);
    expect(leaks(text, [...secretsSent(server, vendor.secrets), '48291375', PHONE])).toEqual([]);
  });
});
