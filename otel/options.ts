/** The options and the handle of `instrument()` (documented with it, not named by the entry). */
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/** Options of `instrument()`. */
export interface InstrumentOptions {
  /** Where spans go; the global tracer provider by default. */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go; the global meter provider by default. */
  readonly meterProvider?: MeterProvider;
  /** Verifications whose start time is kept for `polyverify.verification.time_to_verify` (10 000; the oldest go first). */
  readonly rememberStarts?: number;
}

/** What `instrument()` returns. */
export interface Instrumented {
  /** Unsubscribes: later calls make no spans or metrics. Idempotent. */
  close(): void;
}

