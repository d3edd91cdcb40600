/**
 * Bird (MessageBird) Verify JSON of the workspace API at api.bird.com, as in
 * docs.bird.com/api/verify-api. Only the create body and response and the check call are
 * documented in full; what is inferred is listed in `MESSAGEBIRD_API` (map.ts). Responses are
 * parsed tolerantly: unknown fields pass.
 */
import * as v from 'valibot';
import { UUID, nonNegativeInteger } from '../../src/validate.js';

import type { MessagebirdTemplate } from './config.js';

/** One `CreateStep`: a channel or an SMS navigator, and a template where the channel needs one. */
export type MessagebirdStepWrite = ({ channelId: string } | { navigatorId: string }) & { template?: MessagebirdTemplate };

/** POST /workspaces/{workspaceId}/verify body. */
export interface MessagebirdCreateBody {
  identifier: { phonenumber: string } | { emailaddress: string };
  locale?: string;
  maxAttempts: number;
  timeout: number;
  codeLength: number;
  steps: MessagebirdStepWrite[];
}

const nullableString = v.nullish(v.string());

export const stepSchema = v.object({
  channelId: nullableString,
  navigatorId: nullableString,
  identifier: nullableString,
  template: v.nullish(v.object({ projectId: nullableString, version: nullableString, locale: nullableString, name: nullableString })),
});

/** The verification object (create, check, get, list items). */
export const verificationSchema = v.object({
  id: v.pipe(v.string(), v.regex(UUID)),
  identifier: v.nullish(v.object({ phonenumber: nullableString, emailaddress: nullableString })),
  locale: nullableString,
  maxAttempts: v.nullish(nonNegativeInteger),
  failedAttempts: v.nullish(nonNegativeInteger),
  timeout: v.nullish(v.number()),
  codeLength: v.nullish(v.number()),
  status: v.string(),
  currentStepIndex: v.nullish(nonNegativeInteger),
  steps: v.optional(v.array(stepSchema), []),
  createdAt: nullableString,
  updatedAt: nullableString,
  expiresAt: nullableString,
});
export type MessagebirdVerification = v.InferOutput<typeof verificationSchema>;

/** A list page: `{ results: [...], nextPageToken? }`. */
export const listSchema = v.object({ results: v.array(v.unknown()), nextPageToken: nullableString });

/** Bird's error body (inferred): `{ code, message, details }`. */
export const errorBodySchema = v.object({
  code: v.optional(v.union([v.string(), v.number()])),
  message: v.optional(v.string()),
  details: v.optional(v.record(v.string(), v.union([v.array(v.string()), v.string()]))),
});
