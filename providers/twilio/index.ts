/**
 * The Twilio Verify adapter: Verify v2 at https://verify.twilio.com, form-encoded requests,
 * HTTP Basic auth with an Account SID + Auth Token or an API Key SID + secret, one Verify
 * Service per provider. Twilio owns the code: it generates and checks it.
 *
 * @example
 * ```ts
 * import { twilio } from 'polyverify/twilio';
 * const verify = twilio({
 *   accountSid: process.env.TWILIO_ACCOUNT_SID!, authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   serviceSid: process.env.TWILIO_VERIFY_SERVICE_SID!,
 * });
 * const v = await verify.start({ to: '+14155552671', channels: [{ channel: 'whatsapp' }] });
 * const r = await verify.check(v.id, '123456');
 * ```
 * @module polyverify/twilio
 */
import { countedTries } from '../../src/adapter/counted-tries.js';
import { defineProvider, type StepOptions } from '../../src/adapter/define.js';
import type { CheckOutcome } from '../../src/adapter/check.js';
import { setupVendor } from '../../src/adapter/options.js';
import { MemoryTriesStore } from '../../src/codes/tries.js';
import { NotFoundError, RateLimitError, type Operation } from '../../src/errors.js';
import type { CheckReason, Verification, VerificationStatus } from '../../src/model.js';
import type { CallOptions, VerifyProvider } from '../../src/provider.js';
import { invalid, throwIssues } from '../../src/validate.js';
import { TWILIO_BASE_URL, TWILIO_EXTRAS, TWILIO_FACTORY_OPTIONS, TWILIO_LIMITS, credentialIssues, twilioCapabilities, twilioVendor, type TwilioOptions, type TwilioStartExtras } from './config.js';
import { TWILIO_CHANNEL, checkReason, foldAttempts, toCreateForm, toTwilioError, toVerification } from './map.js';
import { attemptsReader, twilioPaging, type Position } from './paging.js';
import { VERIFICATION_SID, attemptSchema, checkSchema, verificationSchema, type TwilioAttempt } from './wire.js';

export type { TwilioOptions } from './config.js';

/** What a check answered 404 to is, by the status its attempts tell (a deleted one is never pending). */
const STORY_REASON: Readonly<Record<VerificationStatus, CheckReason>> = { verified: 'already_verified', expired: 'expired', canceled: 'canceled', failed: 'not_found', pending: 'not_found' };

/** HTTP Basic credentials, UTF-8 (`btoa` alone takes Latin-1 only). */
function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Creates a Twilio Verify provider.
 *
 * @throws ValidationError when an option is missing or malformed, or the credentials are not one whole pair (secrets are never echoed).
 */
export function twilio(options: TwilioOptions): VerifyProvider<TwilioStartExtras> {
  let authorization = '';
  const { name, config, warn, http, redactor, model, decode, shell } = setupVendor(options, twilioVendor, TWILIO_FACTORY_OPTIONS, {
    baseUrl: TWILIO_BASE_URL,
    credentials: (c) => [c.authToken ?? c.apiKeySecret ?? ''],
    // The Basic header's value is the secret too, encoded: never shown either.
    secrets: (c) => [basic(c.apiKeySid ?? c.accountSid ?? '', c.apiKeySecret ?? c.authToken ?? '').slice('Basic '.length)],
    account: (c) => [c.apiKeySid ?? c.accountSid ?? '', c.serviceSid],
    authorize: (request) => request.headers.set('Authorization', authorization),
    toError: toTwilioError,
  });
  throwIssues(credentialIssues(config), { provider: name, operation: 'config', summary: 'Invalid Twilio options' });
  authorization = basic(config.apiKeySid ?? config.accountSid!, config.apiKeySecret ?? config.authToken!);
  const now = options.now ?? Date.now;
  const lifeMs = TWILIO_LIMITS.lifeSeconds.default * 1000;
  const maxAttempts = TWILIO_LIMITS.maxAttempts.default;
  const tries = countedTries(options.triesStore ?? new MemoryTriesStore({ now }), warn);
  const service = `v2/Services/${config.serviceSid}`;
  // polyverify counts wrong codes (Twilio does not say how many are left): the counts join each read.
  const verifications = model({
    schema: verificationSchema,
    what: 'the verification',
    extras: (wires, operation) => (operation === 'start' ? Promise.resolve([]) : tries.failed(wires.map((wire) => wire.sid), operation)),
    map: (wire, raw, operation, failedAttempts) => toVerification(wire, raw, { provider: name, now: now(), warn: (m) => warn(m, operation), failedAttempts }),
  });
  const parseAttempt = (raw: unknown, operation: Operation): TwilioAttempt => decode(attemptSchema, raw, 'an attempt', operation, 'no');
  /** The verifications of attempts, with polyverify's counts; `deleted`: Twilio answered 404 for them. */
  async function fold(attempts: readonly TwilioAttempt[], raws: readonly unknown[], operation: Operation, deleted = false) {
    const ids = [...new Set(attempts.map((a) => a.verification_sid))];
    const counts = await tries.failed(ids, operation);
    const failedOf = new Map(ids.map((id, k) => [id, counts[k]]));
    return foldAttempts(attempts, raws, { provider: name, now: now(), warn: (m) => warn(m, operation), failedOf: (id) => failedOf.get(id), deleted });
  }
  const pageSize = config.listPageSize ?? 1000;
  const readAttempts = attemptsReader({ name, http, serviceSid: config.serviceSid, pageSize, parse: parseAttempt });
  /**
   * A verification Twilio answers 404 for (it deletes one once approved, expired, canceled or out
   * of checks): its attempts tell which, or nothing when Twilio has none (an unknown SID).
   */
  async function story(id: string, operation: 'check' | 'get', callOptions: CallOptions | undefined) {
    // One verification has at most 5 sends: the cap is never reached.
    const found = (await readAttempts({ VerificationSid: id }, 1_000, callOptions, operation))!;
    return (await fold(found.attempts, found.raws, operation, true))[0];
  }
  const read = (id: string, operation: Operation, callOptions: CallOptions | undefined) =>
    http.request({ operation, method: 'GET', path: `${service}/Verifications/${id}`, sends: false, options: callOptions }).then((result) => verifications.one(result.body, operation, result.sent));
  /** What a check answered 404 to is: the attempts' story, as a check outcome. */
  async function ended(id: string, callOptions: CallOptions | undefined): Promise<CheckOutcome> {
    const verification = await story(id, 'check', callOptions);
    if (!verification) return { verified: false, reason: 'not_found' };
    // Failed with polyverify's count at the limit is out of checks; failed without one, unknown.
    const reason = verification.status === 'failed' && verification.failedAttempts !== undefined ? 'max_attempts' : STORY_REASON[verification.status];
    return { verified: false, reason, verification };
  }

  return defineProvider<TwilioStartExtras, Position, URLSearchParams>({
    ...shell,
    capabilities: twilioCapabilities(config.customCode === true),
    id: { pattern: VERIFICATION_SID, what: 'a Twilio Verification SID (VE and 32 hex digits)' },
    code: { pattern: /^[\x21-\x7e]{4,10}$/, message: 'must be 4 to 10 characters without spaces for Twilio' },
    extras: TWILIO_EXTRAS,
    defaultChannels: options.channels ?? [{ channel: 'sms' }],
    unsupported: { failover: 'Twilio keeps no channel plan: start again to the same recipient with another channel (the verification continues, the code stays)' },
    prepare: (input) => toCreateForm(input),

    async start(input, callOptions, form) {
      const result = await http.request({ operation: 'start', method: 'POST', path: `${service}/Verifications`, form, sends: true, options: callOptions, ...(input.code !== undefined && { redactor: redactor.with(input.code) }) });
      const verification = await verifications.one(result.body, 'start', result.sent);
      // A start to a recipient with a pending verification continues it (Twilio answers its SID): its count goes on.
      if (verification.attempts.length > 1) {
        const [failedAttempts] = await tries.failed([verification.id], 'start');
        return { ...verification, failedAttempts };
      }
      await tries.start(verification.id, maxAttempts, Math.max(0, verification.createdAt.getTime() + lifeMs - now()));
      return { ...verification, failedAttempts: 0 };
    },

    async check(id, code, callOptions) {
      let result;
      try {
        result = await http.request({ operation: 'check', method: 'POST', path: `${service}/VerificationCheck`, form: new URLSearchParams({ VerificationSid: id, Code: code }), sends: false, idempotent: false, accept: [404], options: callOptions, redactor: redactor.with(code) });
      } catch (error) {
        // 60202 (max check attempts) is the one RateLimitError that is not retryable on a check.
        if (error instanceof RateLimitError && !error.retryable) return { verified: false, reason: 'max_attempts' };
        throw error;
      }
      if (result.status === 404) return ended(id, callOptions);
      const answer = decode(checkSchema, result.body, 'the verification check', 'check', 'no');
      const reason = checkReason(answer, (m) => warn(m, 'check'));
      if (reason === 'verified') return { verified: true };
      if (reason === 'ended') return ended(id, callOptions);
      if (reason !== 'incorrect_code') return { verified: false, reason };
      const attemptsRemaining = await tries.fail(id);
      return { verified: false, reason, ...(attemptsRemaining !== undefined && { attemptsRemaining }) };
    },

    /**
     * Reads the verification; one that ended has its attempts read too, where Twilio keeps the
     * prices and delivery statuses (the resource has neither). One Twilio deleted (404) is told
     * by its attempts alone.
     */
    async get(id, callOptions) {
      let verification: Verification;
      try {
        verification = await read(id, 'get', callOptions);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        const told = await story(id, 'get', callOptions);
        if (!told) throw error;
        return told;
      }
      if (verification.status === 'pending') return verification;
      const told = await story(id, 'get', callOptions);
      return told ? { ...verification, attempts: told.attempts, cost: told.cost, country: told.country } : verification;
    },

    /** Cancels at Twilio (`Status=canceled`): the code stops working. */
    cancel: (id, callOptions) =>
      http
        .request({ operation: 'cancel', method: 'POST', path: `${service}/Verifications/${id}`, form: new URLSearchParams({ Status: 'canceled' }), sends: false, idempotent: false, options: callOptions })
        .then((result) => verifications.one(result.body, 'cancel', result.sent)),

    /**
     * Sends the code again on the verification's channel: Twilio's resend is a repeated create
     * to the same recipient within the verification's life (at most 5 sends: 60203).
     */
    async resend(id, callOptions?: StepOptions) {
      if (callOptions?.step !== undefined) invalid([{ field: 'options.step', message: 'Twilio keeps no channel plan; it resends on the current channel' }], { provider: name, operation: 'resend' });
      const current = await read(id, 'resend', callOptions);
      const channel = current.attempts.at(-1)?.channel ?? current.channels[0]!.channel;
      const form = new URLSearchParams({ To: current.to, Channel: TWILIO_CHANNEL[channel]! });
      const result = await http.request({ operation: 'resend', method: 'POST', path: `${service}/Verifications`, form, sends: true, options: callOptions });
      // A body that does not fit says `sent: 'maybe'` already (the create was a send).
      const verification = await verifications.one(result.body, 'resend', result.sent);
      if (verification.id !== id) warn(`Twilio resent under another verification (${verification.id}): ${id} had ended in between; check the code against the new id`, 'resend');
      return verification;
    },

    paging: twilioPaging({
      name,
      http,
      serviceSid: config.serviceSid,
      now,
      pageSize,
      maxAttempts: config.listMaxAttempts ?? 50_000,
      parse: parseAttempt,
      fold: (attempts, raws) => fold(attempts, raws, 'list'),
    }),
  });
}
