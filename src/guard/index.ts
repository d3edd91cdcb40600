/**
 * The fraud guard: a provider that wraps any provider (a vendor, a `failover`, a `route`) and
 * refuses, before anything is sent, what looks like SMS pumping — too many verifications for
 * one phone, country, client or in all, numbers in countries you do not serve, and numbers that
 * cannot exist or cost extra.
 */
import { base64urlEncode } from '../bytes.js';
import { sha256Bytes } from '../crypto.js';
import * as v from 'valibot';
import { RateLimitError, ValidationError, isVerifyError, StoreUnavailableError, type Operation } from '../errors.js';
import { emit, type VerifyEvent } from '../events.js';
import { cursorKeyOf } from '../listing/cursor.js';
import { sealWrapper } from '../composite.js';
import { LruMap } from '../lru.js';
import type { Recipient, StartRequest, Verification } from '../model.js';
import type { CallOptions, VerifyProvider } from '../provider.js';
import { maskPhone } from '../redact.js';
import { invalid, parseCallOptions, parseCallOptionsOnce, parseInput, parseStartRequest, type ParseContext } from '../validate.js';
import { memoryLimitStore, type Limit, type LimitStore, type Taken } from './limits.js';
import { COSTLY_TYPES, MOBILE_TYPES, countryParser, fictionRange, numberFacts } from '../numbers.js';
import { destinationOf, type Destination } from '../outcomes/destination.js';
import { PumpingDefence, type PumpingOptions } from './pumping.js';
import { isListedTestNumber } from '../test-numbers.js';
import { earlyStart } from '../early-start.js';
import type { DecayOptions } from '../outcomes/store.js';

export type { Limit, LimitStore, Taken } from './limits.js';

/** One limit, or several that all apply (e.g. 3 per 10 minutes and 10 per day). */
export type Limits = Limit | readonly Limit[];

/** Which countries may receive messages: only those listed, or all but those (ISO 3166-1 alpha-2). */
export type CountryRule =
  | {
      /** The only countries allowed. */
      readonly allow: readonly string[];
    }
  | {
      /** The countries refused. */
      readonly deny: readonly string[];
    };

/** Options of {@link guard}. These names are the public contract. */
export interface GuardOptions {
  /**
   * `'recommended'`: start from the rules polyverify recommends — 3 verifications per recipient
   * per 10 minutes and 10 a day, 10 per client (`limitKey`) per 10 minutes and 50 a day, and
   * `strictNumbers` — which the other options then override. The example backend runs with it.
   */
  readonly preset?: 'recommended';
  /** Verifications per recipient (the phone number, or the e-mail address). */
  readonly perPhone?: Limits;
  /** Verifications per destination country (from the number; `unknown` where it has none). */
  readonly perCountry?: Limits;
  /** Verifications per `CallOptions.limitKey` (the client's IP or account id); a guard with `perKey` requires one on every sending call. */
  readonly perKey?: Limits;
  /** Verifications in all. */
  readonly total?: Limits;
  /** Only these countries, or every country but these (ISO 3166-1 alpha-2). */
  readonly countries?: CountryRule;
  /**
   * Only numbers valid for their country (libphonenumber-js "max" metadata, loaded when this is
   * on), and never premium-rate or shared-cost lines.
   */
  readonly strictNumbers?: boolean;
  /** With `strictNumbers`: only mobile numbers, where the metadata can tell a number's type. */
  readonly mobileOnly?: boolean;
  /**
   * The defence against SMS pumping: a number prefix whose recent starts convert far below its
   * usual rate while their volume rises far above its usual is refused for 5 minutes, doubling
   * while it goes on, up to 12 hours (`true` for the defaults; `{ shadow: true }` only reports).
   * See docs/fraud-guard.md.
   */
  readonly pumping?: boolean | PumpingOptions;
  /**
   * Where the counters live: in this process by default (bounded to 100 000 keys per rule); `redisLimits(client)`
   * from `polyverify/redis` shares them between every instance of a backend.
   */
  readonly limits?: LimitStore;
  /** Receives a `decision` event per guarded call: `allowed`, or `refused` with the rule (phone numbers masked). */
  readonly onEvent?: (event: VerifyEvent) => void;
  /** The pumping defence's clock (epoch ms), for tests and simulations; the limits keep real time. */
  readonly now?: () => number;
}

/** The rules, in the order they are checked: the cheapest and widest first. */
const LIMIT_RULES = ['total', 'perCountry', 'perKey', 'perPhone'] as const;
type LimitRule = (typeof LIMIT_RULES)[number];
const RULE_WORDS: Record<LimitRule, string> = {
  total: 'verifications in all',
  perCountry: 'verifications to this country',
  perKey: 'verifications for this client (its limitKey)',
  perPhone: 'verifications for this recipient',
};

/** The rules of `preset: 'recommended'`: what a signup form needs, and SMS pumping does not get past cheaply. */
const RECOMMENDED: GuardConfig = {
  perPhone: [{ max: 3, windowSeconds: 600 }, { max: 10, windowSeconds: 86_400 }],
  perKey: [{ max: 10, windowSeconds: 600 }, { max: 50, windowSeconds: 86_400 }],
  strictNumbers: true,
};

const limitSchema = v.strictObject({
  max: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(1e9, 'must be at most 1000000000')),
  windowSeconds: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(31_622_400, 'must be at most 366 days')),
});
const limitsSchema = v.optional(v.union([limitSchema, v.pipe(v.array(limitSchema), v.minLength(1, 'must not be empty'))], 'must be { max, windowSeconds } or an array of them'));
const countryList = v.pipe(v.array(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'must be ISO 3166-1 alpha-2 codes such as DE'))), v.minLength(1, 'must not be empty'));
/** The JSON part of the options (what a config's `guard` section holds). */
export const guardConfigEntries = {
  preset: v.optional(v.literal('recommended', "must be 'recommended'")),
  perPhone: limitsSchema,
  perCountry: limitsSchema,
  perKey: limitsSchema,
  total: limitsSchema,
  countries: v.optional(v.union([v.strictObject({ allow: countryList }), v.strictObject({ deny: countryList })], 'must be { allow: [...] } or { deny: [...] }')),
  strictNumbers: v.optional(v.boolean('must be true or false')),
  mobileOnly: v.optional(v.boolean('must be true or false')),
  pumping: v.optional(
    v.union(
      [
        v.boolean(),
        v.strictObject({
          shadow: v.optional(v.boolean('must be true or false')),
          graceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600))),
          recentSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60), v.maxValue(86_400))),
          minOutcomes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000))),
          conversionFactor: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
          volumeFactor: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1000))),
          defaultConversion: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
        }),
      ],
      'must be true, false or { shadow, graceSeconds, recentSeconds, minOutcomes, conversionFactor, volumeFactor, defaultConversion }',
    ),
  ),
};
// Built in a function marked pure: a bundler cannot prove a spread free of side effects, and would
// keep this schema (and the guard's) in every bundle sharing its chunk.
const optionsSchema = /* @__PURE__ */ (() =>
  v.looseObject({
    ...guardConfigEntries,
    onEvent: v.optional(v.function('must be a function')),
    now: v.optional(v.function('must be a function')),
    limits: v.optional(v.looseObject({}, 'must be a LimitStore')),
  }))();

/** The guard's part of a JSON config (`{ provider: …, guard: { perPhone: …, countries: … } }`). */
export type GuardConfig = Pick<GuardOptions, 'preset' | 'pumping' | 'perPhone' | 'perCountry' | 'perKey' | 'total' | 'countries' | 'strictNumbers' | 'mobileOnly'>;

const listOf = (limits: Limits | undefined): readonly Limit[] => (limits === undefined ? [] : Array.isArray(limits) ? limits : [limits as Limit]);
const masked = (to: Recipient): string => (typeof to === 'string' ? maskPhone(to) : `${to.email.slice(0, 1)}***@${to.email.split('@')[1] ?? ''}`);
/** Counter keys never hold a phone number, an address or a client's IP in clear: a digest of it does. */
const digest = (text: string): string => base64urlEncode(sha256Bytes(text)).slice(0, 22);
const keyOf = (to: Recipient): string => digest(typeof to === 'string' ? to : `email:${to.email.toLowerCase()}`);

/**
 * Wraps `provider` with send limits, country rules and number checks, applied to every call
 * that sends a message (`start`, `resend`, `failover`) before anything is sent. A refusal makes
 * no vendor request: a limit is a `RateLimitError` (`sent: 'no'`, `retryAfterMs`), a country or
 * number a `ValidationError` naming `to`. Ids, listing and checks are the provider's own.
 *
 * @example
 * ```ts
 * const verify = guard(failover([lox, nc]), {
 *   perPhone: [{ max: 3, windowSeconds: 600 }, { max: 10, windowSeconds: 86_400 }],
 *   perKey: { max: 20, windowSeconds: 3600 },
 *   countries: { allow: ['DE', 'AT', 'CH'] },
 *   strictNumbers: true,
 * });
 * await verify.start({ to: '+491701234567' }, { limitKey: request.ip });
 * ```
 */
export function guard(provider: VerifyProvider, options: GuardOptions): VerifyProvider {
  const name = provider.name;
  const configContext: ParseContext = { provider: name, operation: 'config', root: 'guard', summary: 'Invalid guard options' };
  // The parsed copy holds the JSON rules; the client, the store and the listener are the caller's own objects.
  const given = parseInput(optionsSchema, options, configContext) as GuardOptions;
  const parsed: GuardOptions = { ...(given.preset === 'recommended' && RECOMMENDED), ...given, limits: options.limits, onEvent: options.onEvent };
  if (parsed.mobileOnly && !parsed.strictNumbers) invalid([{ field: 'guard.mobileOnly', message: 'needs strictNumbers: true' }], configContext);
  const rules = LIMIT_RULES.flatMap((rule) => listOf(parsed[rule]).map((limit, index) => ({ rule, limit, bucket: `${rule}:${index}` })));
  const needsCountry = parsed.countries !== undefined || parsed.perCountry !== undefined;
  const strict = parsed.strictNumbers === true;
  let store: Promise<LimitStore> | undefined;
  const limits = (): Promise<LimitStore> => (store ??= Promise.resolve(parsed.limits ?? memoryLimitStore()));
  // With shared limits (Redis), the pumping defence's figures are shared too: every instance judges a range on all its traffic.
  const shared = parsed.limits?.outcomes ? (scope: string, decay: DecayOptions) => parsed.limits!.outcomes!(scope, decay) : undefined;
  const pumping = parsed.pumping ? new PumpingDefence(parsed.pumping === true ? {} : parsed.pumping, shared ? { shared } : {}) : undefined;
  let countries: Promise<(phone: string) => string | undefined> | undefined;
  const now = options.now ?? Date.now;
  // Recipients of verifications started here, for resend and failover (which name only an id).
  const recipients = new LruMap<string, Recipient>(10_000);

  const decide = (operation: Operation, decision: 'allowed' | 'refused', to: Recipient, rule?: string) =>
    emit(parsed.onEvent, { type: 'decision', provider: name, operation, member: provider.name, decision, to: masked(to), ...(rule && { rule }) });

  /** The country and number rules; throws a ValidationError on `to`. */
  async function checkNumber(to: Recipient, operation: Operation): Promise<string | undefined> {
    if (typeof to !== 'string' || (!needsCountry && !strict)) return undefined;
    // A listed test number (testNumbers() right inside) is fictional by design and reaches no vendor: past the number rules, never past the limits.
    if (isListedTestNumber(provider, to)) return 'test';
    const facts = await numberFacts(to, strict);
    const refuse = (rule: string, message: string): never => {
      decide(operation, 'refused', to, rule);
      return invalid([{ field: 'to', message }], { provider: name, operation, summary: 'Refused by the guard' });
    };
    const fiction = strict ? fictionRange(to) : undefined;
    if (fiction) refuse('strictNumbers', `is in a range kept for drama and examples (${fiction}), never a real phone; use a real number, or leave strictNumbers off in tests`);
    if (strict && !facts.valid) refuse('strictNumbers', 'is not a valid phone number for its country');
    if (strict && facts.type !== undefined && COSTLY_TYPES.includes(facts.type)) refuse('strictNumbers', 'is a premium-rate or shared-cost number');
    if (parsed.mobileOnly && facts.type !== undefined && !MOBILE_TYPES.includes(facts.type)) refuse('mobileOnly', 'is not a mobile number');
    const countries = parsed.countries;
    if (countries && 'allow' in countries && (facts.country === undefined || !countries.allow.includes(facts.country))) {
      refuse('countries', facts.country ? `is in a country this service does not send to (${facts.country})` : 'is in no country this service sends to');
    }
    if (countries && 'deny' in countries && facts.country !== undefined && countries.deny.includes(facts.country)) {
      refuse('countries', `is in a country this service does not send to (${facts.country})`);
    }
    return facts.country ?? 'unknown';
  }

  /**
   * Takes one from every limit at once (one round trip to a shared store, not one per rule); if
   * any refuses, gives back what the others took and throws. Returns what to give back if the
   * send then provably fails.
   */
  async function takeLimits(to: Recipient, country: string | undefined, limitKey: string | undefined, operation: Operation): Promise<() => Promise<void>> {
    const keys: Record<LimitRule, string | undefined> = { total: 'all', perCountry: country ?? 'unknown', perKey: limitKey === undefined ? undefined : digest(`key:${limitKey}`), perPhone: keyOf(to) };
    const store = await limits().catch(unavailable(operation));
    const results = await Promise.allSettled(rules.map(({ rule, limit, bucket }) => store.take(bucket, keys[rule]!, limit)));
    const taken = rules.filter((_, i) => results[i]!.status === 'fulfilled' && (results[i] as PromiseFulfilledResult<Taken>).value.allowed);
    const giveBack = () => Promise.all(taken.map(({ rule, limit, bucket }) => store.giveBack(bucket, keys[rule]!, limit).catch(() => undefined))).then(() => undefined);
    if (taken.length === rules.length) return giveBack;
    await giveBack();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) unavailable(operation)(failed.reason);
    // The first refusing rule in order names the refusal.
    const index = results.findIndex((r) => r.status === 'fulfilled' && !r.value.allowed);
    const { rule, limit } = rules[index]!;
    const { retryAfterMs } = (results[index] as PromiseFulfilledResult<Taken>).value;
    decide(operation, 'refused', to, rule);
    throw new RateLimitError(`${name} ${operation} refused by the guard: too many ${RULE_WORDS[rule]} (${limit.max} per ${limit.windowSeconds} s); try again in ${Math.ceil(retryAfterMs / 1000)} s`, {
      provider: name,
      operation,
      sent: 'no',
      retryable: true,
      retryAfterMs,
    });
  }

  const unavailable = (operation: Operation) => (error: unknown): never => {
    if (isVerifyError(error)) throw error;
    throw new StoreUnavailableError(`${name} ${operation}: the guard's limit store failed (${error instanceof Error ? error.message : String(error)})`, { provider: name, operation, sent: 'no', retryable: true });
  };

  /** Refuses a start to a prefix the pumping defence blocks (or, in shadow, says it would). */
  async function checkPumping(destination: Destination, to: Recipient, operation: Operation): Promise<void> {
    const verdict = await pumping!.verdict(destination.prefix, destination.country, now());
    if (!verdict.block) return;
    const why = `traffic to this number range ${verdict.reason === 'blocked' ? 'was found pumped' : verdict.reason} (SMS pumping)`;
    if (pumping!.shadow) {
      emit(parsed.onEvent, { type: 'decision', provider: name, operation, member: provider.name, decision: 'allowed', to: masked(to), rule: 'pumping', reason: `shadow: would refuse: ${why}` });
      return;
    }
    emit(parsed.onEvent, { type: 'decision', provider: name, operation, member: provider.name, decision: 'refused', to: masked(to), rule: 'pumping', reason: why });
    throw new RateLimitError(`${name} ${operation} refused by the guard: ${why}; try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`, { provider: name, operation, sent: 'no', retryable: true, retryAfterMs: verdict.retryAfterMs });
  }

  /**
   * Runs a sending call under the guard. A start is begun early where its provider can
   * (src/early-start.ts: LOX24 saves its code's hash while the limits are taken, one round trip
   * to a shared store for both) and reaches the provider's `start` only once the limits pass.
   */
  async function guarded<T>(operation: Operation, to: Recipient, callOptions: CallOptions | undefined, send: (options: CallOptions | undefined) => Promise<T>, request?: object): Promise<T> {
    const limitKey = callOptions?.limitKey;
    if (parsed.perKey !== undefined && limitKey === undefined) {
      invalid([{ field: 'options.limitKey', message: "is required by this guard's perKey limit (the client's IP or account id)" }], { provider: name, operation });
    }
    const country = await checkNumber(to, operation);
    const destination = pumping && !(typeof to === 'string' && isListedTestNumber(provider, to)) ? destinationOf(to, await (countries ??= countryParser(true))) : undefined;
    if (pumping && destination) await checkPumping(destination, to, operation);
    const early = request && earlyStart(provider, request, callOptions);
    try {
      const giveBack = await takeLimits(to, country, limitKey, operation);
      decide(operation, 'allowed', to);
      try {
        const sent = await send(early ? early.options : callOptions);
        const verification = sent as unknown as Verification;
        if (pumping && destination && operation === 'start') {
          await pumping.started(verification.id, destination.prefix, destination.country, verification.expiresAt?.getTime() ?? now() + 600_000, now()).catch(() => undefined);
        }
        return sent;
      } catch (error) {
        // Nothing went out: the attempt does not count against the recipient.
        if (isVerifyError(error) && error.sent === 'no') await giveBack();
        throw error;
      }
    } finally {
      // What was begun and never used: a refusal, a failing limit store, a start that failed first (nothing, once used).
      await early?.work.release();
    }
  }

  async function recipientOf(id: string, callOptions: CallOptions | undefined): Promise<Recipient> {
    return recipients.get(id) ?? (await provider.get(id, callOptions)).to;
  }

  const wrapped: VerifyProvider = {
    name,
    capabilities: provider.capabilities,
    async start(request: StartRequest, callOptions?: CallOptions): Promise<Verification> {
      const context = { provider: name, operation: 'start' as const };
      const parsed = parseStartRequest(request, context);
      const options = parseCallOptionsOnce(callOptions, context);
      const verification = await guarded('start', parsed.to, options, (handed) => provider.start(parsed, handed), parsed);
      recipients.set(verification.id, parsed.to);
      return verification;
    },
    check: pumping
      ? async (id, code, callOptions) => {
          const result = await provider.check(id, code, callOptions);
          await pumping.checked(id, result.verified, result.status !== 'pending', now()).catch(() => undefined);
          return result;
        }
      : (id, code, callOptions) => provider.check(id, code, callOptions),
    get: (id, callOptions) => provider.get(id, callOptions),
    cancel: (id, callOptions) => provider.cancel(id, callOptions),
    async resend(id, callOptions) {
      if (!provider.capabilities.resend) return provider.resend(id, callOptions);
      return guarded('resend', await recipientOf(id, callOptions), callOptions, () => provider.resend(id, callOptions));
    },
    async failover(id, callOptions) {
      if (!provider.capabilities.failover) return provider.failover(id, callOptions);
      return guarded('failover', await recipientOf(id, callOptions), callOptions, () => provider.failover(id, callOptions));
    },
    list: (query, callOptions) => provider.list(query, callOptions),
    listPage: (query, callOptions) => provider.listPage(query, callOptions),
    ...(provider.pages && { pages: provider.pages.bind(provider) }),
  };
  // Merged lists over the guard sign their cursors as over the provider.
  return sealWrapper(wrapped, `guard: [${rules.map((r) => `'${r.rule}'`).join(', ')}]`, cursorKeyOf(provider));
}

