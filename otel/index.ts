/**
 * `polyverify/otel`: OpenTelemetry spans and metrics for every polyverify call, made from the
 * tracing channels the core publishes on (`polyverify:start`, …, `polyverify:decision`). One call
 * wires it; the tracer and meter come from the global providers unless given.
 *
 * A span per public call, `{operation} {provider}`: CLIENT for one vendor's call, INTERNAL for a
 * wrapper's (`failover`, `route`, `guard`, `adaptive`, `testNumbers`) with a child per member it
 * tried; the vendor's HTTP spans (undici's instrumentation) sit under the vendor's span. A wrong
 * code is a result, not an error. docs/observability.md lists every span attribute and metric.
 *
 * @example
 * ```ts
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * import { instrument } from 'polyverify/otel';
 * new NodeSDK({ serviceName: 'signup' }).start();
 * instrument(); // after the SDK started: its context manager carries our spans into fetch
 * ```
 * @module polyverify/otel
 */
import { tracingChannel, channel as plainChannel } from 'node:diagnostics_channel';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Span } from '@opentelemetry/api';
import { DECISION_CHANNEL, operationChannel, TRACED_OPERATIONS, type TraceContext } from '../src/tracing.js';
import type { DecisionEvent } from '../src/events.js';
import { VERSION } from '../src/version.js';
import { maskPhonesIn } from '../src/redact.js';
import { countryParser } from '../src/numbers.js';
import { api } from './api.js';
import type { InstrumentOptions, Instrumented } from './options.js';
import { closingAttributes, Measurements, openingAttributes, spanName, errorType } from './telemetry.js';

export type { TraceContext } from '../src/tracing.js';

/** The CLIENT spans of vendor calls now open, from every `instrument()`: the HTTP spans under them are polyverify's requests. */
const vendorSpans = new WeakSet<Span>();

/**
 * A `requestHook` for OpenTelemetry's undici instrumentation: masks phone numbers in the URL
 * attributes (`url.full`, `url.path`, `url.query`) of the HTTP spans polyverify's vendor calls
 * make — a vendor's list filtered by number carries the number in its query — and leaves every
 * other request of the application as it is.
 *
 * @example
 * ```ts
 * import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
 * new NodeSDK({ instrumentations: [new UndiciInstrumentation({ requestHook: undiciRequestHook })] }).start();
 * ```
 */
export function undiciRequestHook(span: Span, request: { readonly origin: string; readonly path: string }): void {
  const parent = api.trace.getActiveSpan();
  if (!parent || !vendorSpans.has(parent)) return;
  const path = maskPhonesIn(request.path);
  if (path === request.path) return;
  const url = new URL(path, request.origin);
  span.setAttributes({ 'url.full': url.href, 'url.path': url.pathname, 'url.query': url.search });
}

/**
 * The AsyncLocalStorage behind OpenTelemetry's active context, where the registered context
 * manager keeps one (the SDK's AsyncLocalStorageContextManager, in a field the API does not
 * expose yet: open-telemetry/opentelemetry-js#6088). Binding it to our channels makes our span
 * the active one while the call runs, so fetch's spans nest under it.
 */
function otelStorage(): AsyncLocalStorage<Context> | undefined {
  const manager = (api.context as unknown as { _getContextManager?: () => unknown })._getContextManager?.();
  const storage = (manager as { _asyncLocalStorage?: unknown } | undefined)?._asyncLocalStorage;
  return storage instanceof AsyncLocalStorage ? (storage as AsyncLocalStorage<Context>) : undefined;
}

/**
 * Makes spans and metrics of polyverify's calls, from now on, for every provider in the process.
 * Call it after the OpenTelemetry SDK is started: where the SDK's context manager is not
 * registered yet, polyverify's own spans still nest, but the HTTP spans do not sit under them.
 *
 * @example
 * ```ts
 * const otel = instrument({ tracerProvider, meterProvider });
 * await verify.start({ to: '+491701234567' }); // span "start lox24", metrics
 * otel.close();
 * ```
 */
export function instrument(options: InstrumentOptions = {}): Instrumented {
  // The destination country of each start needs the number metadata: loaded now, not on the first start's path.
  void countryParser().catch(() => undefined);
  const tracer = (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer('polyverify', VERSION);
  const measurements = new Measurements((options.meterProvider ?? api.metrics.getMeterProvider()).getMeter('polyverify', VERSION), options.rememberStarts ?? 10_000);
  const shared = otelStorage();
  // Without the SDK's storage, our own carries the parent span from a wrapper to its members.
  const storage = shared ?? new AsyncLocalStorage<Context>();
  const open = new WeakMap<TraceContext, { readonly span: Span; readonly began: number }>();

  const begin = (context: TraceContext): Context => {
    const parent = (shared ? undefined : storage.getStore()) ?? api.context.active();
    const span = tracer.startSpan(spanName(context), { kind: context.kind === 'vendor' ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL, attributes: openingAttributes(context) }, parent);
    open.set(context, { span, began: performance.now() });
    if (context.kind === 'vendor') vendorSpans.add(span);
    return api.trace.setSpan(parent, span);
  };
  const finish = (context: TraceContext): void => {
    const opened = open.get(context);
    if (!opened) return;
    open.delete(context);
    const { span, began } = opened;
    vendorSpans.delete(span);
    span.setAttributes(closingAttributes(context));
    if (context.error !== undefined) {
      const error = context.error;
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? `${error.name}: ${error.message}` : errorType(error) });
    }
    span.end();
    measurements.ended(context, (performance.now() - began) / 1000, Date.now());
  };
  // Spans open in the store's transform: Node's tracing channels enter bound stores (runStores) before publishing `start`.
  const handlers = {
    // A call that threw before returning a promise ends here; the rest at asyncEnd.
    end: (message: unknown) => {
      if ((message as TraceContext).error !== undefined) finish(message as TraceContext);
    },
    asyncEnd: (message: unknown) => finish(message as TraceContext),
  };
  const channels = TRACED_OPERATIONS.map((operation) => tracingChannel(operationChannel(operation)));
  for (const channel of channels) {
    channel.start.bindStore(storage, (message) => begin(message as TraceContext));
    channel.subscribe(handlers as unknown as Parameters<typeof channel.subscribe>[0]);
  }
  const decisions = plainChannel(DECISION_CHANNEL);
  const onDecision = (message: unknown) => {
    const decision = message as Omit<DecisionEvent, 'to'>;
    const span = shared ? api.trace.getActiveSpan() : api.trace.getSpan(storage.getStore() ?? api.context.active());
    span?.addEvent('polyverify.decision', decisionAttributes(decision));
    measurements.decided(decision);
  };
  decisions.subscribe(onDecision);

  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      for (const channel of channels) {
        channel.start.unbindStore(storage);
        channel.unsubscribe(handlers as unknown as Parameters<typeof channel.unsubscribe>[0]);
      }
      decisions.unsubscribe(onDecision);
    },
  };
}

function decisionAttributes(decision: Omit<DecisionEvent, 'to'>): Record<string, string> {
  const attributes: Record<string, string> = { 'polyverify.provider': decision.provider, 'polyverify.member': decision.member, 'polyverify.decision': decision.decision };
  if (decision.rule !== undefined) attributes['polyverify.guard.rule'] = decision.rule;
  if (decision.reason !== undefined) attributes['polyverify.reason'] = decision.reason;
  if (decision.country !== undefined) attributes['polyverify.destination.country'] = decision.country;
  if (decision.error !== undefined) attributes['error.type'] = decision.error.code;
  return attributes;
}
