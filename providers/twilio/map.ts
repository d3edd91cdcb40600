/**
 * Twilio wire <-> model: the endpoints (one table, all read in Twilio's OpenAPI description),
 * the create form from a StartRequest, the status and channel tables, a Verification resource
 * and a verification folded from its delivery attempts as `Verification`s, a check's answer as
 * an outcome, and the error mapping by Twilio's error code.
 */
import * as v from 'valibot';
import { RateLimitError, RejectedError, type FieldIssue, type VerifyError } from '../../src/errors.js';
import { errorForStatus, type HttpFailure } from '../../src/http/index.js';
import { addMoney, parseDecimal, type Money } from '../../src/money.js';
import type { Channel, DeliveryAttempt, DeliveryStatus, Verification, VerificationStatus } from '../../src/model.js';
import type { Redactor } from '../../src/redact.js';
import type { StartInput } from '../../src/adapter/define.js';
import { TWILIO_LIMITS, type TwilioStartExtras } from './config.js';
import { errorBodySchema, sendAttemptSchema, type TwilioAttempt, type TwilioCheck, type TwilioVerification } from './wire.js';

/** One endpoint of Twilio Verify v2 the adapter uses. */
export interface TwilioEndpoint {
  /** The HTTP method. */
  readonly method: 'GET' | 'POST';
  /** The path, with `{ServiceSid}` and `{Sid}` placeholders. */
  readonly path: string;
  /** The form fields sent, or the query parameters read. */
  readonly fields: readonly string[];
  /** The description's `operationId`. */
  readonly operationId: string;
}

/**
 * Every endpoint of Twilio Verify v2 the adapter calls, with the fields it sends: all read in
 * Twilio's own OpenAPI description (`twilio/twilio-oai`, `twilio_verify_v2.json`), so none is
 * inferred. `test/vendors/twilio/prism.test.ts` sends each to Prism serving that description.
 */
export const TWILIO_API = {
  start: { method: 'POST', path: 'v2/Services/{ServiceSid}/Verifications', fields: ['To', 'Channel', 'Locale', 'CustomCode', 'CustomFriendlyName', 'TemplateSid', 'AppHash'], operationId: 'CreateVerification' },
  check: { method: 'POST', path: 'v2/Services/{ServiceSid}/VerificationCheck', fields: ['VerificationSid', 'Code'], operationId: 'CreateVerificationCheck' },
  get: { method: 'GET', path: 'v2/Services/{ServiceSid}/Verifications/{Sid}', fields: [], operationId: 'FetchVerification' },
  cancel: { method: 'POST', path: 'v2/Services/{ServiceSid}/Verifications/{Sid}', fields: ['Status'], operationId: 'UpdateVerification' },
  resend: { method: 'POST', path: 'v2/Services/{ServiceSid}/Verifications', fields: ['To', 'Channel'], operationId: 'CreateVerification' },
  attempts: {
    method: 'GET',
    path: 'v2/Attempts',
    fields: ['VerifyServiceSid', 'VerificationSid', 'DateCreatedAfter', 'DateCreatedBefore', 'ChannelData.To', 'PageSize', 'PageToken', 'Page'],
    operationId: 'ListVerificationAttempt',
  },
} as const satisfies Record<string, TwilioEndpoint>;

/** Twilio's verification statuses ("pending, approved, canceled, max_attempts_reached, deleted, failed or expired"), each to one normalized value. */
export const VERIFICATION_STATUS: Readonly<Record<string, VerificationStatus>> = {
  pending: 'pending',
  approved: 'verified',
  canceled: 'canceled',
  max_attempts_reached: 'failed',
  deleted: 'failed',
  failed: 'failed',
  expired: 'expired',
};

/** Twilio's channel names (`verification_enum_channel`, `verification_attempt_enum_channels`) → polyverify's. */
export const CHANNEL_OF: Readonly<Record<string, Channel>> = { sms: 'sms', call: 'voice', whatsapp: 'whatsapp', email: 'email' };
/** polyverify's channels → Twilio's `Channel`. */
export const TWILIO_CHANNEL: Readonly<Partial<Record<Channel, string>>> = { sms: 'sms', voice: 'call', whatsapp: 'whatsapp', email: 'email' };

/** A message's status (`verification_attempt_enum_message_status`) or a call's (`…_call_status`) → a delivery status. */
export const DELIVERY_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  queued: 'queued',
  scheduled: 'queued',
  accepted: 'queued',
  ringing: 'queued',
  sending: 'sending',
  sent: 'sending',
  'in-progress': 'sending',
  partially_delivered: 'sending',
  delivered: 'delivered',
  read: 'delivered',
  receiving: 'delivered',
  received: 'delivered',
  completed: 'delivered',
  failed: 'failed',
  undelivered: 'failed',
  canceled: 'failed',
  busy: 'failed',
  'no-answer': 'failed',
};

/** The form of a start: Twilio's rules of the request, or the fields. */
export function toCreateForm(input: StartInput<TwilioStartExtras>): { body?: URLSearchParams; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  if (input.channels.length > 1) issues.push({ field: 'channels', message: 'Twilio sends on one channel per start: start again with another channel to move on (the verification continues)' });
  const step = input.channels[0]!;
  const email = typeof input.to === 'string' ? undefined : input.to.email;
  input.channels.forEach((s, index) => {
    if (s.timeoutSec !== undefined) issues.push({ field: `channels.${index}.timeoutSec`, message: 'Twilio has no step timeout' });
    if (s.sender !== undefined) issues.push({ field: `channels.${index}.sender`, message: 'Twilio sends from the Verify Service (its friendly name: vendor.friendlyName)' });
    if (s.template !== undefined) issues.push({ field: `channels.${index}.template`, message: 'Twilio takes a template by SID (vendor.templateSid)' });
  });
  if (TWILIO_CHANNEL[step.channel] && (step.channel === 'email') !== (email !== undefined)) {
    issues.push({ field: 'channels.0.channel', message: step.channel === 'email' ? 'email needs an { email } recipient' : `${step.channel} needs a phone number recipient` });
  }
  if (input.codeLength !== undefined) issues.push({ field: 'codeLength', message: "Twilio's code length is a setting of the Verify Service" });
  if (issues.length) return { issues };
  const form = new URLSearchParams({ To: email ?? (input.to as string), Channel: TWILIO_CHANNEL[step.channel]! });
  if (input.locale !== undefined) form.set('Locale', twilioLocale(input.locale));
  if (input.code !== undefined) form.set('CustomCode', input.code);
  if (input.vendor.friendlyName !== undefined) form.set('CustomFriendlyName', input.vendor.friendlyName);
  if (input.vendor.templateSid !== undefined) form.set('TemplateSid', input.vendor.templateSid);
  if (input.vendor.appHash !== undefined) form.set('AppHash', input.vendor.appHash);
  return { body: form, issues };
}

/** A language as Twilio writes it: `pt-br` → `pt-BR`. */
export function twilioLocale(language: string): string {
  const [lang, region] = language.split('-');
  return region === undefined ? lang! : `${lang}-${region.toUpperCase()}`;
}

/** What mapping needs besides the body. */
export interface MapContext {
  /** The provider instance's name. */
  readonly provider: string;
  /** The clock, epoch ms. */
  readonly now: number;
  /** Reports an undocumented value. */
  readonly warn: (message: string) => void;
  /** Wrong codes polyverify counted for it, where known. */
  readonly failedAttempts?: number | undefined;
}

/** A date Twilio sent (ISO 8601 in the description's examples, RFC 2822 in its prose: both read). */
export function dateOf(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function required(value: string | null | undefined, field: string): Date {
  const date = dateOf(value);
  if (!date) throw new RangeError(`${field} is not a date`);
  return date;
}

/** A Twilio channel name as polyverify's; an unknown one (`sna`, `rbm`, `auto`) is reported and read as `sms`. */
export function channelOf(value: string | null | undefined, warn: (message: string) => void): Channel {
  const channel = value ? CHANNEL_OF[value.toLowerCase()] : undefined;
  if (channel) return channel;
  warn(`Twilio sent a channel polyverify does not model ('${value ?? ''}'); read as 'sms'`);
  return 'sms';
}

export function statusOf(wire: Pick<TwilioVerification, 'status' | 'valid'>, warn: (message: string) => void): VerificationStatus {
  const status = wire.status?.toLowerCase();
  const mapped = status === undefined ? undefined : VERIFICATION_STATUS[status];
  if (mapped) return mapped;
  if (wire.valid === true) return 'verified';
  warn(`Twilio sent an undocumented status '${wire.status ?? ''}'; treated as 'pending'`);
  return 'pending';
}

const LIFE_MS = TWILIO_LIMITS.lifeSeconds.default * 1000;

/** A Verification resource as a `Verification`: `send_code_attempts` are the attempts; Twilio puts no price on it (`cost: null`; lists have prices). */
export function toVerification(wire: TwilioVerification, raw: unknown, ctx: MapContext): Verification {
  const status = statusOf(wire, ctx.warn);
  const sends = (wire.send_code_attempts ?? []).flatMap((item) => {
    const parsed = v.safeParse(sendAttemptSchema, item);
    return parsed.success ? [parsed.output] : [];
  });
  const current = channelOf(wire.channel ?? sends.at(-1)?.channel, ctx.warn);
  const attempts: DeliveryAttempt[] = sends.map((send, index) => ({
    channel: send.channel ? channelOf(send.channel, ctx.warn) : current,
    status: status === 'verified' && index === sends.length - 1 ? 'delivered' : 'sending',
    at: dateOf(send.time),
    messageId: send.attempt_sid ?? undefined,
    raw: send.channel ?? null,
  }));
  const createdAt = required(wire.date_created, 'date_created');
  const updatedAt = dateOf(wire.date_updated);
  return {
    id: wire.sid,
    provider: ctx.provider,
    to: wire.to ?? '',
    status,
    channels: [{ channel: attempts[0]?.channel ?? current }],
    attempts,
    deliveredChannel: status === 'verified' ? (attempts.at(-1)?.channel ?? current) : undefined,
    maxAttempts: TWILIO_LIMITS.maxAttempts.default,
    failedAttempts: ctx.failedAttempts,
    cost: null,
    reference: undefined,
    country: undefined,
    createdAt,
    updatedAt,
    expiresAt: new Date(createdAt.getTime() + LIFE_MS),
    finishedAt: status === 'pending' ? undefined : updatedAt,
    raw,
  };
}

/** What a check's answer says: the code verified, why it did not, or `ended` (deleted, failed, unknown: the attempts tell). */
export function checkReason(answer: TwilioCheck, warn: (message: string) => void): 'verified' | 'incorrect_code' | 'canceled' | 'expired' | 'max_attempts' | 'ended' {
  const status = answer.status?.toLowerCase();
  if (status === 'approved' || (status === undefined && answer.valid === true)) return 'verified';
  if (status === 'pending') return 'incorrect_code';
  if (status === 'canceled' || status === 'expired') return status;
  if (status === 'max_attempts_reached') return 'max_attempts';
  if (status !== 'deleted' && status !== 'failed') warn(`Twilio answered a check with an undocumented status '${answer.status ?? ''}'; its attempts are read instead`);
  return 'ended';
}

/** The sum of the attempts' prices: exact, in their one currency; `null` while one is unpriced or when they differ in currency. */
export function costOf(attempts: readonly TwilioAttempt[], warn: (message: string) => void): Money | null {
  let total: Money | undefined;
  for (const attempt of attempts) {
    const value = parseDecimal(attempt.price?.value);
    const currency = attempt.price?.currency?.toUpperCase();
    if (value === undefined || !currency) return null;
    // Twilio writes charges as negative amounts in some APIs ("-0.0075"): a cost is the amount charged.
    const price = { amount: value.replace(/^-/, ''), currency };
    if (total && total.currency !== currency) {
      warn(`Twilio priced the attempts of ${attempt.verification_sid} in ${total.currency} and ${currency}; the cost is left out`);
      return null;
    }
    total = total ? addMoney(total, price) : price;
  }
  return total ?? null;
}

function deliveryOf(attempt: TwilioAttempt): DeliveryStatus {
  const raw = attempt.channel_data?.message_status ?? attempt.channel_data?.call_status;
  return (raw && DELIVERY_STATUS[raw.toLowerCase()]) || 'sending';
}

/** What a fold needs besides the attempts. */
export interface FoldContext extends Omit<MapContext, 'failedAttempts'> {
  /** Wrong codes polyverify counted, per verification id (undefined where unknown). */
  readonly failedOf: (id: string) => number | undefined;
  /**
   * Twilio answered 404 for the verification: it deleted it. Inside its life, unconverted and
   * with fewer wrong codes counted than allowed, that is a cancel.
   */
  readonly deleted?: boolean;
}

/**
 * A verification from its delivery attempts (the Attempts list): the first attempt created it,
 * each attempt is a delivery attempt with its price, and the status is what the attempts say —
 * converted (or `confirmed`) is verified; past its life (or `expired`) is expired; inside it, the
 * wrong codes polyverify counted decide `failed`, and a verification Twilio deleted is canceled.
 * `attempts` are one verification's, in any order.
 */
export function foldVerification(attempts: readonly TwilioAttempt[], raws: readonly unknown[], ctx: FoldContext): Verification {
  const order = attempts.map((attempt, index) => ({ attempt, raw: raws[index], at: required(attempt.date_created, 'date_created').getTime() }));
  order.sort((a, b) => a.at - b.at || (a.attempt.sid < b.attempt.sid ? -1 : 1));
  const sorted = order.map((o) => o.attempt);
  const first = sorted[0]!;
  const id = first.verification_sid;
  const createdAt = new Date(order[0]!.at);
  const expiresAt = new Date(order[0]!.at + LIFE_MS);
  const updated = Math.max(...sorted.map((a) => (dateOf(a.date_updated) ?? dateOf(a.date_created)!).getTime()));
  const converted = sorted.find((a) => a.conversion_status?.toLowerCase() === 'converted' || a.channel_data?.status?.toLowerCase() === 'confirmed');
  const failedAttempts = ctx.failedOf(id);
  const max = TWILIO_LIMITS.maxAttempts.default;
  let status: VerificationStatus;
  if (converted) status = 'verified';
  else if (sorted.some((a) => a.channel_data?.status?.toLowerCase() === 'expired') || ctx.now >= expiresAt.getTime()) status = 'expired';
  else if (failedAttempts !== undefined && failedAttempts >= max) status = 'failed';
  else if (ctx.deleted) status = failedAttempts === undefined ? 'failed' : 'canceled';
  else status = 'pending';
  const channels = sorted.map((a) => channelOf(a.channel, ctx.warn));
  const finishedAt = status === 'pending' ? undefined : status === 'expired' ? expiresAt : status === 'verified' ? (dateOf(converted!.date_updated) ?? new Date(updated)) : new Date(updated);
  return {
    id,
    provider: ctx.provider,
    to: sorted.find((a) => a.channel_data?.to)?.channel_data?.to ?? '',
    status,
    channels: [{ channel: channels[0]! }],
    attempts: sorted.map((a, index) => ({ channel: channels[index]!, status: deliveryOf(a), at: dateOf(a.date_updated) ?? dateOf(a.date_created), messageId: a.sid, raw: a.channel_data?.message_status ?? a.channel_data?.call_status ?? null })),
    deliveredChannel: status === 'verified' ? channelOf(converted!.channel, ctx.warn) : undefined,
    maxAttempts: max,
    failedAttempts,
    cost: costOf(sorted, ctx.warn),
    reference: undefined,
    country: sorted.find((a) => a.channel_data?.country)?.channel_data?.country?.toUpperCase() ?? undefined,
    createdAt,
    updatedAt: new Date(updated),
    expiresAt,
    finishedAt,
    raw: order.map((o) => o.raw),
  };
}

/** The verifications of a set of attempts, one per Verification SID, newest first (ties by id). */
export function foldAttempts(attempts: readonly TwilioAttempt[], raws: readonly unknown[], ctx: FoldContext): Verification[] {
  const groups = new Map<string, { attempts: TwilioAttempt[]; raws: unknown[] }>();
  attempts.forEach((attempt, index) => {
    let group = groups.get(attempt.verification_sid);
    if (!group) groups.set(attempt.verification_sid, (group = { attempts: [], raws: [] }));
    group.attempts.push(attempt);
    group.raws.push(raws[index]);
  });
  const verifications = [...groups.values()].map((group) => foldVerification(group.attempts, group.raws, ctx));
  return verifications.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** Twilio's request fields → the fields of polyverify's request, for an error's issues. */
const FIELD_OF: Readonly<Record<string, string>> = {
  To: 'to',
  Channel: 'channels.0.channel',
  Locale: 'locale',
  CustomCode: 'code',
  Code: 'code',
  CustomFriendlyName: 'vendor.friendlyName',
  TemplateSid: 'vendor.templateSid',
  AppHash: 'vendor.appHash',
  VerificationSid: 'id',
  Status: 'status',
};

/**
 * The Twilio error codes the adapter reads, with what each means for the caller. Every other
 * code is mapped by its HTTP status (`errorForStatus`). All say `sent: 'no'`: Twilio refused.
 */
export const TWILIO_ERRORS: Readonly<Record<number, string>> = {
  20404: 'not found: an unknown SID, or a verification Twilio deleted (approved, expired, canceled or out of checks) → NotFoundError; a check reads the attempts to say which',
  20429: 'too many requests → RateLimitError (retryable)',
  60200: 'invalid parameter → RejectedError with the parameter as an issue',
  60202: 'max check attempts (5) → a check answers max_attempts; elsewhere RateLimitError (not retryable)',
  60203: 'max send attempts (5) → RateLimitError (not retryable: the verification must end first)',
  60205: 'SMS to a landline → RejectedError (issue: to)',
  60410: 'Fraud Guard blocked the prefix for 12 hours → RejectedError (issue: to), not retryable: a failover moves on',
  60605: 'Geo-Permissions block the destination → RejectedError (issue: to), not retryable',
};

/** Maps a Twilio error: by its code where the code says more than the status, else by the status. */
export function toTwilioError(failure: HttpFailure, redactor: Redactor, provider: string): VerifyError {
  const parsed = v.safeParse(errorBodySchema, failure.body);
  const body = parsed.success ? parsed.output : undefined;
  const number = Number(body?.code);
  const code = Number.isInteger(number) ? number : undefined;
  const text = redactor.text(`${body?.message ?? (typeof failure.body === 'string' ? failure.body : '')}${code === undefined ? '' : ` (Twilio ${code})`}`);
  const message = `${provider} ${failure.operation}: HTTP ${failure.status}: ${text}`;
  const init = { provider, operation: failure.operation, status: failure.status, requestId: failure.requestId, sent: 'no' as const, retryable: false };
  const refused = (field: string, why: string) => new RejectedError(message, { ...init, issues: [{ field, message: why }] });
  switch (code) {
    case 60202:
    case 60203:
      return new RateLimitError(message, init);
    case 60205:
      return refused('to', 'Twilio does not send SMS to a landline');
    case 60410:
      return refused('to', "Twilio's Fraud Guard blocks this number's prefix for 12 hours");
    case 60605:
      return refused('to', "the Verify Service's Geo-Permissions block this destination");
    case 60200: {
      const parameter = /\b(To|Channel|Locale|CustomCode|Code|CustomFriendlyName|TemplateSid|AppHash|VerificationSid|Status)\b/.exec(body?.message ?? '')?.[1];
      return new RejectedError(message, { ...init, issues: parameter ? [{ field: FIELD_OF[parameter]!, message: `Twilio refused it (${redactor.text(body?.message ?? '')})` }] : [] });
    }
    default:
      return errorForStatus(failure, provider, { message: text });
  }
}
