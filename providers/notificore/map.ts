/**
 * Notificore wire <-> model: the request rules and body, the status, delivery and price
 * tables, the date formats, the check outcomes and the error mapping. Every Notificore fact
 * the adapter relies on lives here.
 */
import * as v from 'valibot';
import { InsufficientFundsError, RateLimitError, type FieldIssue, type VerifyError } from '../../src/errors.js';
import { errorForStatus, parseRetryAfter, type HttpFailure } from '../../src/http/index.js';
import { addMoney, parseDecimal, type Money } from '../../src/money.js';
import type { Channel, ChannelStep, CheckReason, DeliveryStatus, StartRequest, Verification, VerificationStatus } from '../../src/model.js';
import type { Redactor } from '../../src/redact.js';
import { NOTIFICORE_DEFAULTS, NOTIFICORE_LIMITS } from './config.js';
import { errorBodySchema, singleSchema, type NotificoreAuthentication, type NotificoreChannel, type NotificoreCreateBody } from './wire.js';

/** Verification statuses are Notificore's own, one to one. */
export const VERIFICATION_STATUS: Readonly<Record<string, VerificationStatus>> = {
  pending: 'pending',
  verified: 'verified',
  expired: 'expired',
  failed: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
};
/** An undocumented status: still `pending` (not final), reported through `onEvent`. */
export const UNKNOWN_VERIFICATION_STATUS: VerificationStatus = 'pending';

/**
 * `messages[].status`. The spec says `sent | accepted`; the docs say
 * `delivered` (sent), `accepted` (accepted for sending), `undelivered`.
 */
export const DELIVERY_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  accepted: 'queued',
  sent: 'delivered',
  delivered: 'delivered',
  undelivered: 'failed',
};
export const UNKNOWN_DELIVERY_STATUS: DeliveryStatus = 'sending';

/** What a failed verify answer means, by its message (the status code alone is ambiguous: a wrong code is a 404). */
export const CHECK_OUTCOMES: readonly { readonly status: number; readonly match: RegExp; readonly reason: CheckReason }[] = [
  { status: 404, match: /does not match/i, reason: 'incorrect_code' },
  { status: 404, match: /not found/i, reason: 'not_found' },
  { status: 422, match: /expired/i, reason: 'expired' },
  { status: 422, match: /failed/i, reason: 'max_attempts' },
  { status: 422, match: /cancel/i, reason: 'canceled' },
  { status: 422, match: /verified/i, reason: 'already_verified' },
];

const DIGITS = /^\d+$/;
const ALNUM_SENDER = /^[A-Za-z0-9 !#$%&'()*+,\-./:;<=>?@_]{3,11}$/;
const NUMERIC_SENDER = /^\d{3,15}$/;

/** The settings a create needs beyond the request. */
export interface CreateSettings {
  readonly sender: string | undefined;
  readonly smsSender: string | undefined;
  readonly templateId: number | undefined;
}

/**
 * SMS senders: 3–11 letters, digits or symbols, or 3–15 digits (the SMS rule of the docs).
 * Viber sender names: 3–15 characters (the documented example `VIBER_SENDER` has 12).
 */
function senderIssue(field: string, sender: string, channel: string): FieldIssue[] {
  if (channel === 'viber') return sender.length >= 3 && sender.length <= 15 ? [] : [{ field, message: 'must be 3 to 15 characters for Viber' }];
  return ALNUM_SENDER.test(sender) || NUMERIC_SENDER.test(sender)
    ? []
    : [{ field, message: 'must be 3 to 11 letters, digits or symbols, or 3 to 15 digits' }];
}

/**
 * Checks Notificore's rules and builds the `SendOtpRequest`. The plan `[viber, sms]` is
 * Notificore's own fallback: `channel: viber` with `sender_alt` for the SMS.
 */
export function toCreateBody(request: Pick<StartRequest, 'to' | 'ttlSeconds' | 'maxAttempts' | 'codeLength'>, channels: readonly ChannelStep[], settings: CreateSettings): { body?: NotificoreCreateBody; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  let recipient = '';
  if (typeof request.to === 'string') {
    recipient = request.to.slice(1);
    const { min, max } = NOTIFICORE_LIMITS.recipientDigits;
    if (!DIGITS.test(recipient) || recipient.length < min || recipient.length > max) issues.push({ field: 'to', message: `must have ${min} to ${max} digits for Notificore` });
  }

  const names = channels.map((step) => step.channel).join(',');
  const plan = names === 'sms' || names === 'viber' || names === 'viber,sms' ? names : undefined;
  if (!plan) issues.push({ field: 'channels', message: 'Notificore takes [sms], [viber] or [viber, sms] (Viber with SMS fallback)' });
  channels.forEach((step, index) => {
    if (step.timeoutSec !== undefined) issues.push({ field: `channels.${index}.timeoutSec`, message: 'Notificore has no per-step timeout' });
    if (step.template !== undefined) issues.push({ field: `channels.${index}.template`, message: 'Notificore uses templateId (approved templates), not a template text' });
  });
  const primary = channels[0];
  const sender = primary?.sender ?? settings.sender;
  if (sender === undefined) issues.push({ field: 'channels.0.sender', message: 'is required by Notificore (set it here or as the adapter option `sender`)' });
  else issues.push(...senderIssue(primary?.sender !== undefined ? 'channels.0.sender' : 'options.sender', sender, primary?.channel ?? 'sms'));
  let senderAlt: string | undefined;
  if (plan === 'viber,sms') {
    senderAlt = channels[1]?.sender ?? settings.smsSender ?? settings.sender;
    if (senderAlt === undefined) issues.push({ field: 'channels.1.sender', message: 'is required for the SMS fallback' });
    else issues.push(...senderIssue(channels[1]?.sender !== undefined ? 'channels.1.sender' : 'options.smsSender', senderAlt, 'sms'));
  }
  if (settings.templateId === undefined) issues.push({ field: 'vendor.templateId', message: 'is required by Notificore (set it here or as the adapter option `templateId`)' });
  if (issues.length) return { issues };
  return {
    issues,
    body: {
      recipient,
      channel: primary!.channel as NotificoreChannel,
      sender: sender!,
      ...(senderAlt !== undefined && { sender_alt: senderAlt }),
      template_id: settings.templateId!,
      code_lifetime: request.ttlSeconds ?? NOTIFICORE_DEFAULTS.codeLifetime,
      code_max_tries: request.maxAttempts ?? NOTIFICORE_DEFAULTS.codeMaxTries,
      code_digits: request.codeLength ?? NOTIFICORE_DEFAULTS.codeDigits,
    },
  };
}

const ZONELESS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?$/;

/** `YYYY-MM-DD HH:MM:SS` (taken as UTC) or ISO 8601 with an offset; undefined when absent or unreadable. */
/** The digits of `text` from `start` to `end`, or NaN when any is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

export function parseDate(value: string | null | undefined): Date | undefined {
  if (value == null || value === '') return undefined;
  // The common form, `YYYY-MM-DD HH:MM:SS`, read without a regex: a page of 100 has 400 or more dates.
  if (value.length === 19 && value[4] === '-' && value[7] === '-' && (value[10] === ' ' || value[10] === 'T') && value[13] === ':' && value[16] === ':') {
    const [y, mo, d, h, mi, se] = [digitsAt(value, 0, 4), digitsAt(value, 5, 7), digitsAt(value, 8, 10), digitsAt(value, 11, 13), digitsAt(value, 14, 16), digitsAt(value, 17, 19)];
    if (h! <= 23 && mi! <= 59 && se! <= 59) {
      const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, se!));
      if (date.getUTCDate() === d && date.getUTCMonth() === mo! - 1) return date;
    }
    if (![y, mo, d, h, mi, se].some(Number.isNaN)) return undefined;
  }
  const z = ZONELESS.exec(value);
  if (z) {
    // Read numerically: a list of thousands has four or five dates per item.
    const ms = Date.UTC(+z[1]!, +z[2]! - 1, +z[3]!, +z[4]!, +z[5]!, +z[6]!, z[7] ? +z[7].padEnd(3, '0') : 0);
    const date = new Date(ms);
    return date.getUTCDate() === +z[3]! && date.getUTCMonth() === +z[2]! - 1 ? date : undefined;
  }
  const date = new Date(value.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A Notificore price, exactly; `undefined` when unreadable. */
function priceOf(value: unknown, currency: string | null | undefined, fallback: string): Money | undefined {
  if (value == null) return undefined;
  const amount = parseDecimal(value);
  return amount === undefined ? undefined : { amount, currency: currency ?? fallback };
}

/**
 * The cost: the authentication's price plus its messages' prices, in the account currency;
 * `null` while the authentication is pending (prices are not final), and `null` in an answer
 * without `messages` (create, verify, resend and cancel answers): the authentication's price
 * alone is not what it cost, and one verification must never show two different costs.
 */
export function costOf(wire: NotificoreAuthentication, status: VerificationStatus, warn: (message: string) => void): Money | null {
  if (status === 'pending' || wire.messages === undefined) return null;
  const currency = wire.currency ?? 'EUR';
  let total = priceOf(wire.price ?? 0, currency, currency);
  if (!total) {
    warn('Notificore sent a price polyverify cannot read; the cost is left unknown');
    return null;
  }
  for (const message of wire.messages ?? []) {
    const price = priceOf(message.price, message.currency, currency);
    if (!price) continue;
    if (price.currency !== total.currency) {
      warn(`Notificore priced a message in ${price.currency}, not ${total.currency}; the cost is left unknown`);
      return null;
    }
    total = addMoney(total, price);
  }
  return total;
}

/** What the mapping needs besides the wire object. */
export interface MapContext {
  readonly provider: string;
  /** Wrong codes this process has counted for the id, when it has. */
  readonly failedAttempts: number | undefined;
  readonly warn: (message: string) => void;
}

function statusOf(value: string, ctx: MapContext): VerificationStatus {
  const mapped = VERIFICATION_STATUS[value.toLowerCase()];
  if (mapped) return mapped;
  ctx.warn(`Notificore sent an undocumented status '${value}'; treated as '${UNKNOWN_VERIFICATION_STATUS}'`);
  return UNKNOWN_VERIFICATION_STATUS;
}

function deliveryOf(value: string | undefined, ctx: MapContext): DeliveryStatus {
  const mapped = value === undefined ? undefined : DELIVERY_STATUS[value.toLowerCase()];
  if (mapped) return mapped;
  ctx.warn(`Notificore sent an undocumented message status '${value}'; treated as '${UNKNOWN_DELIVERY_STATUS}'`);
  return UNKNOWN_DELIVERY_STATUS;
}

const lowerChannel = (value: string): Channel => value.toLowerCase() as Channel;

/** Maps a Notificore authentication to a `Verification`. */
export function toVerification(wire: NotificoreAuthentication, raw: unknown, ctx: MapContext): Verification {
  const status = statusOf(wire.status, ctx);
  const primary = lowerChannel(wire.channel);
  const channels: ChannelStep[] = [{ channel: primary, ...(wire.sender ? { sender: wire.sender } : {}) }];
  if (primary === 'viber' && wire.sender_alt) channels.push({ channel: 'sms', sender: wire.sender_alt });
  const attempts = (wire.messages ?? []).map((message) => ({
    channel: lowerChannel(message.channel ?? wire.channel),
    status: deliveryOf(message.status, ctx),
    at: parseDate(message.sent_at) ?? parseDate(message.created_at),
    messageId: message.id === undefined ? undefined : String(message.id),
    raw: message.status,
  }));
  const delivered = attempts.filter((a) => a.status === 'delivered').at(-1);
  const createdAt = parseDate(wire.created_at);
  if (!createdAt) throw new RangeError('created_at is not a date');
  const finishedAt = parseDate(wire.finished_at);
  return {
    id: wire.id,
    provider: ctx.provider,
    to: `+${String(wire.recipient).replace(/^\+/, '')}`,
    status,
    channels,
    attempts,
    deliveredChannel: delivered?.channel,
    maxAttempts: wire.code_max_tries ?? undefined,
    failedAttempts: ctx.failedAttempts,
    cost: costOf(wire, status, ctx.warn),
    reference: undefined,
    country: wire.country_code ?? undefined,
    createdAt,
    updatedAt: parseDate(wire.updated_at) ?? finishedAt,
    expiresAt: parseDate(wire.expired_at),
    finishedAt: status === 'pending' ? undefined : finishedAt,
    raw,
  };
}

/** The texts of a Notificore error body, whichever of the three documented shapes it has. */
export function errorTexts(body: unknown): { message: string; texts: string[]; issues: FieldIssue[] } {
  const parsed = v.safeParse(errorBodySchema, body);
  if (!parsed.success) return { message: typeof body === 'string' ? body : '', texts: [], issues: [] };
  const { message = '', errors } = parsed.output;
  const texts: string[] = [];
  const issues: FieldIssue[] = [];
  if (Array.isArray(errors)) {
    for (const entry of errors) texts.push(typeof entry === 'string' ? entry : (entry.message ?? ''));
  } else if (errors) {
    for (const [field, messages] of Object.entries(errors)) {
      for (const text of Array.isArray(messages) ? messages : [messages]) {
        texts.push(`${field}: ${text}`);
        issues.push({ field, message: text });
      }
    }
  }
  return { message, texts, issues };
}

/** The check outcome a failed verify answer stands for, if it is one. */
/**
 * The authentication of a single-object answer: `{ data: {…} }` as the schemas and docs have it,
 * or the bare object as some of the spec's own examples show (the verify answer).
 */
export function unwrapSingle(body: unknown): unknown {
  const envelope = v.safeParse(singleSchema, body);
  return envelope.success ? envelope.output.data : body;
}

/**
 * The outcome of a check Notificore refused (404 or 422): the documented reason its text names,
 * or else the error it is.
 */
export function refusedCheck(failure: HttpFailure, redactor: Redactor, provider: string): CheckReason {
  const reason = checkOutcome(failure);
  if (reason === undefined) throw toNotificoreError(failure, redactor, provider);
  return reason;
}

export function checkOutcome(failure: HttpFailure): CheckReason | undefined {
  const text = errorTexts(failure.body).texts.join(' ');
  return CHECK_OUTCOMES.find((outcome) => outcome.status === failure.status && outcome.match.test(text))?.reason;
}

/**
 * Maps a Notificore error. 422 "Insufficient funds" → `InsufficientFundsError`; 429 "Too
 * many duplicate request detected" → `RateLimitError` (nothing sent); validation 422 →
 * `RejectedError` with the fields of a keyed `errors` object; others by status.
 */
export function toNotificoreError(failure: HttpFailure, redactor: Redactor, provider: string): VerifyError {
  const { message, texts, issues } = errorTexts(failure.body);
  const text = redactor.text([message, ...texts].filter(Boolean).join(': '));
  const init = { provider, operation: failure.operation, status: failure.status, requestId: failure.requestId, sent: 'no' as const };
  if (failure.status === 422 && texts.some((t) => /insufficient funds/i.test(t))) {
    return new InsufficientFundsError(`${provider} ${failure.operation}: HTTP 422: ${text}`, init);
  }
  if (failure.status === 429) {
    // "Too many duplicate request detected": this request was refused, so it sent nothing; but an
    // identical one went through, so repeating a send would only be refused again.
    return new RateLimitError(`${provider} ${failure.operation}: HTTP 429: ${text}`, {
      ...init,
      retryable: !failure.sends,
      retryAfterMs: parseRetryAfter(failure.headers.get('retry-after')),
    });
  }
  return errorForStatus(failure, provider, { message: text, issues: issues.map((i) => ({ ...i, message: redactor.text(i.message) })) });
}
