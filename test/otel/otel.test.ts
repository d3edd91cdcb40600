/**
 * polyverify/otel with the real OpenTelemetry SDK (in-memory exporters), against the vendor
 * simulators on 127.0.0.1, with undici's instrumentation making the HTTP spans: exact span names,
 * kinds, parents, attributes and statuses; the metrics; and no secret, code or number anywhere.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { failover, guard, MemoryCodeStore } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { startSimulator, type Simulators } from '../../testing/index.js';
import { instrument, undiciRequestHook } from '../../otel/index.js';
import { fastBackoff, rejectionOf } from '../helpers.js';

const PHONE = '+491701234567';
const SECRET = 'otel-secret-0123456789';
const SERVICE_HOST = '127.0.0.1';

/** A reader the test collects from when it wants. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const reader = new TestReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const undici = new UndiciInstrumentation({ requestHook: undiciRequestHook });
let loxSim: Simulators['lox24'];
let ncSim: Simulators['notificore'];
let otel: ReturnType<typeof instrument>;

beforeAll(async () => {
  tracerProvider.register(); // the SDK's context manager: AsyncLocalStorage
  undici.setTracerProvider(tracerProvider);
  undici.enable();
  otel = instrument({ tracerProvider, meterProvider });
  [loxSim, ncSim] = await Promise.all([startSimulator('lox24'), startSimulator('notificore')]);
});
afterAll(async () => {
  otel.close();
  undici.disable();
  await Promise.all([loxSim.close(), ncSim.close(), tracerProvider.shutdown(), meterProvider.shutdown()]);
  trace.disable();
  context.disable();
});
afterEach(() => spans.reset());

const lox = () => lox24({ token: loxSim.token, secret: SECRET, baseUrl: loxSim.url, codeStore: new MemoryCodeStore(), now: () => loxSim.now(), backoff: fastBackoff });
const nc = () => notificore({ apiKey: ncSim.apiKey, sender: 'MyApp', templateId: 1, baseUrl: ncSim.url, now: () => ncSim.now(), backoff: fastBackoff, retries: 0 });

const ours = () => spans.getFinishedSpans().filter((span) => span.instrumentationScope.name === 'polyverify');
const http = () => spans.getFinishedSpans().filter((span) => span.instrumentationScope.name === '@opentelemetry/instrumentation-undici');
const named = (name: string) => ours().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** A trace drawn as text, as docs/observability.md shows it: each span under its parent, its kind, status and chief attributes. */
function drawTrace(all: readonly ReadableSpan[]): string {
  const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
  const SHOWN = ['polyverify.kind', 'polyverify.member', 'polyverify.destination.country', 'polyverify.sent', 'error.type', 'http.response.status_code'];
  const ids = new Set(all.map((span) => span.spanContext().spanId));
  const children = (parent: string | undefined) =>
    all.filter((span) => (parent === undefined ? !ids.has(parentOf(span) ?? '') : parentOf(span) === parent)).sort((a, b) => (a.startTime[0] - b.startTime[0]) * 1e9 + (a.startTime[1] - b.startTime[1]));
  const lines: string[] = [];
  const walk = (span: ReadableSpan, prefix: string, last: boolean, root: boolean) => {
    const shown = SHOWN.filter((key) => span.attributes[key] !== undefined).map((key) => `${key}=${String(span.attributes[key])}`);
    const status = span.status.code === SpanStatusCode.ERROR ? ' ERROR' : '';
    lines.push(`${prefix}${root ? '' : last ? '└─ ' : '├─ '}${span.name} [${KINDS[span.kind]}${status}]${shown.length ? ' ' + shown.join(' ') : ''}`);
    const inner = root ? prefix : prefix + (last ? '   ' : '│  ');
    const under = children(span.spanContext().spanId);
    for (const event of span.events) if (event.name === 'polyverify.decision') lines.push(`${inner}${under.length ? '│' : ' '}  · decision: ${String(event.attributes?.['polyverify.decision'])} ${String(event.attributes?.['polyverify.member'])}`);
    under.forEach((child, k) => walk(child, inner, k === under.length - 1, false));
  };
  for (const root of children(undefined)) walk(root, '', true, true);
  return lines.join('\n');
}

async function collect(): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}
function points(metrics: ResourceMetrics, name: string) {
  const metric = metrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: unknown }[];
}

describe('polyverify/otel', () => {
  it('a start and a check of one vendor: CLIENT spans with their attributes, the HTTP spans under them', async () => {
    const verify = lox();
    const root = trace.getTracer('app').startSpan('POST /signup');
    const started = await context.with(trace.setSpan(context.active(), root), () => verify.start({ to: PHONE }));
    root.end();
    const [start] = named('start lox24');
    expect(start).toBeDefined();
    expect(start!.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(start!)).toBe(root.spanContext().spanId);
    expect(start!.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(start!.attributes).toEqual({
      'polyverify.operation': 'start',
      'polyverify.provider': 'lox24',
      'polyverify.kind': 'vendor',
      'polyverify.vendor': 'lox24',
      'server.address': SERVICE_HOST,
      'polyverify.channel': 'sms',
      'polyverify.destination.country': 'DE',
      'polyverify.verification.id': started.id,
      'polyverify.sent': 'yes',
      'polyverify.status': 'pending',
      ...(started.cost && { 'polyverify.cost.amount': Number(started.cost.amount), 'polyverify.cost.currency': started.cost.currency }),
    });
    // The vendor's request, made inside our span, is its child.
    const requests = http();
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(parentOf(request)).toBe(start!.spanContext().spanId);

    spans.reset();
    const wrong = await verify.check(started.id, '000000' === loxSim.lastCode(started.id) ? '111111' : '000000');
    expect(wrong.verified).toBe(false);
    const right = await verify.check(started.id, loxSim.lastCode(started.id)!);
    expect(right.verified).toBe(true);
    const [first, second] = named('check lox24');
    // A wrong code is a result: no error status.
    expect(first!.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(first!.attributes).toMatchObject({ 'polyverify.check.verified': false, 'polyverify.check.result': 'incorrect_code', 'polyverify.check.attempts_remaining': wrong.attemptsRemaining, 'polyverify.verification.id': started.id });
    expect(second!.attributes).toMatchObject({ 'polyverify.operation': 'check', 'polyverify.check.verified': true, 'polyverify.check.result': 'verified', 'polyverify.status': 'verified' });
    expect(second!.attributes).not.toHaveProperty('error.type');
  });

  it('a failover that moves on: INTERNAL parent, a child per member, the refusal on the member that refused', async () => {
    const refusing = nc();
    ncSim.fault({ refuse: 'auth', times: Infinity });
    try {
      const verify = failover([refusing, lox()]);
      const request = trace.getTracer('app').startSpan('POST /verifications', { kind: SpanKind.SERVER });
      const started = await context.with(trace.setSpan(context.active(), request), () => verify.start({ to: PHONE }));
      request.end();
      const [parent] = named('start failover');
      const [refused] = named('start notificore');
      const [served] = named('start lox24');
      expect(parent!.kind).toBe(SpanKind.INTERNAL);
      expect(parent!.status).toEqual({ code: SpanStatusCode.UNSET });
      expect(parent!.attributes).toMatchObject({ 'polyverify.kind': 'failover', 'polyverify.member': 'lox24', 'polyverify.verification.id': started.id, 'polyverify.sent': 'yes' });
      expect(parent!.attributes).not.toHaveProperty('polyverify.vendor');
      expect(parent!.attributes).not.toHaveProperty('server.address');
      expect(refused!.kind).toBe(SpanKind.CLIENT);
      expect(parentOf(refused!)).toBe(parent!.spanContext().spanId);
      expect(parentOf(served!)).toBe(parent!.spanContext().spanId);
      expect(refused!.status.code).toBe(SpanStatusCode.ERROR);
      expect(refused!.status.message).toMatch(/^AuthenticationError: /);
      expect(refused!.attributes).toMatchObject({ 'error.type': 'authentication', 'polyverify.sent': 'no' });
      expect(served!.status).toEqual({ code: SpanStatusCode.UNSET });
      // The decisions, as events of the failover's span.
      expect(parent!.events.map((event) => [event.name, event.attributes?.['polyverify.member'], event.attributes?.['polyverify.decision']])).toEqual([
        ['polyverify.decision', 'notificore', 'try'],
        ['polyverify.decision', 'notificore', 'next'],
        ['polyverify.decision', 'lox24', 'try'],
        ['polyverify.decision', 'lox24', 'sent'],
      ]);
      expect(parent!.events[1]!.attributes).toMatchObject({ 'error.type': 'authentication' });
      // The picture in docs/observability.md is this trace.
      const doc = readFileSync(new URL('../../docs/observability.md', import.meta.url), 'utf8');
      expect(doc).toContain(['```text', drawTrace(spans.getFinishedSpans()), '```'].join('\n'));
    } finally {
      ncSim.clearFaults();
    }
  });

  it("a guard's refusal: the guard's span fails with rate_limited, no vendor call, the decision counted", async () => {
    const verify = guard(lox(), { perPhone: { max: 1, windowSeconds: 600 } });
    await verify.start({ to: '+491701234500' });
    spans.reset();
    const error = await rejectionOf(verify.start({ to: '+491701234500' }));
    expect(error.code).toBe('rate_limited');
    const all = ours();
    expect(all.map((span) => [span.name, span.kind, span.attributes['polyverify.kind']])).toEqual([['start lox24', SpanKind.INTERNAL, 'guard']]);
    expect(all[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(all[0]!.attributes).toMatchObject({ 'error.type': 'rate_limited', 'polyverify.sent': 'no', 'polyverify.destination.country': 'DE' });
    expect(all[0]!.events.map((event) => event.attributes)).toEqual([
      { 'polyverify.provider': 'lox24', 'polyverify.member': 'lox24', 'polyverify.decision': 'refused', 'polyverify.guard.rule': 'perPhone' },
    ]);
    expect(http()).toEqual([]);
    const decisions = points(await collect(), 'polyverify.guard.decisions');
    expect(decisions).toContainEqual(expect.objectContaining({ attributes: { 'polyverify.provider': 'lox24', 'polyverify.guard.decision': 'refused', 'polyverify.guard.rule': 'perPhone' }, value: 1 }));
    expect(decisions).toContainEqual(expect.objectContaining({ attributes: { 'polyverify.provider': 'lox24', 'polyverify.guard.decision': 'allowed' } }));
  });

  it("a list: one CLIENT span per vendor page read; a failover's page: INTERNAL around its members' reads", async () => {
    const loxList = lox24({ token: loxSim.token, secret: SECRET, baseUrl: loxSim.url, codeStore: new MemoryCodeStore(), backoff: fastBackoff, name: 'loxlist' });
    const page = await loxList.listPage({ limit: 2 });
    const reads = named('list loxlist');
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads[0]!.kind).toBe(SpanKind.CLIENT);
    expect(reads[0]!.attributes).toMatchObject({ 'polyverify.operation': 'list', 'polyverify.vendor': 'lox24', 'server.address': SERVICE_HOST });
    expect(typeof reads[0]!.attributes['polyverify.list.items']).toBe('number');
    expect(page.items.length).toBeLessThanOrEqual(2);

    spans.reset();
    const both = failover([loxList, nc()]);
    const merged = await both.listPage({ limit: 3 });
    const [outer] = named('list failover');
    expect(outer!.kind).toBe(SpanKind.INTERNAL);
    expect(outer!.attributes['polyverify.list.items']).toBe(merged.items.length);
    const inner = ours().filter((span) => span !== outer);
    expect(new Set(inner.map((span) => span.name))).toEqual(new Set(['list loxlist', 'list notificore']));
    for (const span of inner) expect(parentOf(span)).toBe(outer!.spanContext().spanId);
  });

  it('metrics: durations with error.type, starts, checks, time to verify, cost — never an id or a number', async () => {
    const verify = lox();
    const started = await verify.start({ to: PHONE });
    loxSim.advance(30_000);
    await verify.check(started.id, loxSim.lastCode(started.id)!);
    const metrics = await collect();
    const durations = points(metrics, 'polyverify.operation.duration');
    expect(durations).toContainEqual(expect.objectContaining({ attributes: { 'polyverify.operation': 'start', 'polyverify.provider': 'lox24', 'polyverify.kind': 'vendor' } }));
    expect(durations).toContainEqual(expect.objectContaining({ attributes: { 'polyverify.operation': 'start', 'polyverify.provider': 'notificore', 'polyverify.kind': 'vendor', 'error.type': 'authentication' } }));
    expect(points(metrics, 'polyverify.verification.starts')).toContainEqual(expect.objectContaining({ attributes: { 'polyverify.provider': 'lox24', 'polyverify.channel': 'sms', 'polyverify.destination.country': 'DE' } }));
    expect(points(metrics, 'polyverify.verification.checks')).toContainEqual(expect.objectContaining({ attributes: { 'polyverify.provider': 'lox24', 'polyverify.check.result': 'incorrect_code' }, value: 1 }));
    const verified = points(metrics, 'polyverify.verification.time_to_verify');
    expect(verified).toHaveLength(1);
    expect(verified[0]!.attributes).toEqual({ 'polyverify.provider': 'lox24' });
    expect((verified[0]!.value as { count: number }).count).toBeGreaterThanOrEqual(2);
    // No id and no number in any metric attribute.
    const text = JSON.stringify(metrics.scopeMetrics.flatMap((scope) => scope.metrics.flatMap((metric) => metric.dataPoints.map((point) => point.attributes))));
    expect(text).not.toContain(started.id);
    expect(text).not.toMatch(/\+\d{6}/);
  });

  it('no secret, code or number in any exported span or metric', async () => {
    const verify = failover([lox(), nc()]);
    const started = await verify.start({ to: PHONE });
    const code = loxSim.lastCode(started.id.slice('lox24:'.length))!;
    await verify.check(started.id, code);
    await verify.check(started.id, code); // used: a result again
    await verify.listPage({ limit: 2, phone: PHONE });
    const exported = JSON.stringify(spans.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, links: span.links })));
    const metrics = JSON.stringify((await collect()).scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => ({ descriptor: metric.descriptor, points: metric.dataPoints.map((point) => point.attributes) }))));
    for (const text of [exported, metrics]) {
      for (const secret of [SECRET, loxSim.token, ncSim.apiKey, PHONE])
        for (let i = 0; i + 8 <= secret.length; i++) expect(text, `a piece of a secret: ${secret.slice(i, i + 8)}`).not.toContain(secret.slice(i, i + 8));
      expect(text).not.toMatch(new RegExp(`\\b${code}\\b`));
    }
  });

  it('after close(), calls make no spans', async () => {
    const extra = instrument({ tracerProvider, meterProvider });
    extra.close();
    extra.close();
    otel.close();
    try {
      await lox().start({ to: PHONE });
      expect(ours()).toEqual([]);
    } finally {
      otel = instrument({ tracerProvider, meterProvider });
    }
  });
});
