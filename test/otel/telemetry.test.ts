/**
 * polyverify/otel's parts one by one: attributes of a context, each metric's descriptor and the
 * rules of what is counted where, decisions as events, undici's hook, a call that throws before
 * returning a promise. (test/otel/otel.test.ts drives whole flows.)
 */
import { channel } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { instrument, undiciRequestHook } from '../../otel/index.js';
import { closingAttributes, errorType, Measurements, openingAttributes, spanName } from '../../otel/telemetry.js';
import { traceOperation, type TraceContext } from '../../src/tracing.js';
import { TimeoutError } from '../../src/errors.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
async function metricsOf(reader: TestReader): Promise<ResourceMetrics> {
  return (await reader.collect()).resourceMetrics;
}
const all = (metrics: ResourceMetrics) => metrics.scopeMetrics.flatMap((scope) => scope.metrics);

describe('attributes', () => {
  it('at the start: what is known, nothing else', () => {
    expect(openingAttributes({ operation: 'get', provider: 'f', kind: 'failover' })).toEqual({ 'polyverify.operation': 'get', 'polyverify.provider': 'f', 'polyverify.kind': 'failover' });
    expect(openingAttributes({ operation: 'start', provider: 'l', kind: 'vendor', vendor: 'lox24', serverAddress: 'api.example', channel: 'sms', country: 'DE' })).toEqual({
      'polyverify.operation': 'start',
      'polyverify.provider': 'l',
      'polyverify.kind': 'vendor',
      'polyverify.vendor': 'lox24',
      'server.address': 'api.example',
      'polyverify.channel': 'sms',
      'polyverify.destination.country': 'DE',
    });
    expect(spanName({ operation: 'list', provider: 'loxlist', kind: 'vendor' })).toBe('list loxlist');
  });

  it('at the end: every field of the outcome, and nothing for what is absent', () => {
    expect(closingAttributes({ operation: 'get', provider: 'p', kind: 'vendor' })).toEqual({});
    const full: TraceContext = {
      operation: 'check',
      provider: 'p',
      kind: 'failover',
      channel: 'voice',
      country: 'AT',
      id: 'm:1',
      member: 'm',
      sent: 'no',
      status: 'pending',
      verified: false,
      reason: 'expired',
      attemptsRemaining: 0,
      items: 3,
      cost: { amount: '0.0642', currency: 'EUR' },
      error: new TimeoutError('t', { provider: 'p', operation: 'check' }),
    };
    expect(closingAttributes(full)).toEqual({
      'polyverify.channel': 'voice',
      'polyverify.destination.country': 'AT',
      'polyverify.verification.id': 'm:1',
      'polyverify.member': 'm',
      'polyverify.sent': 'no',
      'polyverify.status': 'pending',
      'polyverify.check.verified': false,
      'polyverify.check.result': 'expired',
      'polyverify.check.attempts_remaining': 0,
      'polyverify.list.items': 3,
      'polyverify.cost.amount': 0.0642,
      'polyverify.cost.currency': 'EUR',
      'error.type': 'timeout',
    });
    expect(closingAttributes({ operation: 'check', provider: 'p', kind: 'vendor', verified: false, status: 'canceled' })['polyverify.check.result']).toBe('canceled');
    expect(closingAttributes({ operation: 'check', provider: 'p', kind: 'vendor', verified: false } as TraceContext)['polyverify.check.result']).toBe('unverified');
    expect(errorType(new Error('x'))).toBe('_OTHER');
    expect(errorType('x')).toBe('_OTHER');
  });
});

describe('measurements', () => {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const measurements = new Measurements(meterProvider.getMeter('polyverify'), 1);
  afterAll(() => meterProvider.shutdown());
  const vendor = { provider: 'lox24', kind: 'vendor' } as const;

  it('counts where money is spent: vendors only, answered calls only; remembers a bounded number of starts', async () => {
    measurements.ended({ operation: 'start', ...vendor, channel: 'sms', country: 'DE', id: 'a', cost: { amount: '0.05', currency: 'EUR' } }, 0.2, 1_000);
    measurements.ended({ operation: 'start', ...vendor, id: 'b' }, 0.1, 2_000); // pushes 'a' out (remember 1)
    measurements.ended({ operation: 'start', provider: 'f', kind: 'failover', id: 'f:c', channel: 'sms' }, 0.3, 2_000);
    measurements.ended({ operation: 'start', ...vendor, error: new Error('x') }, 0.4, 2_000);
    measurements.ended({ operation: 'check', ...vendor, id: 'a', verified: true, status: 'verified' }, 0.01, 5_000);
    measurements.ended({ operation: 'check', ...vendor, id: 'b', verified: false, status: 'pending', reason: 'incorrect_code' }, 0.01, 6_000);
    measurements.ended({ operation: 'check', ...vendor, id: 'b', verified: true, status: 'verified' }, 0.01, 32_000);
    measurements.ended({ operation: 'check', ...vendor, id: 'b', verified: true, status: 'verified' }, 0.01, 40_000); // once only
    measurements.ended({ operation: 'get', ...vendor }, 0.01, 40_000);
    measurements.decided({ type: 'decision', provider: 'g', operation: 'start', member: 'g', decision: 'allowed' });
    measurements.decided({ type: 'decision', provider: 'g', operation: 'start', member: 'g', decision: 'refused', rule: 'perPhone' });
    measurements.decided({ type: 'decision', provider: 'f', operation: 'start', member: 'm', decision: 'try' });
    const metrics = all(await metricsOf(reader));
    const byName = Object.fromEntries(metrics.map((metric) => [metric.descriptor.name, metric]));
    expect(Object.keys(byName).sort()).toEqual(['polyverify.cost', 'polyverify.guard.decisions', 'polyverify.operation.duration', 'polyverify.verification.checks', 'polyverify.verification.starts', 'polyverify.verification.time_to_verify']);
    expect(Object.fromEntries(metrics.map((metric) => [metric.descriptor.name, [metric.descriptor.unit, metric.descriptor.description]]))).toEqual({
      'polyverify.operation.duration': ['s', 'Duration of polyverify operations (each vendor page read is one list operation).'],
      'polyverify.verification.starts': ['{verification}', 'Verifications a vendor started (a message sent).'],
      'polyverify.verification.checks': ['{check}', 'Checks a vendor answered, by result (verified, incorrect_code, expired, …).'],
      'polyverify.verification.time_to_verify': ['s', 'From a start to the check that verified it (verifications this process started).'],
      'polyverify.guard.decisions': ['{decision}', "A guard's decisions on starts, by rule for refusals."],
      'polyverify.cost': ['{currency_unit}', 'What vendors charged for the starts they answered, in the currency of polyverify.cost.currency.'],
    });
    const points = (name: string) => byName[name]!.dataPoints.map((point) => [point.attributes, point.value]);
    const buckets = (name: string) => (byName[name]!.dataPoints[0]!.value as { buckets: { boundaries: number[] } }).buckets.boundaries;
    expect(buckets('polyverify.operation.duration')).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(buckets('polyverify.verification.time_to_verify')).toEqual([5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600]);
    expect(points('polyverify.verification.starts')).toEqual([
      [{ 'polyverify.provider': 'lox24', 'polyverify.channel': 'sms', 'polyverify.destination.country': 'DE' }, 1],
      [{ 'polyverify.provider': 'lox24' }, 1],
    ]);
    expect(points('polyverify.cost')).toEqual([[{ 'polyverify.provider': 'lox24', 'polyverify.channel': 'sms', 'polyverify.destination.country': 'DE', 'polyverify.cost.currency': 'EUR' }, 0.05]]);
    expect(points('polyverify.verification.checks')).toEqual([
      [{ 'polyverify.provider': 'lox24', 'polyverify.check.result': 'verified' }, 3],
      [{ 'polyverify.provider': 'lox24', 'polyverify.check.result': 'incorrect_code' }, 1],
    ]);
    const verified = byName['polyverify.verification.time_to_verify']!.dataPoints;
    expect(verified.map((point) => [point.attributes, (point.value as { count: number; sum: number }).count, (point.value as { sum: number }).sum])).toEqual([[{ 'polyverify.provider': 'lox24' }, 1, 30]]);
    expect(points('polyverify.guard.decisions')).toEqual([
      [{ 'polyverify.provider': 'g', 'polyverify.guard.decision': 'allowed' }, 1],
      [{ 'polyverify.provider': 'g', 'polyverify.guard.decision': 'refused', 'polyverify.guard.rule': 'perPhone' }, 1],
    ]);
    const durations = byName['polyverify.operation.duration']!.dataPoints.map((point) => [point.attributes, (point.value as { count: number }).count]);
    expect(durations).toContainEqual([{ 'polyverify.operation': 'start', 'polyverify.provider': 'lox24', 'polyverify.kind': 'vendor', 'error.type': '_OTHER' }, 1]);
    expect(durations).toContainEqual([{ 'polyverify.operation': 'start', 'polyverify.provider': 'f', 'polyverify.kind': 'failover' }, 1]);
  });
});

describe('instrument() before an SDK context manager is registered', () => {
  it("nests polyverify's own spans through its own storage, and measures durations in seconds", async () => {
    const spans = new InMemorySpanExporter();
    const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }); // not registered
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const otel = instrument({ tracerProvider, meterProvider });
    try {
      const vendorCall = traceOperation('start', { provider: 'v', kind: 'vendor' }, () => new Promise((resolve) => setTimeout(() => resolve({ id: 'i', status: 'pending', channels: [] }), 30)));
      const started = performance.now();
      await traceOperation('start', { provider: 'w', kind: 'failover' }, async () => {
        channel('polyverify:decision').publish({ type: 'decision', provider: 'w', operation: 'start', member: 'v', decision: 'try' });
        const v = (await vendorCall()) as { id: string };
        return { ...v, id: `v:${v.id}` };
      })();
      const elapsed = (performance.now() - started) / 1000;
      for (const operation of ['resend', 'failover', 'cancel'] as const) await traceOperation(operation, { provider: 'v', kind: 'vendor' }, () => Promise.resolve({ id: 'i', status: 'pending', channels: [] }))();
      const [inner, outer, ...rest] = spans.getFinishedSpans();
      expect([inner!.name, outer!.name, ...rest.map((span) => span.name)]).toEqual(['start v', 'start w', 'resend v', 'failover v', 'cancel v']);
      expect(inner!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
      expect(outer!.events.map((event) => event.attributes?.['polyverify.decision'])).toEqual(['try']);
      const duration = all(await metricsOf(reader)).find((metric) => metric.descriptor.name === 'polyverify.operation.duration')!;
      const vendorStart = duration.dataPoints.find((point) => point.attributes['polyverify.provider'] === 'v' && point.attributes['polyverify.operation'] === 'start')!;
      const sum = (vendorStart.value as { sum: number }).sum;
      expect(sum).toBeGreaterThan(0.02);
      expect(sum).toBeLessThanOrEqual(elapsed + 0.01);
    } finally {
      otel.close();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    }
  });
});

describe('instrument() in a process', () => {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  let otel: ReturnType<typeof instrument>;
  beforeAll(() => {
    tracerProvider.register();
    otel = instrument(); // the global providers
  });
  afterAll(async () => {
    otel.close();
    await tracerProvider.shutdown();
    trace.disable();
    context.disable();
  });

  it('a call that throws before its promise ends its span there, an error not an Error is named by error.type, durations are seconds', async () => {
    spans.reset();
    const on = { provider: 'p', kind: 'vendor' };
    expect(() =>
      traceOperation('get', on, (): Promise<never> => {
        throw new TypeError('a bug');
      })(),
    ).toThrow('a bug');
    await traceOperation('check', on, () => Promise.reject('plain'))().catch(() => undefined);
    const started = performance.now();
    await traceOperation('get', on, () => new Promise((resolve) => setTimeout(() => resolve({ id: 'i', status: 'pending', channels: [] }), 30)))();
    const elapsed = (performance.now() - started) / 1000;
    const [thrown, plain, slow] = spans.getFinishedSpans();
    expect([thrown!.name, thrown!.status]).toEqual(['get p', { code: SpanStatusCode.ERROR, message: 'TypeError: a bug' }]);
    expect(thrown!.attributes['error.type']).toBe('_OTHER');
    expect(plain!.status).toEqual({ code: SpanStatusCode.ERROR, message: '_OTHER' });
    const seconds = slow!.duration[0] + slow!.duration[1] / 1e9;
    expect(seconds).toBeGreaterThan(0.02);
    expect(seconds).toBeLessThanOrEqual(elapsed + 0.01);
  });

  it("a wrapper's decision becomes an event of its span, with reason and country where given", async () => {
    spans.reset();
    await traceOperation('start', { provider: 'a', kind: 'adaptive' }, async () => {
      channel('polyverify:decision').publish({ type: 'decision', provider: 'a', operation: 'start', member: 'lox24', decision: 'exploit', reason: 'cheapest within α of the best', country: 'DE' });
      return { id: 'lox24:i', status: 'pending', channels: [] };
    })();
    expect(spans.getFinishedSpans()[0]!.events.map((event) => event.attributes)).toEqual([
      { 'polyverify.provider': 'a', 'polyverify.member': 'lox24', 'polyverify.decision': 'exploit', 'polyverify.reason': 'cheapest within α of the best', 'polyverify.destination.country': 'DE' },
    ]);
  });

  it("undici's hook masks numbers only in requests made inside a vendor's call", async () => {
    const tracer = trace.getTracer('t');
    const attributesAfter = (path: string, inside: 'vendor' | 'wrapper' | 'none') => {
      const http = tracer.startSpan('POST', { attributes: { 'url.full': `https://api.example${path}` } });
      const call = () => {
        undiciRequestHook(http, { origin: 'https://api.example', path });
        return Promise.resolve({ id: 'i', status: 'pending', channels: [] });
      };
      const traced = inside === 'none' ? call() : traceOperation('get', { provider: 'p', kind: inside === 'vendor' ? 'vendor' : 'failover' }, call)();
      http.end();
      return traced.then(() => (http as unknown as { attributes: Record<string, unknown> }).attributes);
    };
    expect(await attributesAfter('/list?filter%5Brecipient%5D=491701234567', 'vendor')).toEqual({
      'url.full': 'https://api.example/list?filter%5Brecipient%5D=491701****67',
      'url.path': '/list',
      'url.query': '?filter%5Brecipient%5D=491701****67',
    });
    expect(await attributesAfter('/list?filter%5Brecipient%5D=491701234567', 'wrapper')).toEqual({ 'url.full': 'https://api.example/list?filter%5Brecipient%5D=491701234567' });
    expect(await attributesAfter('/orders/491701234567', 'none')).toEqual({ 'url.full': 'https://api.example/orders/491701234567' });
    expect(await attributesAfter('/verify_codes', 'vendor')).toEqual({ 'url.full': 'https://api.example/verify_codes' });
  });
});
