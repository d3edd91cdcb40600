/**
 * What a traced call becomes in OpenTelemetry: its span (name, kind, attributes, status) and
 * its measurements. Attribute names follow the semantic conventions where one fits
 * (`error.type`, `server.address`) and sit under `polyverify.*` otherwise; metrics never carry
 * an id or a number (docs/observability.md lists every one).
 */
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { isVerifyError } from '../src/errors.js';
import type { DecisionEvent } from '../src/events.js';
import type { TraceContext } from '../src/tracing.js';

/** `error.type` of a failure: the `VerifyError`'s `code` (`timeout`, `rejected`, …; docs/observability.md), `_OTHER` for anything else. */
export function errorType(error: unknown): string {
  return isVerifyError(error) ? error.code : '_OTHER';
}

/** The span's name: `{operation} {provider}` (`start lox24`, `check failover`). */
export function spanName(context: TraceContext): string {
  return `${context.operation} ${context.provider}`;
}

/** What is known of a call when it begins. */
export function openingAttributes(context: TraceContext): Attributes {
  const attributes: Attributes = { 'polyverify.operation': context.operation, 'polyverify.provider': context.provider, 'polyverify.kind': context.kind };
  if (context.vendor !== undefined) attributes['polyverify.vendor'] = context.vendor;
  if (context.serverAddress !== undefined) attributes['server.address'] = context.serverAddress;
  if (context.channel !== undefined) attributes['polyverify.channel'] = context.channel;
  if (context.country !== undefined) attributes['polyverify.destination.country'] = context.country;
  return attributes;
}

/** What the call's end adds. */
export function closingAttributes(context: TraceContext): Attributes {
  const attributes: Attributes = {};
  const set = (key: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) attributes[key] = value;
  };
  set('polyverify.channel', context.channel);
  set('polyverify.destination.country', context.country);
  set('polyverify.verification.id', context.id);
  set('polyverify.member', context.member);
  set('polyverify.sent', context.sent);
  set('polyverify.status', context.status);
  set('polyverify.check.verified', context.verified);
  set('polyverify.check.result', checkResult(context));
  set('polyverify.check.attempts_remaining', context.attemptsRemaining);
  set('polyverify.list.items', context.items);
  if (context.cost) {
    set('polyverify.cost.amount', Number(context.cost.amount));
    set('polyverify.cost.currency', context.cost.currency);
  }
  if (context.error !== undefined) set('error.type', errorType(context.error));
  return attributes;
}

/** A check's result in one word: `verified`, or why not (`incorrect_code`, `expired`, …). */
function checkResult(context: TraceContext): string | undefined {
  if (context.verified === undefined) return undefined;
  return context.verified ? 'verified' : (context.reason ?? context.status ?? 'unverified');
}

/** The instruments, each documented in docs/observability.md. */
export class Measurements {
  readonly #duration: Histogram;
  readonly #starts: Counter;
  readonly #checks: Counter;
  readonly #timeToVerify: Histogram;
  readonly #guard: Counter;
  readonly #cost: Counter;
  /** When each verification this process started began, for the time to verify (bounded: the oldest go first). */
  readonly #startedAt = new Map<string, number>();
  readonly #remember: number;

  constructor(meter: Meter, remember: number) {
    this.#remember = remember;
    this.#duration = meter.createHistogram('polyverify.operation.duration', {
      unit: 's',
      description: 'Duration of polyverify operations (each vendor page read is one list operation).',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    });
    this.#starts = meter.createCounter('polyverify.verification.starts', { unit: '{verification}', description: 'Verifications a vendor started (a message sent).' });
    this.#checks = meter.createCounter('polyverify.verification.checks', { unit: '{check}', description: 'Checks a vendor answered, by result (verified, incorrect_code, expired, …).' });
    this.#timeToVerify = meter.createHistogram('polyverify.verification.time_to_verify', {
      unit: 's',
      description: 'From a start to the check that verified it (verifications this process started).',
      advice: { explicitBucketBoundaries: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600] },
    });
    this.#guard = meter.createCounter('polyverify.guard.decisions', { unit: '{decision}', description: "A guard's decisions on starts, by rule for refusals." });
    this.#cost = meter.createCounter('polyverify.cost', { unit: '{currency_unit}', description: 'What vendors charged for the starts they answered, in the currency of polyverify.cost.currency.' });
  }

  /** A call ended after `seconds`. */
  ended(context: TraceContext, seconds: number, now: number): void {
    const attributes: Attributes = { 'polyverify.operation': context.operation, 'polyverify.provider': context.provider, 'polyverify.kind': context.kind };
    if (context.error !== undefined) attributes['error.type'] = errorType(context.error);
    this.#duration.record(seconds, attributes);
    // Starts, checks and money are counted where they happen (at the vendor), so a failover over two vendors counts each once.
    if (context.kind !== 'vendor' || context.error !== undefined) return;
    const where: Attributes = { 'polyverify.provider': context.provider };
    if (context.operation === 'start') {
      if (context.channel !== undefined) where['polyverify.channel'] = context.channel;
      if (context.country !== undefined) where['polyverify.destination.country'] = context.country;
      this.#starts.add(1, where);
      if (context.cost) this.#cost.add(Number(context.cost.amount), { ...where, 'polyverify.cost.currency': context.cost.currency });
      if (context.id !== undefined) this.#started(context.id, now);
    } else if (context.operation === 'check') {
      this.#checks.add(1, { ...where, 'polyverify.check.result': checkResult(context)! });
      const began = context.verified && context.id !== undefined ? this.#startedAt.get(context.id) : undefined;
      if (began !== undefined) {
        this.#startedAt.delete(context.id!);
        this.#timeToVerify.record((now - began) / 1000, where);
      }
    }
  }

  /** A guard decided. */
  decided(decision: Omit<DecisionEvent, 'to'>): void {
    if (decision.decision !== 'allowed' && decision.decision !== 'refused') return;
    const attributes: Attributes = { 'polyverify.provider': decision.provider, 'polyverify.guard.decision': decision.decision };
    if (decision.rule !== undefined) attributes['polyverify.guard.rule'] = decision.rule;
    this.#guard.add(1, attributes);
  }

  #started(id: string, now: number): void {
    if (this.#startedAt.size >= this.#remember) this.#startedAt.delete(this.#startedAt.keys().next().value!);
    this.#startedAt.set(id, now);
  }
}
