/**
 * Notificore 2FA JSON (Notificore's One-API, the BSG One-API white-labelled), as in the
 * OpenAPI spec (`/api/auth/*`, `/api/2fa/*`) and help.notificore.ru. Responses are parsed
 * tolerantly: unknown fields pass; the documented type inconsistencies (price as number or
 * comma string, ids as numbers or strings, two date formats) are accepted.
 */
import * as v from 'valibot';
import { UUID, nonNegativeInteger } from '../../src/validate.js';

/** The channels of a Notificore authentication. */
export const NOTIFICORE_CHANNELS = ['sms', 'viber'] as const;
/** One of {@link NOTIFICORE_CHANNELS}. */
export type NotificoreChannel = (typeof NOTIFICORE_CHANNELS)[number];

/** POST /api/2fa/authentications/otp body (`SendOtpRequest`): every field but `sender_alt` is required. */
export interface NotificoreCreateBody {
  recipient: string;
  channel: NotificoreChannel;
  sender: string;
  sender_alt?: string;
  template_id: number;
  code_lifetime: number;
  code_max_tries: number;
  code_digits: number;
}

/** POST /api/2fa/authentications/otp/{id}/verify body. */
export interface NotificoreVerifyBody {
  access_code: string;
}

const nullableString = v.nullish(v.string());
const integer = nonNegativeInteger;
/** A price: number or string, possibly with a decimal comma. Parsed exactly in map.ts. */
const price = v.nullish(v.union([v.pipe(v.number(), v.minValue(0)), v.pipe(v.string(), v.regex(/^\s*\d/, 'must not be negative'))]));

export const messageSchema = v.object({
  id: v.optional(v.union([v.string(), v.number()])),
  recipient: v.optional(v.union([v.string(), v.number()])),
  status: v.optional(v.string()),
  channel: v.optional(v.string()),
  sender: nullableString,
  price,
  currency: nullableString,
  sent_at: nullableString,
  created_at: nullableString,
});
export type NotificoreMessage = v.InferOutput<typeof messageSchema>;

/** `TwoFactorAuthenticationSchema` (+ `messages` and `updated_at` on get and list). */
export const authenticationSchema = v.object({
  id: v.pipe(v.string(), v.regex(UUID)),
  recipient: v.union([v.string(), v.number()]),
  status: v.string(),
  channel: v.string(),
  sender: nullableString,
  sender_alt: nullableString,
  message_text: nullableString,
  code_lifetime: v.nullish(integer),
  code_max_tries: v.nullish(integer),
  code_digits: v.nullish(integer),
  price,
  currency: nullableString,
  country_code: nullableString,
  expired_at: nullableString,
  created_at: v.string(),
  updated_at: nullableString,
  finished_at: nullableString,
  messages: v.optional(v.array(messageSchema)),
});
export type NotificoreAuthentication = v.InferOutput<typeof authenticationSchema>;

/** `{ "data": {...} }`, the envelope of every single-object answer. */
export const singleSchema = v.object({ data: v.unknown() });

/** `{ "data": { "list": [...], "total": n } }` */
export const listSchema = v.object({ data: v.object({ list: v.array(v.unknown()), total: integer }) });

/** `TokenSchema` of /api/auth/login and /api/auth/refresh. */
export const tokenSchema = v.object({ bearer: v.pipe(v.string(), v.minLength(1)) });

/**
 * Error bodies: `{ message, errors: string[] }`, `{ message, errors: { field: string[] } }`
 * (validation), or `{ errors: [{ message }] }` (Notificore's verify page).
 */
export const errorBodySchema = v.object({
  message: v.optional(v.string()),
  errors: v.optional(
    v.union([
      v.array(v.union([v.string(), v.object({ message: v.optional(v.string()) })])),
      v.record(v.string(), v.union([v.array(v.string()), v.string()])),
    ]),
  ),
});
