/**
 * valibot schemas of the public inputs, and the one function that turns valibot issues
 * into a {@link ValidationError}. Messages name the field and the rule, never the value:
 * a rejected value may be a code or a phone number.
 */
import * as v from 'valibot';
import { ValidationError, type FieldIssue, type Operation } from './errors.js';
import type { Channel, ListQuery, StartRequest, VerificationStatus } from './model.js';

export const CHANNELS = ['sms', 'voice', 'telegram', 'viber', 'whatsapp', 'email'] as const satisfies readonly Channel[];
export const STATUSES = ['pending', 'verified', 'failed', 'expired', 'canceled'] as const satisfies readonly VerificationStatus[];

/** A UUID in any letter case, as a pattern to embed (`UUID` is the anchored one). */
export const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** A whole string that is a UUID (the id format of all three built-in vendors). */
export const UUID = new RegExp(`^${UUID_PATTERN}$`);

/** E.164: `+`, a country code that does not start with 0, 7 to 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BCP47 = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
/**
 * Whether a tag's language is one the runtime's locale data knows (`en`, `pt-BR`, `yue`; not
 * `xx`): the likely script of a known language is always known. A typo is the caller's own
 * mistake, refused before any vendor (a failover must not take it for a vendor's refusal).
 * A runtime without `Intl.Locale` accepts every well-formed tag.
 */
export function namesLanguage(tag: string): boolean {
  if (typeof Intl.Locale !== 'function') return true;
  try {
    return new Intl.Locale(tag).maximize().script !== undefined;
  } catch {
    return false;
  }
}

/** A BCP 47 language tag (`en`, `de-AT`, `pt-BR`) of a language that exists. */
const localeSchema = v.pipe(
  v.string('must be a string'),
  v.regex(BCP47, "must be a BCP 47 language tag such as 'en' or 'de-AT'"),
  v.check(namesLanguage, "names no known language (a typo? a tag such as 'en' or 'de-AT')"),
);

export const phoneSchema = v.pipe(v.string('must be a string'), v.regex(E164, 'must be an E.164 phone number such as +491701234567'));

/** An integer within bounds, with messages that name the bounds. */
export const boundedInteger = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const dateSchema = v.date('must be a valid Date');

export const channelStepSchema = v.strictObject(
  {
    channel: v.picklist(CHANNELS, `must be one of ${CHANNELS.join(', ')}`),
    timeoutSec: v.optional(boundedInteger(1, 86_400)),
    sender: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(64, 'must be at most 64 characters'))),
    template: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(1000, 'must be at most 1000 characters'))),
  },
  'must be an object with channel, timeoutSec, sender, template only',
);

export const recipientSchema = v.union(
  [phoneSchema, v.strictObject({ email: v.pipe(v.string(), v.regex(EMAIL, 'must be an e-mail address')) })],
  'must be an E.164 phone number such as +491701234567, or { email }',
);

/** The vendor-neutral rules of a `StartRequest`; adapters add their vendor's rules. */
export const startRequestSchema = v.strictObject(
  {
    to: recipientSchema,
    channels: v.optional(v.pipe(v.array(channelStepSchema, 'must be an array of steps'), v.minLength(1, 'must have at least one step'))),
    code: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(32, 'must be at most 32 characters'))),
    codeLength: v.optional(boundedInteger(1, 32)),
    locale: v.optional(localeSchema),
    ttlSeconds: v.optional(boundedInteger(1, 86_400)),
    maxAttempts: v.optional(boundedInteger(1, 100)),
    reference: v.optional(v.pipe(v.string('must be a string'), v.maxLength(1000, 'must be at most 1000 characters'))),
    vendor: v.optional(v.record(v.string(), v.unknown(), 'must be an object')),
  },
  'must be an object with to, channels, code, codeLength, locale, ttlSeconds, maxAttempts, reference, vendor only',
);

export const listQuerySchema = v.strictObject(
  {
    from: v.optional(dateSchema),
    to: v.optional(dateSchema),
    status: v.optional(v.picklist(STATUSES, `must be one of ${STATUSES.join(', ')}`)),
    channel: v.optional(v.picklist(CHANNELS, `must be one of ${CHANNELS.join(', ')}`)),
    phone: v.optional(phoneSchema),
    reference: v.optional(v.string('must be a string')),
    ids: v.optional(
      v.pipe(
        v.array(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')), 'must be an array of ids'),
        v.minLength(1, 'must have at least one id'),
        v.maxLength(1000, 'must have at most 1000 ids'),
      ),
    ),
    cursor: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'))),
    limit: v.optional(boundedInteger(1, 1000)),
  },
  'must be an object with from, to, status, channel, phone, reference, ids (and cursor, limit for listPage) only',
);

export const callOptionsSchema = v.looseObject({
  signal: v.optional(v.instance(AbortSignal, 'must be an AbortSignal')),
  timeoutMs: v.optional(boundedInteger(1, 600_000)),
  retries: v.optional(boundedInteger(0, 10)),
  step: v.optional(boundedInteger(0, 100)),
  limitKey: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(256, 'must be at most 256 characters'))),
});

/** What an instance name must be: it stands in routable ids (`name:vendorId`). */
export const INSTANCE_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * The JSON-friendly options every adapter and every vendor config takes (see `CommonConfig`):
 * one declaration, shared by the adapters' option schemas and by `createProvider`.
 */
export const commonOptionEntries = {
  name: v.optional(v.pipe(v.string('must be a string'), v.regex(INSTANCE_NAME, 'must be 1 to 40 letters, digits, _ or -'))),
  baseUrl: v.optional(v.pipe(v.string('must be a string'), v.url('must be an absolute URL'))),
  timeoutMs: v.optional(boundedInteger(1, 600_000)),
  retries: v.optional(boundedInteger(0, 10)),
  maxResponseBytes: v.optional(boundedInteger(1_024, 1_073_741_824)),
  maxListPages: v.optional(boundedInteger(1, 100_000)),
  cursorSecret: v.optional(v.pipe(v.string('must be a string'), v.minLength(16, 'must be at least 16 characters'))),
  defaultLocale: v.optional(localeSchema),
  backoff: v.optional(
    v.strictObject(
      { baseMs: v.optional(boundedInteger(0, 60_000)), maxMs: v.optional(boundedInteger(0, 600_000)), maxRetryAfterMs: v.optional(boundedInteger(0, 3_600_000)) },
      'must be an object with baseMs, maxMs, maxRetryAfterMs only',
    ),
  ),
};

/** The options every adapter factory takes besides its vendor's own (see `ProviderOptions`). */
export const providerOptionEntries = {
  ...commonOptionEntries,
  onEvent: v.optional(v.function('must be a function')),
  fetch: v.optional(v.function('must be a function')),
};

/** The instance name an adapter uses: its `name` option, else the vendor's name. */
export function instanceName(options: { readonly name?: unknown } | undefined, vendor: string): string {
  return typeof options?.name === 'string' && options.name !== '' ? options.name : vendor;
}

export const codeSchema = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(32, 'must be at most 32 characters'));

/** Unix seconds a `Date` can hold (±8.64e12 s); a vendor time outside them is refused. */
export const unixSeconds = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8_640_000_000_000));
/** A count or amount in minor units: a non-negative safe integer. */
export const nonNegativeInteger = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** The first field a vendor answer broke, as a dotted path (`history.0.processed_at`), for messages. */
export function brokenField(issues: readonly v.BaseIssue<unknown>[]): string {
  return v.getDotPath(issues[0]!) ?? 'the answer itself';
}

/** Where a failed parse is reported. */
export interface ParseContext {
  /** The provider instance the error names. */
  readonly provider: string;
  /** The operation the error names. */
  readonly operation: Operation;
  /** Prefix of field paths (`'options'` gives `options.timeoutMs`). */
  readonly root?: string;
  /** Start of the error message, e.g. `'Invalid start request'`. */
  readonly summary?: string;
}

/** Field issues of a valibot result, with values left out of every message. */
export function fieldIssues(issues: readonly v.BaseIssue<unknown>[], root?: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const path = v.getDotPath(issue);
    const field = [root, path].filter((part) => part !== undefined && part !== null && part !== '').join('.') || (root ?? 'input');
    out.push({ field, message: messageOf(issue) });
  }
  return out;
}

function messageOf(issue: v.BaseIssue<unknown>): string {
  const ownMessage = !issue.message.startsWith('Invalid ');
  // An unknown key of a strict object: the path names the key.
  if (issue.expected === 'never') return ownMessage ? `is not a known field (${issue.message})` : 'is not a known field';
  // A required key that is missing.
  if (issue.received === 'undefined' && issue.message.startsWith('Invalid key')) return 'is required';
  return withoutReceived(issue.message);
}

// valibot's default messages end in `but received "…"`; the value must not leak.
function withoutReceived(message: string): string {
  const cut = message.indexOf(' but received ');
  return cut === -1 ? message : message.slice(0, cut);
}

/** Parses `input` with `schema` or throws a `ValidationError` naming every bad field. */
export function parseInput<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown, context: ParseContext): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new ValidationError(fieldIssues(result.issues, context.root), {
    provider: context.provider,
    operation: context.operation,
  }, context.summary ?? 'Invalid input');
}

/** Throws a `ValidationError` for issues an adapter found itself. */
export function invalid(issues: readonly FieldIssue[], context: ParseContext): never {
  throw new ValidationError(issues, { provider: context.provider, operation: context.operation }, context.summary ?? 'Invalid input');
}

/** `invalid(issues, context)` when there is any issue; nothing otherwise. */
export function throwIssues(issues: readonly FieldIssue[], context: ParseContext): void {
  if (issues.length > 0) invalid(issues, context);
}

/** Checks a verification id against a vendor's id pattern. */
export function parseId(id: unknown, pattern: RegExp, context: ParseContext, what = 'a verification id'): string {
  if (typeof id !== 'string' || !pattern.test(id)) invalid([{ field: 'id', message: `must be ${what}` }], context);
  return id;
}

/** Parses call options (signal, timeoutMs, retries, step). */
export function parseCallOptions<T extends object>(options: T | undefined, context: ParseContext): T | undefined {
  if (options === undefined) return undefined;
  return parseInput(callOptionsSchema, options, { ...context, root: 'options' }) as T;
}

/**
 * Requests and call options that polyverify has parsed already: a wrapper (`guard`, `failover`,
 * `route`) parses once and hands the parsed, frozen object down, and every layer below
 * recognises it instead of parsing it again. A caller's own object is never in the set.
 */
const parsedOnce = new WeakSet<object>();

/** A start request parsed with `startRequestSchema` (once, however many wrappers it passes through). */
export function parseStartRequest(request: unknown, context: ParseContext, handDown = true): StartRequest {
  if (typeof request === 'object' && request !== null && parsedOnce.has(request)) return request as StartRequest;
  const parsed = parseInput(startRequestSchema, request, context) as StartRequest;
  // The last layer (an adapter's shell) hands nothing down: it neither freezes nor remembers.
  if (!handDown) return parsed;
  parsedOnce.add(Object.freeze(parsed));
  return parsed;
}

/** Marks call options that are already parsed (frozen): the layers below take them as they are. */
export function handDownParsed<T extends object>(options: T): T {
  parsedOnce.add(Object.freeze(options));
  return options;
}

/** Call options, parsed once like `parseStartRequest`. */
export function parseCallOptionsOnce<T extends object>(options: T | undefined, context: ParseContext, handDown = true): T | undefined {
  if (options === undefined || parsedOnce.has(options)) return options;
  const parsed = parseCallOptions(options, context)!;
  if (!handDown) return parsed;
  // Frozen so that no layer changes what the layers below trust.
  Object.freeze(parsed);
  parsedOnce.add(parsed);
  return parsed;
}

/** The list query part of a value, without undefined entries. */
export function parseListQuery(query: unknown, context: ParseContext): ListQuery & { cursor?: string; limit?: number } {
  return parseInput(listQuerySchema, query ?? {}, { ...context, summary: 'Invalid list query' });
}
