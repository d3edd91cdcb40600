/**
 * `adaptive()`: a provider that picks the member for each start from the outcomes it has seen —
 * per destination country, the cheapest member whose conversion is within α of the best
 * (src/routing/policy.ts) — and learns from every start and check that passes through it.
 */
import * as v from 'valibot';
import { isVerifyError, type VerifyError } from '../errors.js';
import { emit, type VerifyEvent } from '../events.js';
import { checkMembers, combinedCapabilities, compositeListing, issuerCalls, membersCursorKey, qualify, sealWrapper } from '../composite.js';
import type { CheckResult, StartRequest, Verification } from '../model.js';
import type { CallOptions, VerifyProvider } from '../provider.js';
import { countryParser } from '../numbers.js';
import { PREFIX_DROPS, destinationOf, outcomeKeys } from '../outcomes/destination.js';
import { LruMap } from '../lru.js';
import { MemoryOutcomeStore } from '../outcomes/memory-store.js';
import type { OutcomeStore } from '../outcomes/store.js';
import { parseCallOptionsOnce, parseInput, parseStartRequest } from '../validate.js';
import { pick, type Arm, type Pick } from './policy.js';
import { seededRandom } from './random.js';

/** How much conversion a cheaper member may give up: none, 5 %, 15 % of the best. */
export const POLICIES = { conversion: 0, balanced: 0.05, cost: 0.15 } as const;

/** Options of {@link adaptive}. */
export interface AdaptiveOptions {
  /** The members to choose among (each with a distinct name). */
  readonly members: readonly VerifyProvider[];
  /** The provider's name (`'adaptive'`): the first part of its ids when it is itself a member. */
  readonly name?: string;
  /** `'conversion'` (α = 0), `'balanced'` (α = 0.05, default) or `'cost'` (α = 0.15). */
  readonly policy?: keyof typeof POLICIES;
  /** α per country (ISO 3166-1 alpha-2), over the policy's. */
  readonly alphaByCountry?: Readonly<Record<string, number>>;
  /** Outcomes a member needs in a country before it can win there (50). */
  readonly minOutcomes?: number;
  /** The chance, per other member, that a start goes to it anyway, to keep its figures fresh (0.02). */
  readonly floor?: number;
  /**
   * Prices of one start by member and country (`'*'` for any), decimals in `currency`: used where
   * a member reports no cost at start (Bird reports none).
   */
  readonly prices?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The currency costs are compared in (`EUR`): costs in another are left out. */
  readonly currency?: string;
  /** Where outcomes live: this process by default; `RedisCodeStore.outcomes` shares them between instances. */
  readonly outcomes?: OutcomeStore;
  /**
   * Dry run: starts are served by this provider (a static `route` or `failover` over the same
   * members), while the pick is only computed and emitted. Outcomes are learned from what it
   * serves, so an operator can compare the picks with the static choice before switching.
   */
  readonly dryRun?: VerifyProvider;
  /** Seeds the random choices (exploration, the floor), for tests and simulations. */
  readonly seed?: number;
  /** The clock (epoch ms), for tests and simulations. */
  readonly now?: () => number;
  /** Receives an `explore` or `exploit` decision per start, with the figures that decided it. */
  readonly onEvent?: (event: VerifyEvent) => void;
}

/** What the application learned later about a verification. */
export type Feedback = 'genuine' | 'fraud';

// Built in a function marked pure, so that a bundle without adaptive() drops it (see guard/index.ts).
const optionsSchema = /* @__PURE__ */ (() =>
  v.looseObject({
  members: v.pipe(v.array(v.looseObject({ name: v.string('must be a string') }), 'must be an array of providers'), v.minLength(1, 'must have at least one provider')),
  name: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, _ or -'))),
  policy: v.optional(v.picklist(Object.keys(POLICIES) as (keyof typeof POLICIES)[], 'must be conversion, balanced or cost')),
  alphaByCountry: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'must be ISO 3166-1 alpha-2 codes')), v.pipe(v.number('must be a number'), v.minValue(0, 'must be at least 0'), v.maxValue(0.9, 'must be at most 0.9')))),
  minOutcomes: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(10_000, 'must be at most 10000'))),
  floor: v.optional(v.pipe(v.number('must be a number'), v.minValue(0, 'must be at least 0'), v.maxValue(0.2, 'must be at most 0.2'))),
  prices: v.optional(v.record(v.string(), v.record(v.string(), v.pipe(v.string('must be a decimal string'), v.regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as 0.05'))))),
  currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'))),
  seed: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'))),
  }))();

/**
 * A provider that routes each start to the member that verifies most users per euro where the
 * start goes, from what it has seen: per country, the cheapest member whose conversion is within
 * α of the best (docs/adaptive-routing.md). A start that fails with nothing sent goes to the next
 * choice; `check` and the rest reach the member that issued the id. Every pick is a `decision`
 * event (`explore` or `exploit`, with the figures). `feedback(id, 'fraud')` takes a verification
 * out of the figures.
 *
 * @example
 * ```ts
 * const verify = adaptive({ members: [lox, nc, bird], policy: 'balanced', prices: { messagebird: { '*': '0.07' } } });
 * const v = await verify.start({ to: '+919876543210' });   // v.id === 'notificore:…' where Notificore converts best per euro
 * await verify.check(v.id, code);                          // counts a converted start for Notificore in IN
 * ```
 */
export function adaptive(options: AdaptiveOptions): VerifyProvider & {
  /**
   * What the application learned later about a verification: `'fraud'` takes it out of the
   * conversion figures (pumped traffic never converts, and would punish the member serving that
   * country); `'genuine'` confirms it (nothing changes).
   */
  feedback(id: string, verdict: Feedback): Promise<void>;
} {
  // The name errors carry: the given one only when it is a string (it is checked just below).
  const name = typeof options.name === 'string' ? options.name : 'adaptive';
  parseInput(optionsSchema, options, { provider: name, operation: 'config', summary: 'Invalid adaptive options' });
  const members = [...options.members];
  checkMembers(members, name);
  const store = options.outcomes ?? new MemoryOutcomeStore();
  const now = options.now ?? Date.now;
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const alphaOf = (country: string) => options.alphaByCountry?.[country] ?? POLICIES[options.policy ?? 'balanced'];
  const parameters = { minOutcomes: options.minOutcomes ?? 50, floor: options.floor ?? 0.02 };
  const currency = options.currency ?? 'EUR';
  let countries: Promise<(phone: string) => string | undefined> | undefined;
  // A number's country follows from its leading digits: one metadata lookup per prefix, not per start.
  const countryByPrefix = new LruMap<string, string | undefined>(10_000);
  const countryOf = async (): Promise<(phone: string) => string | undefined> => {
    const parse = await (countries ??= countryParser(true));
    return (phone) => {
      const prefix = phone.slice(0, Math.max(3, phone.length - PREFIX_DROPS));
      if (countryByPrefix.has(prefix)) return countryByPrefix.get(prefix);
      const country = parse(phone);
      countryByPrefix.set(prefix, country);
      return country;
    };
  };
  let lookup: ((phone: string) => string | undefined) | undefined;
  const served = options.dryRun;
  const listing = compositeListing(served ? [served] : members);
  const calls = issuerCalls(members, name);
  /**
   * Ids whose resend went to another member, to the id of the new start: what the user last
   * received. Kept in the outcome store, so every instance follows them; this map spares the
   * store a read where this instance made the link.
   */
  const redirects = new LruMap<string, string>(100_000);
  const targetOf = async (id: string): Promise<string> => redirects.get(id) ?? (await store.linked(id).catch(() => undefined)) ?? id;
  /**
   * Starts being recorded, by id. A start does not wait for its record (with Redis that would be a
   * second round trip on the user's path); what settles a start waits for it instead. Learning
   * never fails a start that went out, so a failed record is dropped.
   */
  const recording = new Map<string, Promise<void>>();
  const record = (id: string, pending: () => Promise<void>): void => {
    // A store's own throw (even a synchronous one) is a failed record, nothing more.
    const done = new Promise<void>((resolve) => resolve(pending())).catch(() => undefined).finally(() => recording.delete(id));
    recording.set(id, done);
  };
  /** The last order picked per country: what routing falls back on when the outcome store fails. */
  const lastChoice = new LruMap<string, readonly string[]>(1000);

  const priceOf = (member: string, country: string): number | null => {
    const table = options.prices?.[member];
    const text = table?.[country] ?? table?.['*'];
    return text === undefined ? null : Number(text);
  };
  const costOf = (verification: Verification): number | undefined => (verification.cost && verification.cost.currency === currency ? Number(verification.cost.amount) : undefined);

  function start(request: StartRequest, callOptions?: CallOptions): Promise<Verification> {
    return begin(request, callOptions, undefined);
  }

  /** A start among the members, but `excluded` (the one whose delivery failed, for a resend). */
  async function begin(request: StartRequest, callOptions: CallOptions | undefined, excluded: string | undefined): Promise<Verification> {
    const callParsed = parseCallOptionsOnce(callOptions, { provider: name, operation: 'start' });
    const input = parseStartRequest(request, { provider: name, operation: 'start', summary: 'Invalid start request' });
    const at = now();
    const destination = destinationOf(input.to, (lookup ??= await countryOf()));
    const able = members.filter((member) => member.name !== excluded && canServe(member, input));
    const candidates = able.length > 0 ? able : members.filter((member) => member.name !== excluded);
    let choice: Pick;
    try {
      // Sent together: with Redis, one round trip before the vendor call (the client pipelines them).
      const [, tallies] = await Promise.all([store.expire(at, 100), store.tallies(candidates.flatMap((member) => outcomeKeys(member.name, destination)), at)]);
      const arms: Arm[] = candidates.map((member, index) => {
        const [all, country, prefix] = tallies.slice(index * 3, index * 3 + 3) as [Arm['all'], Arm['country'], Arm['prefix']];
        const learned = country.costed > 0 ? country.cost / country.costed : all.costed > 0 ? all.cost / all.costed : null;
        return { member: member.name, all, country, prefix, price: priceOf(member.name, destination.country) ?? (learned === null ? null : Math.round(learned * 1e6) / 1e6) };
      });
      choice = pick(arms, { ...parameters, alpha: alphaOf(destination.country) }, random);
      lastChoice.set(destination.country, choice.order);
    } catch (error) {
      // The outcome store failing never stops a start: the last pick for the country, else the members' order.
      // The last pick holds where it ranked every member that can take this start.
      const last = lastChoice.get(destination.country)?.filter((m) => candidates.some((c) => c.name === m));
      const known = last?.length === candidates.length ? last : undefined;
      choice = { order: known ?? candidates.map((m) => m.name), mode: 'exploit', reason: known ? 'the outcome store failed: the last pick for this country' : 'the outcome store failed: the members in order', figures: [] };
      emit(options.onEvent, { type: 'warning', provider: name, operation: 'start', message: `the outcome store failed (${error instanceof Error ? error.message : String(error)}); routing on ${known ? 'the last pick for ' + destination.country : 'the members in order'}` });
    }
    const decide = (member: string, decision: 'try' | 'sent' | 'next' | 'stop' | 'exhausted', error?: VerifyError) =>
      emit(options.onEvent, { type: 'decision', provider: name, operation: 'start', member, decision, ...(error && { error: { name: error.name, code: error.code, sent: error.sent } }) });
    // A test number's start (testNumbers() inside a member) teaches nothing about the member.
    const remember = (id: string, member: string, verification: Verification) =>
      verification.test ? undefined : record(id, () => store.pend(id, { keys: outcomeKeys(member, destination), expiresAt: verification.expiresAt?.getTime() ?? at + 600_000, ...(costOf(verification) !== undefined ? { cost: costOf(verification)! } : {}) }));

    if (served) {
      const verification = await served.start(input, callParsed);
      const member = members.some((m) => m.name === verification.provider) ? verification.provider : served.name;
      emit(options.onEvent, { type: 'decision', provider: name, operation: 'start', member: choice.order[0]!, decision: choice.mode, reason: choice.reason, country: destination.country, figures: choice.figures, servedBy: member });
      remember(verification.id, member, verification);
      return verification;
    }
    emit(options.onEvent, { type: 'decision', provider: name, operation: 'start', member: choice.order[0]!, decision: choice.mode, reason: choice.reason, country: destination.country, figures: choice.figures });
    let first: VerifyError | undefined;
    for (const memberName of choice.order) {
      const member = members.find((m) => m.name === memberName)!;
      decide(memberName, 'try');
      try {
        const verification = qualify(await member.start(input, callParsed), memberName);
        decide(memberName, 'sent');
        remember(verification.id, memberName, verification);
        return verification;
      } catch (error) {
        if (!isVerifyError(error) || error.sent !== 'no') {
          if (isVerifyError(error)) decide(memberName, 'stop', error);
          throw error;
        }
        first ??= error;
        decide(memberName, 'next', error);
      }
    }
    decide(choice.order.at(-1)!, 'exhausted', first);
    throw first!;
  }

  async function check(id: string, code: string, callOptions?: CallOptions): Promise<CheckResult> {
    const target = await targetOf(id);
    const result = await (served ? served.check(target, code, callOptions) : calls.check(target, code, callOptions));
    const final = result.verified || result.status !== 'pending';
    // Learning never fails a check either.
    if (final && result.reason !== 'not_found' && result.reason !== 'already_verified') {
      await recording.get(target);
      await store.settle(target, result.verified, now()).catch(() => undefined);
    }
    return result;
  }

  /**
   * A resend: where the first member's delivery failed, a new start at the best *other* member
   * (the old start counts as not converted, and its id reaches the new one from then on, in this
   * instance); otherwise the member's own resend.
   */
  async function resend(id: string, callOptions?: CallOptions): Promise<Verification> {
    const target = await targetOf(id);
    const issuer = target.slice(0, target.indexOf(':'));
    const current = members.length > 1 ? await calls.get(target, callOptions).catch(() => undefined) : undefined;
    if (!current || !deliveryFailed(current)) return calls.resend(target, callOptions);
    const next = await begin({ to: current.to.includes('@') ? { email: current.to } : current.to }, callOptions, issuer);
    redirects.set(id, next.id);
    await store.link(id, next.id).catch(() => undefined);
    await recording.get(target);
    await store.settle(target, false, now()).catch(() => undefined);
    return next;
  }

  const provider = {
    name,
    capabilities: combinedCapabilities(members),
    start,
    ...(served
      ? { get: served.get.bind(served), resend: served.resend.bind(served), failover: served.failover.bind(served), cancel: served.cancel.bind(served) }
      : { ...calls, get: async (id: string, o?: CallOptions) => calls.get(await targetOf(id), o), cancel: async (id: string, o?: CallOptions) => calls.cancel(await targetOf(id), o), resend }),
    check,
    list: listing.list,
    listPage: listing.listPage,
    async feedback(id: string, verdict: Feedback): Promise<void> {
      if (verdict !== 'genuine' && verdict !== 'fraud') throw new TypeError("verdict must be 'genuine' or 'fraud'");
      if (verdict !== 'fraud') return;
      await recording.get(id);
      await store.retract(id, now());
    },
  };
  return sealWrapper(provider, `adaptive: [${members.map((m) => `'${m.name}'`).join(', ')}]${served ? ` (dry run: ${served.name} serves)` : ''}`, membersCursorKey(members), served ? undefined : members);
}

/** Whether a verification's delivery failed: its status says so, or every attempt it made failed. */
function deliveryFailed(verification: Verification): boolean {
  return verification.status === 'failed' || (verification.attempts.length > 0 && verification.attempts.every((a) => a.status === 'failed' || a.status === 'error'));
}

/** Whether `member` can take the request: its recipient kind, a code of your own, every channel asked for. */
function canServe(member: VerifyProvider, request: StartRequest): boolean {
  const caps = member.capabilities;
  if (!caps.recipients.includes(typeof request.to === 'string' ? 'phone' : 'email')) return false;
  if (request.code !== undefined && !caps.customCode) return false;
  return (request.channels ?? []).every((step) => caps.channels.includes(step.channel));
}
