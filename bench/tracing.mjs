// What the tracing channels cost: LOX24's local check() (library-owned codes, the in-memory store,
// no network) with nobody listening, with a no-op subscriber on every channel, and with
// polyverify/otel over the OpenTelemetry SDK (spans to an in-memory exporter, metrics to a reader).
// The anchor is the store's attempt plus the code's HMAC, in the same run; ways alternate in rounds.
import { tracingChannel } from 'node:diagnostics_channel';
import { createHmac } from 'node:crypto';
import { MemoryCodeStore } from '../dist/index.js';
import { lox24 } from '../dist/lox24.js';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = QUICK ? 2 : 7;
const CALLS = QUICK ? 2_000 : 50_000;
const SECRET = 'bench-secret-0123456789';
const OPERATIONS = ['start', 'check', 'get', 'list', 'resend', 'failover', 'cancel'];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runTracing() {
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  const { instrument } = await import('../dist/otel.js');
  const store = new MemoryCodeStore();
  const hash = (code) => createHmac('sha256', SECRET).update(code).digest('hex');
  const verify = lox24({ token: 'bench0123456789', secret: SECRET, baseUrl: 'http://127.0.0.1:9', codeStore: store });
  const now = Date.now();
  const id = '00000000-0000-4000-8000-000000000001';
  await store.save(id, { hash: hash('123456'), createdAt: now, expiresAt: now + 3_600_000, maxAttempts: Number.MAX_SAFE_INTEGER, failedAttempts: 0, state: 'pending' });
  const checks = async () => {
    for (let i = 0; i < CALLS; i++) await verify.check(id, '654321');
  };
  const noop = { start() {}, end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  class Reader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const meterProvider = new MeterProvider({ readers: [new Reader()] });
  const ways = {
    anchor: async () => {
      for (let i = 0; i < CALLS; i++) await store.attempt(id, hash('654321'), Date.now());
    },
    'nobody listens': checks,
    'a no-op subscriber': async () => {
      for (const name of OPERATIONS) tracingChannel(`polyverify:${name}`).subscribe(noop);
      await checks();
      for (const name of OPERATIONS) tracingChannel(`polyverify:${name}`).unsubscribe(noop);
    },
    'polyverify/otel (SDK, in-memory)': async () => {
      const otel = instrument({ tracerProvider, meterProvider });
      await checks();
      otel.close();
      exporter.reset();
    },
  };
  const rates = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? Object.keys(ways).reverse() : Object.keys(ways);
    for (const name of order) {
      globalThis.gc?.();
      const started = performance.now();
      await ways[name]();
      rates[name].push(CALLS / ((performance.now() - started) / 1000));
    }
  }
  const results = Object.fromEntries(Object.entries(rates).map(([name, r]) => [name, median(r)]));
  const rows = Object.entries(results).map(([name, rate]) => `| ${name} | ${rate.toFixed(0)} | ${(rate / results.anchor).toFixed(2)}× |`);
  return {
    date: new Date().toISOString(),
    node: process.version,
    results,
    markdown: [`### Tracing: LOX24 local check() (wrong code) by who listens (median of ${ROUNDS} rounds of ${CALLS})`, '', '| who listens | check()/s | ratio to attempt + HMAC |', '|---|---|---|', ...rows].join('\n'),
  };
}
