/**
 * Tracing channels: each public operation of every provider and wrapper publishes on a
 * `TracingChannel` of `node:diagnostics_channel` (`polyverify:start`, `polyverify:check`, …), the
 * way undici and Fastify do, so any tracer can subscribe (`polyverify/otel` is one). Nothing is
 * built while nobody listens: a call checks five flags and runs as before.
 *
 * The module is found through `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno 2, Workers
 * with `nodejs_compat`); a runtime without it publishes nothing and breaks nothing.
 *
 * The context object is polyverify's contract with subscribers (docs/observability.md): it
 * names the provider, the operation, the channel, the destination country and the outcome, and
 * never holds a secret, a code or a phone number — which is why the traced value itself (a
 * `Verification`, with its `to` and `raw`) is not put on it as `result`, unlike `tracePromise`.
 */
import { isVerifyError } from './errors.js';
import type { DecisionEvent } from './events.js';
import type { Money } from './money.js';
import { destinationOf } from './outcomes/destination.js';
import type { Channel, CheckReason, CheckResult, Page, Recipient, Verification, VerificationStatus } from './model.js';

/** The operations that publish, each on `polyverify:<operation>`. */
export type TracedOperation = 'start' | 'check' | 'get' | 'list' | 'resend' | 'failover' | 'cancel';

/** The channel `failover`, `route`, `guard`, `adaptive` and `testNumbers` publish their decisions on. */
export const DECISION_CHANNEL = 'polyverify:decision';

/**
 * What a subscriber of `polyverify:<operation>` gets, the same object at `start`, `end`,
 * `asyncStart`, `asyncEnd` and `error`: who is called and for what at `start`; the outcome
 * filled in before `asyncEnd` (or `error`). Never a secret, a code or a phone number.
 */
export interface TraceContext {
  /** The operation (`start`, `check`, …; `list`: one vendor page read, or a wrapper's `listPage`). */
  readonly operation: TracedOperation;
  /** The provider instance's name (`lox24`, `failover`). */
  readonly provider: string;
  /** `vendor` for one vendor's adapter; a wrapper's kind (`failover`, `route`, `guard`, `adaptive`, `testNumbers`) for the rest. */
  readonly kind: string;
  /** The vendor (`lox24`), for `kind: 'vendor'`. */
  readonly vendor?: string;
  /** The host of the vendor's API, for `kind: 'vendor'`. */
  readonly serverAddress?: string;
  /** `start`: the first channel of the plan asked for; after: the channel delivered on, else the plan's first. */
  channel?: Channel;
  /** `start`: the destination's ISO 3166-1 country (`DE`), `email`, or `unknown`; known once polyverify has loaded the number metadata (`polyverify/otel` does, so do the guard and adaptive routing), at `start` or by `asyncEnd`. */
  country?: string;
  /** The verification's id, once the provider answered (a start's, or the id a check was answered for). */
  id?: string;
  /** A wrapper's: the member whose verification it is (the first part of the id). */
  member?: string;
  /** `start`, `resend`, `failover`: `yes` when the call returned; on an error, the error's `sent` (`no` or `maybe`). */
  sent?: 'yes' | 'no' | 'maybe';
  /** The verification's status after the call (`check` too). */
  status?: VerificationStatus;
  /** `check`: whether the code was right. */
  verified?: boolean;
  /** `check`: why it was not (`incorrect_code`, `expired`, …). */
  reason?: CheckReason;
  /** `check`: wrong codes still allowed, where known. */
  attemptsRemaining?: number;
  /** What the vendor charged so far, where it says. */
  cost?: Money;
  /** `list`: items in the page read (a vendor page, before polyverify's filters; a wrapper's page as returned). */
  items?: number;
  /** The failure, when the call failed: a `VerifyError` (its message has no secret) or what else was thrown. */
  error?: unknown;
}

/** Who a traced call is on: the fixed part of its context. */
export type TracedProvider = Pick<TraceContext, 'provider' | 'kind' | 'vendor' | 'serverAddress'>;

/** The parts of `node:diagnostics_channel` used here (present on Node, Bun, Deno and Workers with `nodejs_compat`). */
interface Publisher {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
  runStores?<T>(message: unknown, run: () => T): T;
}
interface Tracing {
  readonly start: Publisher;
  readonly end: Publisher;
  readonly asyncStart: Publisher;
  readonly asyncEnd: Publisher;
  readonly error: Publisher;
}
/** `node:diagnostics_channel` as far as it is used. */
export interface DiagnosticsChannels {
  tracingChannel(name: string): Tracing;
  channel(name: string): Publisher;
}
/** Where the module may be handed out: `globalThis`, or a stand-in in tests. */
type Scope = { process?: { getBuiltinModule?: (name: string) => unknown } };

/** `node:diagnostics_channel` where `scope` hands it out with tracing channels, else undefined. */
export function diagnosticsOf(scope: Scope): DiagnosticsChannels | undefined {
  let found: Partial<DiagnosticsChannels> | undefined;
  try {
    found = scope.process?.getBuiltinModule?.('node:diagnostics_channel') as Partial<DiagnosticsChannels> | undefined;
  } catch {
    // A runtime may refuse the module (a permission model): nothing is published.
  }
  return typeof found?.tracingChannel === 'function' && typeof found.channel === 'function' ? (found as DiagnosticsChannels) : undefined;
}

interface Channels {
  readonly operations: Readonly<Record<TracedOperation, Tracing>>;
  readonly decisions: Publisher;
}
/** Every traced operation, in the order the docs list them. */
export const TRACED_OPERATIONS: readonly TracedOperation[] = ['start', 'check', 'get', 'list', 'resend', 'failover', 'cancel'];

/** The tracing channel of `operation`: `polyverify:<operation>`. */
export function operationChannel(operation: TracedOperation): string {
  return `polyverify:${operation}`;
}

/** The channels over `diagnostics`, or undefined without them. */
export function channelsOf(diagnostics: DiagnosticsChannels | undefined): Channels | undefined {
  if (!diagnostics) return undefined;
  return {
    operations: Object.fromEntries(TRACED_OPERATIONS.map((operation) => [operation, diagnostics.tracingChannel(operationChannel(operation))])) as Record<TracedOperation, Tracing>,
    decisions: diagnostics.channel(DECISION_CHANNEL),
  };
}

// Looked up at the first call, not at import (null: the runtime has none).
let channels: Channels | null | undefined;
function current(): Channels | null {
  return (channels ??= channelsOf(diagnosticsOf(globalThis as Scope)) ?? null);
}

/** Whether anything listens on `tracing` (a bound store counts). */
function listened(tracing: Tracing): boolean {
  return tracing.start.hasSubscribers || tracing.end.hasSubscribers || tracing.asyncStart.hasSubscribers || tracing.asyncEnd.hasSubscribers || tracing.error.hasSubscribers;
}

// The country of a number, once libphonenumber's metadata is loaded by whoever needs it (numbers.ts
// hands it over: polyverify/otel, the guard, adaptive routing): never loaded from here, so a bundle
// without those carries no phone metadata for tracing's sake.
let countryOf: ((phone: string) => string | undefined) | undefined;
let loadingCountries: Promise<unknown> | undefined;

/** Gives the tracing the country parser as it loads (numbers.ts calls it). */
export function countriesFrom(loading: Promise<(phone: string) => string | undefined>): void {
  loadingCountries ??= loading.then(
    (parse) => (countryOf = parse),
    () => undefined,
  );
}

/** The country a start goes to, as outcomes count it (`destinationOf`); undefined for a caller's malformed `to`, or a number before the metadata is loaded. */
function destination(to: unknown): string | undefined {
  if (typeof to === 'object' && to !== null) return 'email'; // as destinationOf says, without reading a caller's malformed object
  if (typeof to !== 'string' || !countryOf) return undefined;
  return destinationOf(to, countryOf).country;
}

/** The context of a call at its start, from its arguments (nothing of them but a channel and a country). */
function opened(operation: TracedOperation, on: TracedProvider, args: readonly unknown[]): TraceContext {
  const context: TraceContext = { operation, ...on };
  if (operation === 'start') {
    const request = args[0] as { to?: Recipient; channels?: readonly { channel?: unknown }[] } | undefined;
    const channel = Array.isArray(request?.channels) ? request.channels[0]?.channel : undefined;
    if (typeof channel === 'string') context.channel = channel as Channel;
    const country = destination(request?.to);
    if (country !== undefined) context.country = country;
  }
  return context;
}

/** Fills in what the answer says (`subject`: the call's first argument — a start's request, a check's id — read only now). */
function settled(context: TraceContext, value: unknown, subject: unknown): void {
  if (context.operation === 'check') {
    const result = value as CheckResult;
    // The id was good enough for the provider to answer: a caller's mistake never reaches the context.
    if (typeof subject === 'string') {
      context.id = subject;
      if (context.kind !== 'vendor') context.member = subject.slice(0, subject.indexOf(':'));
    }
    context.verified = result.verified;
    context.status = result.status;
    if (result.reason !== undefined) context.reason = result.reason;
    if (result.attemptsRemaining !== undefined) context.attemptsRemaining = result.attemptsRemaining;
    return;
  }
  if (context.operation === 'list') {
    context.items = (value as Page<unknown>).items.length;
    return;
  }
  const verification = value as Verification;
  context.id = verification.id;
  context.status = verification.status;
  const channel = verification.deliveredChannel ?? verification.channels[0]?.channel;
  if (channel !== undefined) context.channel = channel;
  if (verification.cost) context.cost = { amount: verification.cost.amount, currency: verification.cost.currency };
  if (context.kind !== 'vendor') context.member = verification.id.slice(0, verification.id.indexOf(':'));
  if (context.operation !== 'get' && context.operation !== 'cancel') context.sent = 'yes';
  if (context.operation === 'start' && context.country === undefined && verification.country !== undefined) context.country = verification.country;
}

/** Fills in the failure. */
function failed(context: TraceContext, error: unknown): void {
  context.error = error;
  if (context.operation === 'start' || context.operation === 'resend' || context.operation === 'failover') context.sent = isVerifyError(error) ? error.sent : 'maybe';
}

/**
 * A start's country not known at its start (the number metadata was still loading): waits for
 * the metadata — loaded while the vendor answered, so seldom a wait — and fills it in.
 */
function countryKnown(context: TraceContext, subject: unknown): Promise<void> | undefined {
  const to = (subject as { to?: unknown } | undefined)?.to;
  if (context.operation !== 'start' || context.country !== undefined || typeof to !== 'string' || !loadingCountries) return undefined;
  return loadingCountries.then(() => {
    if (context.country === undefined && countryOf) context.country = countryOf(to) ?? 'unknown';
  });
}

/** Runs `run` published on `tracing` with `context`, as `TracingChannel.tracePromise` does, the answer kept off the context. */
function traced<T>(tracing: Tracing, context: TraceContext, run: () => Promise<T>, subject: unknown): Promise<T> {
  const { start, end, asyncStart, asyncEnd, error } = tracing;
  const resolved = (value: T): T => {
    settled(context, value, subject);
    asyncStart.publish(context);
    asyncEnd.publish(context);
    return value;
  };
  const rejected = (reason: unknown): never => {
    failed(context, reason);
    error.publish(context);
    asyncStart.publish(context);
    asyncEnd.publish(context);
    throw reason;
  };
  const body = (): Promise<T> => {
    try {
      return run().then(
        (value) => countryKnown(context, subject)?.then(() => resolved(value)) ?? resolved(value),
        (reason: unknown) => countryKnown(context, subject)?.then(() => rejected(reason)) ?? rejected(reason),
      );
    } catch (thrown) {
      failed(context, thrown);
      error.publish(context);
      throw thrown;
    } finally {
      end.publish(context);
    }
  };
  // runStores enters the stores bound to `start` (a tracer's active span) around the call, then publishes `start`.
  if (start.runStores) return start.runStores(context, body);
  start.publish(context);
  return body();
}

/**
 * `run`, published on `polyverify:<operation>` whenever someone listens; `run` itself when
 * nobody does, or the runtime has no tracing channels.
 */
export function traceOperation<A extends unknown[], T>(operation: TracedOperation, on: TracedProvider, run: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  return (...args: A): Promise<T> => {
    const tracing = current()?.operations[operation];
    if (!tracing || !listened(tracing)) return run(...args);
    return traced(tracing, opened(operation, on, args), () => run(...args), args[0]);
  };
}

/** Publishes a wrapper's decision on `polyverify:decision`, without the recipient (even masked). */
export function publishDecision(event: DecisionEvent): void {
  const decisions = current()?.decisions;
  if (!decisions?.hasSubscribers) return;
  const { to: _recipient, ...message } = event;
  decisions.publish(message);
}
