/**
 * Twilio Verify v2 JSON, as in Twilio's OpenAPI description (`twilio_verify_v2.json`, the
 * schemas `verify.v2.service.verification`, `…verification_check`, `verify.v2.verification_attempt`
 * and the Attempts list's `ListVerificationAttemptResponse`). Every field the description marks
 * `nullable` is read as such; unknown fields pass.
 */
import * as v from 'valibot';

const nullableString = v.nullish(v.string());

/** A Verification SID: `VE` and 32 hex digits. */
export const VERIFICATION_SID = /^VE[0-9a-fA-F]{32}$/;

/** One entry of `send_code_attempts` (the description types its items as `{}`: read tolerantly). */
export const sendAttemptSchema = v.looseObject({ time: nullableString, channel: nullableString, attempt_sid: nullableString });

/** The Verification resource (create, fetch, update). */
export const verificationSchema = v.looseObject({
  sid: v.pipe(v.string(), v.regex(VERIFICATION_SID)),
  to: nullableString,
  channel: nullableString,
  status: nullableString,
  valid: v.nullish(v.boolean()),
  send_code_attempts: v.nullish(v.array(v.unknown())),
  date_created: nullableString,
  date_updated: nullableString,
});
export type TwilioVerification = v.InferOutput<typeof verificationSchema>;

/** The VerificationCheck resource. */
export const checkSchema = v.looseObject({
  sid: v.nullish(v.pipe(v.string(), v.regex(VERIFICATION_SID))),
  status: nullableString,
  valid: v.nullish(v.boolean()),
  date_created: nullableString,
  date_updated: nullableString,
});
export type TwilioCheck = v.InferOutput<typeof checkSchema>;

/** `price` of an attempt: `{ value, currency }`, `value` null while unpriced. */
export const priceSchema = v.looseObject({ value: v.nullish(v.union([v.string(), v.number()])), currency: nullableString });

/** `channel_data` of an attempt (the description types it as an object of channel facts). */
export const channelDataSchema = v.looseObject({
  to: nullableString,
  status: nullableString,
  message_status: nullableString,
  call_status: nullableString,
  error_code: v.nullish(v.union([v.string(), v.number()])),
  country: nullableString,
});

/** One Verification Attempt. */
export const attemptSchema = v.looseObject({
  sid: v.pipe(v.string(), v.regex(/^VL[0-9a-fA-F]{32}$/)),
  verification_sid: v.pipe(v.string(), v.regex(VERIFICATION_SID)),
  date_created: v.string(),
  date_updated: nullableString,
  conversion_status: nullableString,
  channel: nullableString,
  price: v.nullish(priceSchema),
  channel_data: v.nullish(channelDataSchema),
});
export type TwilioAttempt = v.InferOutput<typeof attemptSchema>;

/** A page of the Attempts list: `{ attempts, meta: { next_page_url, … } }`. */
export const attemptsPageSchema = v.looseObject({
  attempts: v.array(v.unknown()),
  meta: v.looseObject({ next_page_url: nullableString, page_size: v.nullish(v.number()), key: nullableString }),
});

/** Twilio's error body: `{ code, message, more_info, status }`. */
export const errorBodySchema = v.looseObject({
  code: v.optional(v.union([v.number(), v.string()])),
  message: v.optional(v.string()),
  more_info: v.optional(v.string()),
});
