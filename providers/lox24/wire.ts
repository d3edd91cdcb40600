/**
 * LOX24 `verify_codes` JSON, as documented at doc.lox24.eu (operations
 * api_verify_codes_post_collection, _get_item, _get_collection). Responses are parsed
 * tolerantly: unknown fields pass, nullable fields may also be absent.
 */
import * as v from 'valibot';
import { UUID, nonNegativeInteger, unixSeconds } from '../../src/validate.js';

/** The 20 documented `lang` values (ISO 639-1, upper case). */
export const LOX24_LANGS = [
  'EN', 'DE', 'FR', 'IT', 'ES', 'PL', 'NL', 'RO', 'PT', 'CS',
  'HU', 'SV', 'DA', 'FI', 'SK', 'HR', 'TR', 'RU', 'BG', 'UK',
] as const;
/** A message language LOX24 takes (`lang`). */
export type Lox24Lang = (typeof LOX24_LANGS)[number];

/** The channels of LOX24's `routing_strategy`. */
export const LOX24_CHANNELS = ['telegram', 'voice', 'sms'] as const;
/** One of {@link LOX24_CHANNELS}. */
export type Lox24Channel = (typeof LOX24_CHANNELS)[number];

/** Status of a verify code and of each history entry: 0 New, 5 In Progress, 10 Success, 20 Failed, 100 Error. */
export type Lox24Status = 0 | 5 | 10 | 20 | 100;

/** One `routing_strategy` step of the POST body. Only documented keys, only when set. */
export interface Lox24RoutingStepWrite {
  channel: Lox24Channel;
  timeout_sec?: number;
  sender_id?: string;
  template?: string;
}

/** The POST /verify_codes body. */
export interface Lox24CreateBody {
  phone: string;
  code?: string;
  code_length?: number;
  lang?: Lox24Lang;
  payload?: string;
  is_code_deleted?: boolean;
  routing_strategy: Lox24RoutingStepWrite[];
}

const nullableString = v.nullish(v.string());
const nullableInteger = v.nullish(v.pipe(v.number(), v.integer()));

export const routingStepReadSchema = v.object({
  channel: v.string(),
  timeout_sec: nullableInteger,
  sender_id: nullableString,
  template: nullableString,
});

export const historyEntrySchema = v.object({
  id: v.string(),
  channel: v.string(),
  status: v.pipe(v.number(), v.integer()),
  processed_at: v.nullish(unixSeconds),
  external_id: nullableString,
});

/** The read model (GET item, list elements, POST response). */
export const verifyCodeSchema = v.object({
  id: v.pipe(v.string(), v.regex(UUID)),
  user_id: v.optional(v.number()),
  phone: v.string(),
  code: nullableString,
  code_length: nullableInteger,
  lang: v.optional(v.string()),
  routing_strategy: v.optional(v.array(routingStepReadSchema), []),
  status: v.pipe(v.number(), v.integer()),
  delivered_channel: nullableString,
  cost: v.nullish(nonNegativeInteger),
  currency: nullableString,
  payload: nullableString,
  created_at: unixSeconds,
  updated_at: v.nullish(unixSeconds),
  history: v.optional(v.array(historyEntrySchema), []),
  is_code_deleted: v.nullish(v.boolean()),
});
export type Lox24VerifyCode = v.InferOutput<typeof verifyCodeSchema>;

/** GET /verify_codes: a bare array with `Accept: application/json`, a hydra envelope with JSON-LD. */
export const verifyCodeListSchema = v.union([
  v.array(v.unknown()),
  v.object({
    'hydra:member': v.array(v.unknown()),
    'hydra:view': v.optional(v.object({ 'hydra:next': v.optional(v.string()), 'hydra:last': v.optional(v.string()) })),
  }),
]);

/** API Platform's ConstraintViolationList / problem body. */
export const errorBodySchema = v.object({
  type: v.optional(v.string()),
  title: v.optional(v.string()),
  detail: v.optional(v.string()),
  'hydra:title': v.optional(v.string()),
  'hydra:description': v.optional(v.string()),
  message: v.optional(v.string()),
  violations: v.optional(
    v.array(v.object({ propertyPath: v.optional(v.string()), message: v.optional(v.string()), code: v.nullish(v.string()) })),
  ),
});
