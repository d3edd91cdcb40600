/**
 * Test numbers: listed phone numbers answered with fixed codes, for app-store review and
 * end-to-end tests — no vendor is asked, nothing is sent or paid. Every other number passes
 * through to the provider untouched.
 *
 * Safe by construction: a listed number's code is checked like any code polyverify owns (a keyed
 * hash in a `CodeStore`, compared in constant time, with the attempt limit and expiry); starts
 * stop at `validUntil`; numbers must be in ranges regulators keep for fiction unless the
 * operator says otherwise; a number is never in an error, an event or an id. The ids are signed:
 * one cannot be made up to get fresh attempts without a start (which `guard()` counts).
 */
import { hexBytes, toHex } from './bytes.js';
import { constantTimeEqual, hmacSha256Hex, randomBytes, sha256Hex } from './crypto.js';
import * as v from 'valibot';
import { OwnedCodes } from './codes/owned-codes.js';
import type { CodeRecord, CodeStore } from './codes/store.js';
import { sealWrapper } from './composite.js';
import { RejectedError, ValidationError, type FieldIssue } from './errors.js';
import { emit, type VerifyEvent } from './events.js';
import type { CheckResult, StartRequest, Verification, VerificationStatus } from './model.js';
import { fictionRange } from './numbers.js';
import type { CallOptions, VerifyProvider } from './provider.js';
import { cursorKeyOf } from './listing/cursor.js';
import { maskPhone } from './redact.js';
import { fieldIssues, parseCallOptionsOnce, parseStartRequest } from './validate.js';

/** What a listed number does when started: deliver (the default), or play an unhappy path. */
export type TestNumberOutcome = 'delivered' | 'undelivered' | 'expired' | 'blocked';

/** One listed number: its fixed code, and how it behaves. */
export interface TestNumber {
  /** The code that verifies it: 6 to 10 digits. */
  readonly code: string;
  /**
   * `delivered` (the default); `undelivered` (the start succeeds, its delivery reads as failed,
   * as when a vendor could not reach the phone); `expired` (the code has expired when checked);
   * `blocked` (the start is refused as a vendor refuses a number it blocks: `RejectedError`,
   * `sent: 'no'`).
   */
  readonly outcome?: TestNumberOutcome;
}

/** Options of {@link testNumbers}. */
export interface TestNumbersOptions {
  /** E.164 number → its fixed code, or `{ code, outcome }`. */
  readonly numbers: Readonly<Record<string, string | TestNumber>>;
  /** Required: after it (a date, ISO 8601 or a `Date`), starts to a listed number are refused — a review account does not stay open by oversight. */
  readonly validUntil: string | Date;
  /** Allow numbers outside the ranges kept for fiction (a real number then never receives a code: say so knowingly). */
  readonly anyNumber?: boolean;
  /** How long a code may be checked, seconds (600). */
  readonly ttlSeconds?: number;
  /** Wrong codes allowed per start (5). */
  readonly maxAttempts?: number;
  /**
   * The key the codes are hashed with and ids are signed with. By default one derived from the
   * numbers and codes, so every instance with the same config agrees; give one (16+ characters)
   * so that reading the store never helps guess a code.
   */
  readonly secret?: string;
  /** Where attempts and expiry are counted (this process by default; a `RedisCodeStore` shares them). */
  readonly store?: CodeStore;
  /** The clock (epoch ms); for tests. */
  readonly now?: () => number;
  /** Told of each test-number start and check (`decision: 'test'`, never the number). */
  readonly onEvent?: (event: VerifyEvent) => void;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const CODE = /^\d{6,10}$/;
const DAY = /^\d{4}-\d{2}-\d{2}(T.+)?$/;
const ID = /^test-([0-9a-z]{1,11})-([0-9a-f]{12})-([0-9a-f]{16})-([0-9a-f]{24})$/;

// Built in a function marked pure, so that a bundle without testNumbers() drops it.
const optionsSchema = /* @__PURE__ */ (() =>
  v.looseObject({
    numbers: v.pipe(v.record(v.string(), v.unknown(), 'must be an object of number → code'), v.check((n) => Object.keys(n).length > 0, 'must list at least one number')),
    validUntil: v.union([v.date(), v.pipe(v.string(), v.regex(DAY, 'must be a date (ISO 8601, such as 2027-03-31)'))], 'must be a date (ISO 8601, such as 2027-03-31)'),
    anyNumber: v.optional(v.boolean('must be true or false')),
    ttlSeconds: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(30, 'must be at least 30'), v.maxValue(86_400, 'must be at most 86400'))),
    maxAttempts: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(10, 'must be at most 10'))),
    secret: v.optional(v.pipe(v.string('must be a string'), v.minLength(16, 'must be at least 16 characters'))),
  }))();

const OUTCOMES: readonly TestNumberOutcome[] = ['delivered', 'undelivered', 'expired', 'blocked'];

/** Each listed number checked; the issues name it masked, never in full. */
function numberIssues(numbers: Readonly<Record<string, unknown>>, anyNumber: boolean): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [number, entry] of Object.entries(numbers)) {
    const field = `numbers[${maskPhone(number)}]`;
    if (!E164.test(number)) {
      issues.push({ field, message: 'must be an E.164 number (+ and 7 to 15 digits)' });
      continue;
    }
    if (!anyNumber && fictionRange(number) === undefined) {
      issues.push({ field, message: "is not in a range kept for fiction (the NANP's 555-0100…0199, Ofcom's 07700 900xxx or 020 7946 0xxx); a real number needs anyNumber: true" });
    }
    const { code, outcome } = typeof entry === 'string' ? { code: entry, outcome: undefined } : typeof entry === 'object' && entry !== null ? (entry as { code?: unknown; outcome?: unknown }) : { code: undefined, outcome: undefined };
    if (typeof code !== 'string' || !CODE.test(code)) issues.push({ field: `${field}.code`, message: 'must be 6 to 10 digits (a fixed code is a standing door: as long as a real one)' });
    if (outcome !== undefined && !OUTCOMES.includes(outcome as TestNumberOutcome)) issues.push({ field: `${field}.outcome`, message: 'must be delivered, undelivered, expired or blocked' });
  }
  return issues;
}

/** Every mistake in test-number options, fields under `root` (`testNumbers`); numbers masked. */
export function testNumbersIssues(options: unknown, root = 'testNumbers'): FieldIssue[] {
  const result = v.safeParse(optionsSchema, options);
  if (!result.success) return fieldIssues(result.issues, root);
  const issues = numberIssues(result.output.numbers, result.output.anyNumber === true).map((issue) => ({ ...issue, field: `${root}.${issue.field}` }));
  if (Number.isNaN(new Date(result.output.validUntil).getTime())) issues.push({ field: `${root}.validUntil`, message: 'must be a date (ISO 8601, such as 2027-03-31)' });
  return issues;
}

/** The listed test numbers in front of each provider made by {@link testNumbers}: `guard()` lets them past its number rules (never past its limits). */
const LISTED = new WeakMap<VerifyProvider, (phone: string) => boolean>();

/** Whether `phone` is a test number listed in front of `provider` (a `testNumbers()` wrapper). */
export function isListedTestNumber(provider: VerifyProvider, phone: string): boolean {
  return LISTED.get(provider)?.(phone) ?? false;
}

/**
 * Puts listed test numbers in front of `provider`: a start to one asks no vendor and accepts only
 * its fixed code (attempt limit and expiry as for any code); every other number passes through.
 * Its verifications carry `test: true`, and costs, scorecards and `adaptive()` leave them out.
 * Put it inside `guard()` (a config's `testNumbers` section is): a reviewer's flood is still
 * counted. docs/test-numbers.md.
 *
 * @example
 * ```ts
 * const verify = testNumbers(provider, { numbers: { '+15555550100': '424242' }, validUntil: '2027-03-31' });
 * const v = await verify.start({ to: '+15555550100' }); // no SMS, no cost; v.test === true
 * await verify.check(v.id, '424242');                   // { verified: true, status: 'verified' }
 * ```
 */
export function testNumbers(provider: VerifyProvider, options: TestNumbersOptions): VerifyProvider {
  const name = provider.name;
  const issues = testNumbersIssues(options);
  if (issues.length > 0) throw new ValidationError(issues, { provider: name, operation: 'config' }, 'Invalid test numbers');
  const parsed = v.parse(optionsSchema, options);
  const validUntil = new Date(parsed.validUntil).getTime();
  const numbers = new Map(Object.entries(parsed.numbers).map(([number, entry]) => [number, typeof entry === 'string' ? { code: entry } : (entry as TestNumber)]));
  const ttlSeconds = parsed.ttlSeconds ?? 600;
  const maxAttempts = parsed.maxAttempts ?? 5;
  const now = options.now ?? Date.now;
  // Derived from the listed codes unless given: every instance with this config agrees on it.
  const secret = parsed.secret ?? sha256Hex(`polyverify test numbers\n${JSON.stringify([...numbers].sort(([a], [b]) => (a < b ? -1 : 1)))}`);
  const codes = new OwnedCodes({ secret, store: options.store, now, provider: name });
  const sign = (text: string, length: number) => hmacSha256Hex(secret, text).slice(0, length);
  const byDigest = new Map([...numbers.keys()].map((number) => [sign(`number:${number}`, 12), number]));

  /** The parts of one of this wrapper's ids, its signature checked; undefined for any other id. */
  function parseTestId(id: string): { id: string; number: string; expiresAt: number } | undefined {
    const own = id.slice(id.lastIndexOf(':') + 1);
    const match = ID.exec(own);
    if (!match) return undefined;
    const [, expires, digest, nonce, mac] = match as unknown as [string, string, string, string, string];
    if (!constantTimeEqual(hexBytes(sign(`id:${expires}-${digest}-${nonce}`, 24))!, hexBytes(mac)!)) return undefined;
    const number = byDigest.get(digest);
    return number === undefined ? undefined : { id: own, number, expiresAt: parseInt(expires, 36) };
  }

  function verificationOf(id: string, number: string, record: Pick<CodeRecord, 'createdAt' | 'expiresAt' | 'failedAttempts' | 'state' | 'finishedAt'>, request?: StartRequest): Verification {
    const outcome = numbers.get(number)!.outcome ?? 'delivered';
    const at = now();
    const status: VerificationStatus =
      record.state === 'verified' ? 'verified'
      : record.state === 'canceled' ? 'canceled'
      : record.failedAttempts >= maxAttempts || outcome === 'undelivered' ? 'failed'
      : at >= record.expiresAt ? 'expired'
      : 'pending';
    const channel = request?.channels?.[0]?.channel ?? 'sms';
    return {
      id,
      provider: name,
      to: number,
      status,
      channels: request?.channels ?? [{ channel }],
      attempts: [{ channel, status: outcome === 'undelivered' ? 'failed' : 'delivered', at: new Date(record.createdAt), messageId: undefined, raw: { test: true } }],
      deliveredChannel: outcome === 'undelivered' ? undefined : channel,
      maxAttempts,
      failedAttempts: record.failedAttempts,
      cost: null,
      reference: request?.reference,
      country: undefined,
      createdAt: new Date(record.createdAt),
      updatedAt: undefined,
      expiresAt: new Date(record.expiresAt),
      finishedAt: record.finishedAt === undefined ? undefined : new Date(record.finishedAt),
      raw: { test: true },
      test: true,
    };
  }

  const told = (operation: 'start' | 'check' | 'get' | 'cancel' | 'resend' | 'failover') => emit(options.onEvent, { type: 'decision', provider: name, operation, member: name, decision: 'test' });

  /** The record of a test id: the store's, or — where this process never saw it (a CLI, an instance without a shared store) — a fresh one for what is left of its life. */
  async function recordOf(test: { id: string; number: string; expiresAt: number }): Promise<CodeRecord> {
    const stored = await codes.store.get(test.id);
    if (stored) return stored;
    return codes.issue(test.id, numbers.get(test.number)!.code, { ttlSeconds: Math.max(0, (test.expiresAt - now()) / 1000), maxAttempts });
  }

  const wrapped: VerifyProvider = {
    name,
    capabilities: provider.capabilities,
    async start(request: StartRequest, callOptions?: CallOptions): Promise<Verification> {
      const context = { provider: name, operation: 'start' as const };
      const input = parseStartRequest(request, context);
      const listed = typeof input.to === 'string' ? numbers.get(input.to) : undefined;
      if (!listed) return provider.start(input, parseCallOptionsOnce(callOptions, context));
      const at = now();
      if (at > validUntil) {
        throw new ValidationError([{ field: 'to', message: `is a test number whose validUntil (${new Date(validUntil).toISOString()}) has passed; nothing was sent (renew it or take it out of the config)` }], context, 'Invalid start request');
      }
      told('start');
      if (listed.outcome === 'blocked') {
        throw new RejectedError(`${name} start: the number is blocked (a test number scripted as blocked); nothing was sent`, { provider: name, operation: 'start', sent: 'no', status: 403, issues: [{ field: 'to', message: 'is blocked (scripted)' }] });
      }
      const life = listed.outcome === 'expired' ? 0 : ttlSeconds;
      const expiresAt = at + life * 1000;
      const digest = sign(`number:${input.to}`, 12);
      const head = `${expiresAt.toString(36)}-${digest}-${toHex(randomBytes(8))}`;
      const id = `test-${head}-${sign(`id:${head}`, 24)}`;
      const record = await codes.issue(id, listed.code, { ttlSeconds: life, maxAttempts });
      return verificationOf(id, input.to as string, record, input);
    },
    async check(id: string, code: string, callOptions?: CallOptions): Promise<CheckResult> {
      const test = typeof id === 'string' ? parseTestId(id) : undefined;
      if (!test) return provider.check(id, code, callOptions);
      told('check');
      await recordOf(test);
      return codes.check(test.id, code);
    },
    async get(id: string, callOptions?: CallOptions): Promise<Verification> {
      const test = typeof id === 'string' ? parseTestId(id) : undefined;
      if (!test) return provider.get(id, callOptions);
      return verificationOf(test.id, test.number, await recordOf(test));
    },
    async cancel(id: string, callOptions?: CallOptions): Promise<Verification> {
      const test = typeof id === 'string' ? parseTestId(id) : undefined;
      if (!test) return provider.cancel(id, callOptions);
      told('cancel');
      await recordOf(test);
      const record = await codes.store.cancel(test.id, now());
      return verificationOf(test.id, test.number, record ?? (await recordOf(test)));
    },
    async resend(id: string, callOptions?: CallOptions): Promise<Verification> {
      const test = typeof id === 'string' ? parseTestId(id) : undefined;
      if (!test) return provider.resend(id, callOptions);
      // Nothing to send again: the code is fixed. What a resend shows is where it stands.
      told('resend');
      return verificationOf(test.id, test.number, await recordOf(test));
    },
    async failover(id: string, callOptions?: CallOptions): Promise<Verification> {
      const test = typeof id === 'string' ? parseTestId(id) : undefined;
      if (!test) return provider.failover(id, callOptions);
      told('failover');
      return verificationOf(test.id, test.number, await recordOf(test));
    },
    // Test verifications are not the vendor's: lists are the vendor's alone.
    list: (query, callOptions) => provider.list(query, callOptions),
    listPage: (query, callOptions) => provider.listPage(query, callOptions),
    ...(provider.pages && { pages: provider.pages.bind(provider) }),
  };
  LISTED.set(wrapped, (phone) => numbers.has(phone));
  return sealWrapper(wrapped, `testNumbers: ${numbers.size} listed until ${new Date(validUntil).toISOString().slice(0, 10)}`, cursorKeyOf(provider));
}
