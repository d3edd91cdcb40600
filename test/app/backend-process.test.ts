/**
 * The example backend as a process of its own (built from examples/backend.ts, started as
 * `npm run backend` starts it) on a real Redis: SIGTERM under 50 keep-alive connections of load
 * drains it — it exits by itself, before its deadline, every code the vendor delivered has its
 * answer at the client, and a connection takes no new request after its answer in flight; and
 * two instances hand a webhook event to the application once between them (the seen store in
 * Redis, as the example's header promises).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { buildBackend } from '../../scripts/build-backend.mjs';
import { startSimulator } from '../../testing/index.js';
import { freePort } from '../ports.js';
import { startRedisServer, type RedisServer } from '../redis-server.js';

const TOKEN = '1234567:simulator0000000000000000000000';
const SECRET = 'backend-process-secret-0123456789';
const WEBHOOK_TOKEN = 'backend-webhook-token-0123456789';

let redis: RedisServer;
let built: string;
beforeAll(async () => {
  redis = await startRedisServer();
  built = (buildBackend as () => string)();
}, 60_000);
afterAll(() => redis.stop());

interface Backend {
  readonly url: string;
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; at: number }>;
}

/** Starts the built backend with `env`; resolves once it listens. */
async function startBackend(env: Record<string, string>): Promise<Backend> {
  const port = await freePort();
  const child = spawn(process.execPath, [built], {
    env: { PATH: process.env.PATH!, PORT: String(port), HOST: '127.0.0.1', OTEL_TRACES_EXPORTER: 'none', POLYVERIFY_PROVIDER: 'lox24', LOX24_TOKEN: TOKEN, POLYVERIFY_SECRET: SECRET, POLYVERIFY_REDIS_URL: redis.url, CLIENT_IP_HEADER: 'x-forwarded-for', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      lines.push(parsed);
      if (parsed['type'] === 'listening') resolve();
    });
    void exited.then(({ code }) => reject(new Error(`the backend exited (${code}) before listening: ${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, lines, exited };
}

/** One POST over `agent`; resolves with the status, or with the connection error's code. */
function post(agent: Agent, url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number } | { error: string }> {
  const text = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers } }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode! }));
      res.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(text);
  });
}

describe('the example backend as a process', () => {
  it('drains on SIGTERM under 50 connections: exits by itself before its deadline, and no start whose code went out loses its answer', async () => {
    const sim = await startSimulator('lox24');
    try {
      const backend = await startBackend({ LOX24_BASE_URL: sim.url });
      const agent = new Agent({ keepAlive: true, maxSockets: 50 });
      let n = 0;
      let signalledAt = 0;
      let created = 0;
      let createdAfterSignal = 0;
      const failures = new Map<string, number>();
      const statuses = new Map<number, number>();
      const before = sim.requestCount;
      // 50 clients, each on its own keep-alive connection, starting verifications until the server is gone.
      const clients = Array.from({ length: 50 }, async () => {
        for (;;) {
          const i = ++n;
          const phone = `+4917${String(10_000_000 + i).padStart(8, '0')}`;
          const answer = await post(agent, backend.url, '/verifications', { phone }, { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
          if ('error' in answer) {
            failures.set(answer.error, (failures.get(answer.error) ?? 0) + 1);
            if (signalledAt) return; // the server is going: this client stops
            continue;
          }
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status === 201) {
            created++;
            if (signalledAt) createdAfterSignal++;
          }
        }
      });
      // Load for a while, then the signal.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(created).toBeGreaterThan(50);
      signalledAt = Date.now();
      backend.child.kill('SIGTERM');
      const { code, at } = await backend.exited;
      await Promise.all(clients);
      agent.destroy();

      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(10_000); // the deadline: a drain that ends by itself ends well before it
      // Every code LOX24 sent has its 201 at a client (nothing answered was lost, nothing delivered went unanswered).
      expect(sim.requestCount - before).toBe(created);
      expect([...statuses.keys()]).toEqual([201]);
      // Each connection answered at most the request it had in flight (and one that was on its way) after the signal.
      expect(createdAfterSignal).toBeLessThanOrEqual(100);
      expect(backend.lines.some((line) => line['type'] === 'stopping' && line['signal'] === 'SIGTERM')).toBe(true);
      console.log(`drain: ${created} started, ${createdAfterSignal} answered after SIGTERM, exit after ${at - signalledAt} ms; client errors ${JSON.stringify(Object.fromEntries(failures))}`);
    } finally {
      await sim.close();
    }
  }, 60_000);

  it('two instances on one Redis hand each webhook event to the application once between them', async () => {
    // LOX24 posts each event to a relay that sends it to both instances (as a retry may reach either).
    const relayPort = await freePort();
    const sim = await startSimulator('lox24', { webhookUrl: `http://127.0.0.1:${relayPort}/webhooks/lox24?token=${WEBHOOK_TOKEN}`, webhookRetryMs: 20 });
    const env = { LOX24_BASE_URL: sim.url, LOX24_WEBHOOK_TOKEN: WEBHOOK_TOKEN, POLYVERIFY_REDIS_PREFIX: `relay${Date.now()}:` };
    const [a, b] = [await startBackend(env), await startBackend(env)];
    let relayed = 0;
    const relay = createServer((req, res) => {
      const order = relayed++ % 2 === 0 ? [a, b] : [b, a]; // each instance sees half the events first
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'connection')) as Record<string, string>;
        const statuses = [];
        for (const target of order) statuses.push((await fetch(`${target.url}${req.url}`, { method: 'POST', headers, body })).status);
        res.writeHead(Math.max(...statuses)).end();
      });
    });
    await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
    try {
      const agent = new Agent({ keepAlive: false });
      for (let i = 0; i < 3; i++) expect(await post(agent, a.url, '/verifications', { phone: `+4917012345${60 + i}` }, { 'x-forwarded-for': `10.9.9.${i}` })).toEqual({ status: 201 });
      await sim.webhooksSettled();
      const events = new Set(sim.webhookDeliveries.map((d) => d.eventId));
      expect(events.size).toBe(12); // four events a code
      const handed = [...a.lines, ...b.lines].filter((line) => line['type'] === 'webhook');
      expect(handed).toHaveLength(12);
      expect(a.lines.some((line) => line['type'] === 'webhook') && b.lines.some((line) => line['type'] === 'webhook')).toBe(true);
    } finally {
      for (const backend of [a, b]) backend.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
      await new Promise((resolve) => relay.close(resolve));
      await sim.close();
    }
  }, 60_000);
});
