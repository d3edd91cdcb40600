/**
 * LOX24 wire <-> model: the documented request rules, the body sent, the status and cost
 * tables, and the error mapping. Every LOX24 fact the adapter relies on lives here.
 */
import * as v from 'valibot';
import { type FieldIssue, type VerifyError } from '../../src/errors.js';
import { errorForStatus, type HttpFailure } from '../../src/http/index.js';
import { fromMinorUnits } from '../../src/money.js';
import type { Channel, ChannelStep, DeliveryStatus, StartRequest, Verification, VerificationStatus } from '../../src/model.js';
import type { Redactor } from '../../src/redact.js';
import { statusOfRecord, type CodeRecord } from '../../src/codes/index.js';
import {
  LOX24_CHANNELS,
  errorBodySchema,
  type Lox24Channel,
  type Lox24CreateBody,
  type Lox24Lang,
  type Lox24RoutingStepWrite,
  type Lox24VerifyCode,
} from './wire.js';

/** LOX24's documented limits. */
export const LOX24_LIMITS = {
  phone: { min: 5, max: 30 },
  telegramTimeoutSec: { min: 30, max: 3600 },
  templateMax: 70,
  payloadMax: 128,
} as const;

/** The placeholder LOX24 replaces with the code in sms and voice templates. */
export const CODE_PLACEHOLDER = '{{code}}';

/** Documented status values (verify code and history entries). */
export const DELIVERY_STATUS: Readonly<Record<number, DeliveryStatus>> = {
  0: 'queued', // New
  5: 'sending', // In Progress
  10: 'delivered', // Success: delivered, not "the user typed the code"
  20: 'failed', // Failed
  100: 'error', // Error
};
/** What an undocumented status value maps to (reported through `onEvent`). */
export const UNKNOWN_DELIVERY_STATUS: DeliveryStatus = 'sending';
const FINAL_FAILURE = new Set([20, 100]);

/** Currency assumed when LOX24 sends a cost without one: costs are documented as euro cents. */
export const DEFAULT_CURRENCY = 'EUR';

/** LOX24's `lang` of a language the shell decided (one of `capabilities.languages`): upper case. */
export const langOf = (language: string): Lox24Lang => language.toUpperCase() as Lox24Lang;

/** The parts of a start request the body is built from, after polyverify's own rules. */
export interface CreateInput {
  readonly phone: string;
  readonly code: string;
  /** The language the shell decided (always set for LOX24: its own default, German, is never left to apply). */
  readonly locale: string;
  readonly reference: string | undefined;
  readonly deleteCodeAfterSend: boolean;
  readonly channels: readonly ChannelStep[];
}

/**
 * Checks LOX24's own rules of a start request (the shell has checked the recipient, the
 * channels and the ranges against the capabilities); returns every broken one as a field issue.
 */
export function lox24Issues(request: Pick<StartRequest, 'code' | 'codeLength' | 'reference'> & { readonly channels: readonly ChannelStep[] }): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { channels } = request;
  if (request.code !== undefined && request.codeLength !== undefined && request.codeLength !== request.code.length) {
    issues.push({ field: 'codeLength', message: 'does not match the length of code' });
  }
  if (request.reference !== undefined && request.reference.length > LOX24_LIMITS.payloadMax) {
    issues.push({ field: 'reference', message: `must be at most ${LOX24_LIMITS.payloadMax} characters (LOX24 payload)` });
  }
  const seen = new Set<string>();
  channels.forEach((step, index) => {
    const at = `channels.${index}`;
    if (!(LOX24_CHANNELS as readonly string[]).includes(step.channel)) return; // the shell names it
    if (seen.has(step.channel)) issues.push({ field: `${at}.channel`, message: 'appears twice; LOX24 allows each channel once' });
    seen.add(step.channel);
    if (step.channel === 'sms' && index !== channels.length - 1) {
      issues.push({ field: `${at}.channel`, message: 'sms must be the last step (LOX24 rule)' });
    }
    if (step.channel === 'telegram') {
      const { min, max } = LOX24_LIMITS.telegramTimeoutSec;
      if (step.timeoutSec !== undefined && (step.timeoutSec < min || step.timeoutSec > max)) {
        issues.push({ field: `${at}.timeoutSec`, message: `must be ${min} to ${max} seconds for telegram` });
      }
      if (step.sender !== undefined) issues.push({ field: `${at}.sender`, message: 'applies to voice and sms only' });
      if (step.template !== undefined) issues.push({ field: `${at}.template`, message: 'applies to voice and sms only' });
    } else {
      if (step.timeoutSec !== undefined) issues.push({ field: `${at}.timeoutSec`, message: 'applies to telegram only' });
      if (step.template !== undefined) {
        if (step.template.length > LOX24_LIMITS.templateMax) {
          issues.push({ field: `${at}.template`, message: `must be at most ${LOX24_LIMITS.templateMax} characters` });
        }
        if (!step.template.includes(CODE_PLACEHOLDER)) {
          issues.push({ field: `${at}.template`, message: `must contain ${CODE_PLACEHOLDER}` });
        }
      }
    }
  });
  return issues;
}

/** The POST /verify_codes body. Keys in the documented example's order; unset ones left out. */
export function toCreateBody(input: CreateInput): Lox24CreateBody {
  // `code_length` is not sent: LOX24 uses it only when `code` is absent, and polyverify always sends the code.
  return {
    phone: input.phone,
    code: input.code,
    is_code_deleted: input.deleteCodeAfterSend,
    ...(input.reference !== undefined && { payload: input.reference }),
    lang: langOf(input.locale),
    routing_strategy: input.channels.map(toRoutingStep),
  };
}

function toRoutingStep(step: ChannelStep): Lox24RoutingStepWrite {
  const out: Lox24RoutingStepWrite = { channel: step.channel as Lox24Channel };
  if (step.timeoutSec !== undefined) out.timeout_sec = step.timeoutSec;
  if (step.sender !== undefined) out.sender_id = step.sender;
  if (step.template !== undefined) out.template = step.template;
  return out;
}

/** Facts from polyverify's side that the read model lacks. */
export interface MapContext {
  readonly provider: string;
  /** The code record, if this process's store has one. */
  readonly record: CodeRecord | undefined;
  readonly now: number;
  /** TTL assumed when the store has no record (the adapter's default). */
  readonly ttlSeconds: number;
  /** Told about values outside the documented tables. */
  readonly warn: (message: string) => void;
}

const seconds = (unix: number | null | undefined): Date | undefined => (unix == null ? undefined : new Date(unix * 1000));

function deliveryStatus(value: number, ctx: MapContext): DeliveryStatus {
  const mapped = DELIVERY_STATUS[value];
  if (mapped) return mapped;
  ctx.warn(`LOX24 sent an undocumented status ${value}; treated as '${UNKNOWN_DELIVERY_STATUS}'`);
  return UNKNOWN_DELIVERY_STATUS;
}

/**
 * The verification status: the code record decides (verified, canceled, attempts used up,
 * expired); a pending code whose every delivery step failed is `failed`. Without a record
 * (another process without a shared store, or evicted), delivery and the adapter's TTL decide.
 */
export function verificationStatus(wire: Lox24VerifyCode, ctx: MapContext): { status: VerificationStatus; expiresAt: Date | undefined } {
  const deliveryFailed = FINAL_FAILURE.has(wire.status);
  if (ctx.record) {
    const status = statusOfRecord(ctx.record, ctx.now);
    return { status: status === 'pending' && deliveryFailed ? 'failed' : status, expiresAt: new Date(ctx.record.expiresAt) };
  }
  const expiresAt = new Date((wire.created_at + ctx.ttlSeconds) * 1000);
  if (deliveryFailed) return { status: 'failed', expiresAt };
  return { status: ctx.now >= expiresAt.getTime() ? 'expired' : 'pending', expiresAt };
}

/** When it ended: the record's time (verified, canceled, locked out), expiry, or LOX24's last update of a failed delivery. */
function finishedAt(status: VerificationStatus, wire: Lox24VerifyCode, ctx: MapContext, expiresAt: Date | undefined): Date | undefined {
  if (status === 'pending') return undefined;
  if (status === 'expired') return expiresAt;
  const at = ctx.record?.finishedAt;
  if (at !== undefined) return new Date(at);
  return status === 'failed' ? seconds(wire.updated_at) : undefined;
}

/** The read model without the code: what `raw` holds. */
export function withoutCode(wire: unknown): unknown {
  if (typeof wire !== 'object' || wire === null || !('code' in wire)) return wire;
  const { code: _code, ...rest } = wire as Record<string, unknown>;
  return rest;
}

/** Maps the LOX24 read model to a `Verification`. */
export function toVerification(wire: Lox24VerifyCode, raw: unknown, ctx: MapContext): Verification {
  const { status, expiresAt } = verificationStatus(wire, ctx);
  return {
    id: wire.id,
    provider: ctx.provider,
    to: wire.phone,
    status,
    channels: (wire.routing_strategy ?? []).map((step) => {
      const out: { -readonly [K in keyof ChannelStep]: ChannelStep[K] } = { channel: step.channel as Channel };
      if (step.timeout_sec != null) out.timeoutSec = step.timeout_sec;
      if (step.sender_id != null) out.sender = step.sender_id;
      if (step.template != null) out.template = step.template;
      return out;
    }),
    attempts: (wire.history ?? []).map((entry) => ({
      channel: entry.channel as Channel,
      status: deliveryStatus(entry.status, ctx),
      at: seconds(entry.processed_at),
      messageId: entry.external_id ?? undefined,
      raw: entry.status,
    })),
    deliveredChannel: (wire.delivered_channel ?? undefined) as Channel | undefined,
    maxAttempts: ctx.record?.maxAttempts,
    failedAttempts: ctx.record?.failedAttempts,
    cost: wire.cost == null ? null : fromMinorUnits(wire.cost, wire.currency ?? DEFAULT_CURRENCY),
    reference: wire.payload ?? undefined,
    country: undefined,
    createdAt: new Date(wire.created_at * 1000),
    updatedAt: seconds(wire.updated_at),
    expiresAt,
    finishedAt: finishedAt(status, wire, ctx, expiresAt),
    raw: withoutCode(raw),
  };
}

/**
 * Maps a LOX24 error response. 400/422 with `violations` → `RejectedError` naming the
 * fields; 401/402/403/404 → their typed errors; 429 is LOX24's 10-minute IP block after
 * bad credentials, so it is never retried automatically.
 */
export function toLox24Error(failure: HttpFailure, redactor: Redactor, provider: string): VerifyError {
  const parsed = v.safeParse(errorBodySchema, failure.body);
  const body = parsed.success ? parsed.output : undefined;
  const text =
    body?.detail ?? body?.['hydra:description'] ?? body?.message ?? body?.title ?? body?.['hydra:title'] ?? (typeof failure.body === 'string' ? failure.body : '');
  const issues: FieldIssue[] = (body?.violations ?? []).map((violation) => ({
    field: violation.propertyPath ?? '',
    message: redactor.text(violation.message ?? 'invalid'),
  }));
  return errorForStatus(failure, provider, {
    message: redactor.text(text),
    issues,
    ...(failure.status === 429 ? { retryable: false } : {}),
  });
}
