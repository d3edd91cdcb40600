/**
 * Bird wire <-> model: the inferred paths and fields (one table), the request body from a
 * StartRequest and the channel map, the status table, and the error mapping.
 */
import * as v from 'valibot';
import { type FieldIssue, type VerifyError } from '../../src/errors.js';
import { errorForStatus, type HttpFailure } from '../../src/http/index.js';
import type { Channel, ChannelStep, StartRequest, Verification, VerificationStatus } from '../../src/model.js';
import type { CheckOutcome } from '../../src/adapter/check.js';
import type { Redactor } from '../../src/redact.js';
import { MESSAGEBIRD_LIMITS, type MessagebirdChannelMap } from './config.js';
import { errorBodySchema, type MessagebirdCreateBody, type MessagebirdStepWrite, type MessagebirdVerification } from './wire.js';

/** One endpoint of Bird's Verify API, as far as it is known. */
export interface MessagebirdEndpoint {
  /** The HTTP method. */
  readonly method: 'GET' | 'POST';
  /** The path under the API root, with `{workspaceId}` and `{verifyId}` placeholders. */
  readonly path: string;
  /** The request body's shape, where there is one. */
  readonly body?: string;
  /** `confirmed` (read in Bird's docs) or `inferred` (polyverify's best reading of prose), with why. */
  readonly status: string;
}

/** The facts of {@link MESSAGEBIRD_API}. */
export interface MessagebirdApiTable {
  /** Start a verification. */
  readonly create: MessagebirdEndpoint;
  /** Check a code. */
  readonly check: MessagebirdEndpoint;
  /** Read one verification. */
  readonly get: MessagebirdEndpoint;
  /** Send the code again. */
  readonly resend: MessagebirdEndpoint;
  /** Move to the next step. */
  readonly failover: MessagebirdEndpoint;
  /** List verifications. */
  readonly list: MessagebirdEndpoint & {
    /** The query parameters' names. */
    readonly query: {
      /** Items per page. */
      readonly limit: string;
      /** The next page's token. */
      readonly pageToken: string;
      /** Oldest first when true. */
      readonly reverse: string;
      /** Created at or after. */
      readonly start: string;
      /** Created before. */
      readonly end: string;
    };
    /** The answer's envelope. */
    readonly response: string;
  };
  /** The verification's time fields. */
  readonly timestamps: {
    /** Their names. */
    readonly fields: readonly string[];
    /** How sure that is. */
    readonly status: string;
  };
  /** How steps are counted. */
  readonly stepIndex: {
    /** The first step's index. */
    readonly base: number;
    /** How sure that is. */
    readonly status: string;
  };
}

/**
 * Every path and field of the workspace Verify API the adapter uses. `confirmed`: read in
 * Bird's docs (or a public integration calling it); `inferred`: documented only in prose,
 * so the name is polyverify's best reading. Keep them here, and only here.
 */
export const MESSAGEBIRD_API: MessagebirdApiTable = {
  create: { method: 'POST', path: 'workspaces/{workspaceId}/verify', status: 'confirmed' },
  check: { method: 'POST', path: 'workspaces/{workspaceId}/verify/{verifyId}', body: '{ code }', status: 'confirmed' },
  get: { method: 'GET', path: 'workspaces/{workspaceId}/verify/{verifyId}', status: 'inferred' },
  resend: { method: 'POST', path: 'workspaces/{workspaceId}/verify/{verifyId}/resend', body: '{ stepIndex? }', status: 'inferred' },
  failover: { method: 'POST', path: 'workspaces/{workspaceId}/verify/{verifyId}/failover', body: '{ stepIndex? }', status: 'inferred' },
  list: {
    method: 'GET',
    path: 'workspaces/{workspaceId}/verify',
    query: { limit: 'limit', pageToken: 'pageToken', reverse: 'reverse', start: 'startAt', end: 'endAt' },
    response: '{ results, nextPageToken }',
    status: 'inferred (limit, pageToken, reverse and the date range are documented; their names and the envelope are not)',
  },
  timestamps: { fields: ['createdAt', 'updatedAt', 'expiresAt'], status: 'inferred (descriptions documented, names cut off)' },
  stepIndex: { base: 0, status: 'inferred: currentStepIndex indexes the steps array from 0' },
};

/** Body field of resend and failover carrying the step index. */
export const STEP_INDEX_FIELD = 'stepIndex';

/** Statuses: `accepted` is documented; the others are inferred. Each maps to one normalized value. */
export const VERIFICATION_STATUS: Readonly<Record<string, VerificationStatus>> = {
  accepted: 'pending',
  pending: 'pending',
  processing: 'pending',
  sent: 'pending',
  delivered: 'pending',
  verified: 'verified',
  expired: 'expired',
  failed: 'failed',
  attempts_exhausted: 'failed',
  max_attempts_exceeded: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
};
/** An undocumented status: `pending` (not final), reported through `onEvent`. */
export const UNKNOWN_VERIFICATION_STATUS: VerificationStatus = 'pending';

/** Checks the request against Bird's rules and the channel map; builds the create body. */
export function toCreateBody(request: Pick<StartRequest, 'to' | 'locale' | 'ttlSeconds' | 'maxAttempts' | 'codeLength'>, channels: readonly ChannelStep[], map: MessagebirdChannelMap): { body?: MessagebirdCreateBody; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const email = typeof request.to === 'string' ? undefined : request.to.email;
  const steps: MessagebirdStepWrite[] = [];
  channels.forEach((step, index) => {
    const at = `channels.${index}`;
    if (step.channel !== 'sms' && step.channel !== 'whatsapp' && step.channel !== 'email') return; // the shell names it
    const target = map[step.channel];
    if (!target) {
      issues.push({ field: `${at}.channel`, message: `has no Bird channel in the adapter's channel map (options.channels.${step.channel})` });
      return;
    }
    if ((step.channel === 'email') !== (email !== undefined)) {
      issues.push({ field: `${at}.channel`, message: step.channel === 'email' ? 'email needs an { email } recipient' : `${step.channel} needs a phone number recipient` });
    }
    if (step.timeoutSec !== undefined) issues.push({ field: `${at}.timeoutSec`, message: 'Bird has no per-step timeout; call failover() to move on' });
    if (step.sender !== undefined) issues.push({ field: `${at}.sender`, message: "Bird sends from the channel in the adapter's channel map" });
    if (step.template !== undefined) issues.push({ field: `${at}.template`, message: "Bird takes templates from the adapter's channel map" });
    steps.push(target);
  });
  if (issues.length) return { issues };
  return {
    issues,
    body: {
      identifier: email !== undefined ? { emailaddress: email } : { phonenumber: request.to as string },
      ...(request.locale !== undefined && { locale: request.locale }),
      maxAttempts: request.maxAttempts ?? MESSAGEBIRD_LIMITS.maxAttempts.default,
      timeout: request.ttlSeconds ?? MESSAGEBIRD_LIMITS.timeout.default,
      codeLength: request.codeLength ?? MESSAGEBIRD_LIMITS.codeLength.default,
      steps,
    },
  };
}

export interface MapContext {
  readonly provider: string;
  /** The channel of a Bird channel or navigator id, from the adapter's map. */
  readonly channelOf: (id: string | null | undefined) => Channel | undefined;
  readonly warn: (message: string) => void;
  /** The answer of a check Bird accepted (HTTP 200): verified, whatever its status string says. */
  readonly verified?: boolean;
}

function date(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

export function statusOf(value: string, warn: (message: string) => void): VerificationStatus {
  const mapped = VERIFICATION_STATUS[value.toLowerCase()];
  if (mapped) return mapped;
  warn(`Bird sent an undocumented status '${value}'; treated as '${UNKNOWN_VERIFICATION_STATUS}'`);
  return UNKNOWN_VERIFICATION_STATUS;
}

/**
 * Maps a Bird verification. Bird reports no per-step delivery: the steps up to
 * `currentStepIndex` are the attempts, `sending` (delivery unknown), the current one
 * `delivered` once the code was verified. Bird reports no cost (`null`).
 */
export function toVerification(wire: MessagebirdVerification, raw: unknown, ctx: MapContext): Verification {
  const status = ctx.verified ? 'verified' : statusOf(wire.status, ctx.warn);
  // A step whose id the channel map does not name: sms for a phone number, email for an address.
  const fallback: Channel = !wire.identifier?.phonenumber && wire.identifier?.emailaddress ? 'email' : 'sms';
  const channels: ChannelStep[] = wire.steps.map((step) => {
    const id = step.channelId ?? step.navigatorId;
    const channel = ctx.channelOf(id);
    if (channel) return { channel };
    ctx.warn(`Bird step ${id ?? '(no id)'} is not in the adapter's channel map; taken as '${fallback}'`);
    return { channel: fallback };
  });
  const current = Math.min(Math.max(wire.currentStepIndex ?? 0, 0), Math.max(channels.length - 1, 0));
  const updatedAt = date(wire.updatedAt);
  const attempts = channels.slice(0, current + 1).map((step, index) => ({
    channel: step.channel,
    status: status === 'verified' && index === current ? ('delivered' as const) : ('sending' as const),
    at: undefined,
    messageId: undefined,
    raw: index === current ? wire.status : 'failed-over',
  }));
  const createdAt = date(wire.createdAt);
  if (!createdAt) throw new RangeError('createdAt is not a date');
  return {
    id: wire.id,
    provider: ctx.provider,
    to: wire.identifier?.phonenumber ?? wire.identifier?.emailaddress ?? '',
    status,
    channels,
    attempts,
    deliveredChannel: status === 'verified' ? channels[current]?.channel : undefined,
    maxAttempts: wire.maxAttempts ?? undefined,
    failedAttempts: wire.failedAttempts ?? undefined,
    cost: null,
    reference: undefined,
    country: undefined,
    createdAt,
    updatedAt,
    expiresAt: date(wire.expiresAt),
    finishedAt: status === 'pending' ? undefined : updatedAt,
    raw,
  };
}

/** Maps a Bird error by status; `details` keyed by field become issues. */
export function toMessagebirdError(failure: HttpFailure, redactor: Redactor, provider: string): VerifyError {
  const parsed = v.safeParse(errorBodySchema, failure.body);
  const body = parsed.success ? parsed.output : undefined;
  const issues: FieldIssue[] = [];
  for (const [field, messages] of Object.entries(body?.details ?? {})) {
    for (const message of Array.isArray(messages) ? messages : [messages]) issues.push({ field, message: redactor.text(message) });
  }
  const text = body?.message ?? (typeof failure.body === 'string' ? failure.body : '');
  const code = body?.code === undefined ? '' : ` (${body.code})`;
  return errorForStatus(failure, provider, { message: redactor.text(`${text}${code}`), issues });
}

/**
 * The outcome of a check Bird did not accept, read from the verification as it now stands:
 * Bird's answer to a failed check is not documented. `before` is the wrong-code count Bird
 * reported last; a higher one now means this code was wrong.
 */
export function refusedCheck(verification: Verification, before: number | undefined): CheckOutcome {
  const failed = verification.failedAttempts ?? 0;
  const max = verification.maxAttempts;
  if (verification.status === 'verified') return { verified: false, reason: 'already_verified', verification };
  if (verification.status === 'canceled') return { verified: false, reason: 'canceled', verification };
  if (verification.status === 'expired') return { verified: false, reason: 'expired', verification };
  const counted = before === undefined ? verification.status === 'pending' : failed > before;
  if (!counted) return { verified: false, reason: 'max_attempts', verification };
  const attemptsRemaining = max === undefined ? undefined : Math.max(0, max - failed);
  return { verified: false, reason: 'incorrect_code', ...(attemptsRemaining !== undefined && { attemptsRemaining }), verification };
}
