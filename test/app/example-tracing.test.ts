/**
 * The example service's tracing (examples/tracing.ts): with OTEL_EXPORTER_OTLP_ENDPOINT, a
 * signup's spans reach an OTLP/HTTP receiver (a server on 127.0.0.1 here) — the service's
 * request, polyverify's span, the vendor's HTTP span under it — and none holds the number.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../examples/backend.js';
import { startTracing } from '../../examples/tracing.js';
import { lox24 } from '../../providers/lox24/index.js';
import { MemoryCodeStore } from '../../providers/index.js';
import { startSimulator, type Simulators } from '../../testing/index.js';

const PHONE = '+491701234567';
interface OtlpSpan {
  readonly name: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly kind: number;
  readonly attributes: readonly { key: string; value: Record<string, unknown> }[];
}

const bodies: string[] = [];
const receiver = createServer((request: IncomingMessage, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    if (request.url === '/v1/traces') bodies.push(body);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
let sim: Simulators['lox24'];

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  sim = await startSimulator('lox24');
});
afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('the example service exports traces', () => {
  it('chooses the console without an endpoint', async () => {
    const tracing = startTracing({});
    expect(tracing.exporter).toBe('console');
    await tracing.stop();
  });

  it('exports nothing with OTEL_TRACES_EXPORTER=none, even with an endpoint', async () => {
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const tracing = startTracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(tracing.exporter).toBe('none');
    const provider = lox24({ token: sim.token, secret: 'tracing-example-secret-0123', baseUrl: sim.url, codeStore: new MemoryCodeStore() });
    const answer = await createBackend({ provider }).app.fetch(new Request('http://service.test/verifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: PHONE }) }));
    expect(answer.status).toBe(201);
    await tracing.stop();
    expect(bodies).toEqual([]);
  });

  it('sends a signup as OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT: polyverify span, HTTP span under it, no number', async () => {
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(tracing.exporter).toBe('otlp');
    const provider = lox24({ token: sim.token, secret: 'tracing-example-secret-0123', baseUrl: sim.url, codeStore: new MemoryCodeStore() });
    const { app } = createBackend({ provider });
    const answer = await app.fetch(new Request('http://service.test/verifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: PHONE }) }));
    expect(answer.status).toBe(201);
    await tracing.stop(); // flushes
    const spans = bodies.flatMap((body) => (JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const start = spans.find((span) => span.name === 'start lox24');
    expect(start).toBeDefined();
    const http = spans.filter((span) => span.name === 'POST');
    expect(http.length).toBeGreaterThan(0);
    for (const span of http) expect(span.parentSpanId).toBe(start!.spanId);
    expect(start!.attributes).toContainEqual({ key: 'polyverify.destination.country', value: { stringValue: 'DE' } });
    const text = bodies.join('\n');
    for (let i = 0; i + 8 <= PHONE.length; i++) expect(text).not.toContain(PHONE.slice(i, i + 8));
  });
});
