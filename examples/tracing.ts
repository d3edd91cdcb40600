/**
 * OpenTelemetry for the example service: a span per request to the vendors and per polyverify
 * call, exported over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT` when it is set (a collector,
 * Jaeger, Honeycomb…), to the console otherwise, nowhere with `OTEL_TRACES_EXPORTER=none` (the
 * OpenTelemetry variable). The three lines that matter are marked; the rest is choosing the exporter. docs/observability.md says what the spans hold.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { instrument, undiciRequestHook } from 'polyverify/otel';

/** Starts tracing; `stop()` sends what is left, unsubscribes and unregisters the SDK. */
export function startTracing(env: Record<string, string | undefined> = process.env): { readonly exporter: 'otlp' | 'console' | 'none'; stop(): Promise<void> } {
  if (env['OTEL_TRACES_EXPORTER'] === 'none') return { exporter: 'none', stop: async () => undefined };
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const exporter: SpanExporter = endpoint ? new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }) : new ConsoleSpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register(); // 1. the SDK, with its context manager
  const undici = new UndiciInstrumentation({ requestHook: undiciRequestHook }); // 2. fetch's spans, numbers masked
  const polyverify = instrument(); // 3. polyverify's spans and metrics
  return {
    exporter: endpoint ? 'otlp' : 'console',
    async stop() {
      polyverify.close();
      undici.disable();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
