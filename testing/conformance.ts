/**
 * The conformance kit: one behaviour for every adapter, checked against a running simulator
 * (or any server the adapter can talk to). Runner-agnostic: `conformanceCases(target)` returns
 * named cases that assert with `node:assert`; run them in vitest, jest, mocha or `node:test`:
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { conformanceCases } from 'polyverify/testing';
 * describe('conformance: acme', () => {
 *   for (const c of conformanceCases(acmeTarget)) it(c.name, c.run);
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { isVerifyError } from '../src/errors.js';
import type { StartRequest, Verification } from '../src/model.js';
import type { VerifyProvider } from '../src/provider.js';

/** One adapter and the server it talks to, fresh for each case. */
export interface ConformanceHarness {
  /** The adapter under test, pointed at the server. */
  readonly provider: VerifyProvider;
  /** A recipient the server delivers to. */
  readonly to: string;
  /** A valid start request to `to` (the vendor's required parts). */
  readonly request: StartRequest;
  /**
   * A recipient for the `i`-th of several verifications a case starts, for a vendor that continues
   * a pending verification when a recipient is started again (Twilio); `to` for every one without it.
   */
  recipient?(i: number): string;
  /** The code delivered for a verification (from the simulator's inbox). */
  readCode(verification: Verification): string;
  /**
   * The language (ISO 639-1) of the message delivered for a verification, from the simulator's
   * inbox. Give it where the vendor lets polyverify choose the language (`capabilities.languages`);
   * leave it out where a template decides (the kit then checks the capability says so).
   */
  language?(verification: Verification): string | undefined;
  /** Moves both the vendor's and polyverify's clocks forward. */
  advance(ms: number): void;
  /** Requests the server has received so far. */
  requestCount(): number;
  /** An id of the vendor's format that does not exist. */
  readonly unknownId: string;
  /** A wrong code of the right shape. */
  wrongCode(code: string): string;
  /** Checks every request the server received against the vendor's spec, where there is one. */
  checkRequests?(): Promise<void>;
  /**
   * For a provider over members (`failover`, `route`, `adaptive`): the name of the member that
   * issued a verification, which its `provider` field holds. A composite may also send a code of
   * your own through a member that takes one, so that refusal is not expected of it.
   */
  issuer?(verification: Verification): string;
  /** Stops the server. */
  close(): Promise<void>;
}

/** What the kit runs against. */
export interface ConformanceTarget {
  /** The adapter's name in the cases' titles. */
  readonly name: string;
  /** A fresh harness for one case. */
  setup(): Promise<ConformanceHarness>;
  /** Start requests this vendor must refuse before sending (beyond the common ones), and the field named. */
  readonly invalidStarts?: readonly InvalidStart[];
}

/** A start request an adapter must refuse before sending. */
export interface InvalidStart {
  /** Why it is invalid, for the case's title. */
  readonly why: string;
  /** The request's parts over the harness's valid request. */
  readonly request: Partial<StartRequest>;
  /** The field the `ValidationError` must name. */
  readonly field: string;
}

/** One named check. */
export interface ConformanceCase {
  /** The case's title. */
  readonly name: string;
  /** Runs it; rejects with an assertion error when the adapter does not conform. */
  run(): Promise<void>;
}

/** Asserts that `actual` has each property of `expected`, deeply equal. */
function matches(actual: unknown, expected: Record<string, unknown>, what = 'value'): void {
  assert.ok(typeof actual === 'object' && actual !== null, `${what} is an object`);
  for (const [key, value] of Object.entries(expected)) assert.deepStrictEqual((actual as Record<string, unknown>)[key], value, `${what}.${key}`);
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; issues?: { field: string }[] }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isVerifyError(error), `a VerifyError, not ${String(error)}`);
    return error as unknown as { name: string; issues?: { field: string }[] };
  }
  assert.fail('expected the call to reject');
}

/** The recipient of the `i`-th of several starts in one case. */
function to(h: ConformanceHarness, i: number): string {
  return h.recipient?.(i) ?? h.to;
}

async function collect(items: AsyncIterable<Verification>): Promise<string[]> {
  const ids: string[] = [];
  for await (const v of items) ids.push(v.id);
  return ids;
}

type Check = (h: ConformanceHarness) => Promise<void>;

const checks: [string, Check][] = [
  [
    'start, read the code from the inbox, check it: verified',
    async (h) => {
      const v = await h.provider.start(h.request);
      matches(v, { provider: h.issuer?.(v) ?? h.provider.name, to: h.to, status: 'pending' }, 'verification');
      assert.ok(v.createdAt instanceof Date);
      matches(await h.provider.check(v.id, h.readCode(v)), { verified: true, status: 'verified' }, 'check');
      assert.equal((await h.provider.get(v.id)).status, 'verified');
    },
  ],
  [
    'without a locale, the message is in the language of the recipient\'s country (+44 en, +49 de, +48 pl), on every vendor that lets polyverify choose',
    async (h) => {
      if (!h.language) {
        assert.equal(h.provider.capabilities.languages, undefined, 'a provider that declares languages gives the harness a language reader');
        return;
      }
      const { locale: _locale, ...request } = h.request;
      const heard: (string | undefined)[] = [];
      for (const to of ['+447700900123', '+491701234567', '+48601234567']) heard.push(h.language(await h.provider.start({ ...request, to })));
      assert.deepStrictEqual(heard, ['en', 'de', 'pl']);
    },
  ],
  [
    'a verified code does not pass a second time',
    async (h) => {
      const v = await h.provider.start(h.request);
      const code = h.readCode(v);
      assert.equal((await h.provider.check(v.id, code)).verified, true);
      assert.equal((await h.provider.check(v.id, code)).verified, false);
    },
  ],
  [
    'wrong codes: incorrect_code with attempts decreasing, then max_attempts; the right code no longer passes',
    async (h) => {
      // Three tries, or as close as the vendor allows (Twilio's are fixed at 5).
      const { min, max } = h.provider.capabilities.maxAttempts;
      const tries = Math.min(Math.max(3, min), max);
      const v = await h.provider.start({ ...h.request, maxAttempts: tries });
      const code = h.readCode(v);
      const remaining: (number | undefined)[] = [];
      for (let i = 0; i < tries; i++) {
        const result = await h.provider.check(v.id, h.wrongCode(code));
        matches(result, { verified: false, reason: 'incorrect_code' }, 'check');
        remaining.push(result.attemptsRemaining);
      }
      assert.deepStrictEqual(remaining, Array.from({ length: tries }, (_, i) => tries - 1 - i));
      matches(await h.provider.check(v.id, code), { verified: false, status: 'failed', reason: 'max_attempts' }, 'check');
      assert.equal((await h.provider.get(v.id)).status, 'failed');
    },
  ],
  [
    'a code past its lifetime is expired',
    async (h) => {
      const ttlSeconds = h.provider.capabilities.ttlSeconds.min;
      const v = await h.provider.start({ ...h.request, ttlSeconds });
      const code = h.readCode(v);
      h.advance((ttlSeconds + 1) * 1000);
      matches(await h.provider.check(v.id, code), { verified: false, status: 'expired', reason: 'expired' }, 'check');
      assert.equal((await h.provider.get(v.id)).status, 'expired');
    },
  ],
  [
    'an unknown id checks as not_found',
    async (h) => {
      const code = h.provider.capabilities.codeLength.default;
      matches(await h.provider.check(h.unknownId, '1'.repeat(code)), { verified: false, reason: 'not_found' }, 'check');
    },
  ],
  [
    'get returns the verification',
    async (h) => {
      const v = await h.provider.start({ ...h.request, reference: 'conformance-get' });
      const got = await h.provider.get(v.id);
      matches(got, { id: v.id, provider: h.issuer?.(v) ?? h.provider.name, to: h.to, reference: h.provider.capabilities.reference ? 'conformance-get' : undefined, status: 'pending' }, 'get');
      assert.equal(got.createdAt.getTime(), v.createdAt.getTime());
    },
  ],
  [
    'list contains every verification exactly once, across pages; listPage cursors resume exactly',
    async (h) => {
      const started: string[] = [];
      for (let i = 0; i < 5; i++) started.push((await h.provider.start({ ...h.request, to: to(h, i), reference: `page-${i}` })).id);
      assert.deepStrictEqual([...(await collect(h.provider.list()))].sort(), [...started].sort());
      const paged: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await h.provider.listPage({ limit: 2, ...(cursor && { cursor }) });
        assert.ok(page.items.length <= 2);
        paged.push(...page.items.map((v) => v.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepStrictEqual([...paged].sort(), [...started].sort());
      if (h.provider.pages) {
        const batches: string[] = [];
        for await (const batch of h.provider.pages()) batches.push(...batch.map((v) => v.id));
        assert.deepStrictEqual([...batches].sort(), [...started].sort());
      }
    },
  ],
  [
    'list is newest first',
    async (h) => {
      for (let i = 0; i < 3; i++) {
        await h.provider.start({ ...h.request, to: to(h, i) });
        h.advance(1_000);
      }
      const times: number[] = [];
      for await (const v of h.provider.list()) times.push(v.createdAt.getTime());
      assert.deepStrictEqual(times, [...times].sort((a, b) => b - a));
    },
  ],
  [
    'list filters by reference, status and id',
    async (h) => {
      const a = await h.provider.start({ ...h.request, to: to(h, 0), reference: 'filter-a' });
      const b = await h.provider.start({ ...h.request, to: to(h, 1), reference: 'filter-b' });
      await h.provider.check(a.id, h.readCode(a));
      assert.deepStrictEqual(await collect(h.provider.list({ reference: 'filter-a' })), h.provider.capabilities.reference ? [a.id] : []);
      assert.deepStrictEqual(await collect(h.provider.list({ ids: [b.id] })), [b.id]);
      assert.deepStrictEqual(await collect(h.provider.list({ status: 'verified' })), [a.id]);
    },
  ],
  [
    'cancel ends the verification where the vendor can',
    async (h) => {
      const v = await h.provider.start(h.request);
      const before = h.requestCount();
      // 'mixed' (a composite): the member that issued the verification decides.
      const outcome = await h.provider.cancel(v.id).then((canceled) => canceled, (error: unknown) => error as Error);
      if (h.provider.capabilities.cancel === 'none' || (h.provider.capabilities.cancel === 'mixed' && outcome instanceof Error)) {
        assert.equal((outcome as Error).name, 'UnsupportedError');
        assert.equal(h.requestCount(), before);
        return;
      }
      assert.equal((outcome as Verification).status, 'canceled');
      matches(await h.provider.check(v.id, h.readCode(v)), { verified: false, status: 'canceled', reason: 'canceled' }, 'check');
    },
  ],
  [
    'unsupported operations reject with UnsupportedError and send nothing',
    async (h) => {
      const v = await h.provider.start(h.request);
      const before = h.requestCount();
      const { resend, failover, customCode } = h.provider.capabilities;
      if (!resend) assert.equal((await rejection(h.provider.resend(v.id))).name, 'UnsupportedError');
      if (!failover) assert.equal((await rejection(h.provider.failover(v.id))).name, 'UnsupportedError');
      if (!customCode && !h.issuer) assert.equal((await rejection(h.provider.start({ ...h.request, code: '123456' }))).name, 'ValidationError');
      assert.equal(h.requestCount(), before);
    },
  ],
  [
    'a list of a reference nothing has is empty, not an error',
    async (h) => {
      assert.deepStrictEqual(await collect(h.provider.list({ reference: 'nothing-has-this' })), []);
    },
  ],
];

const commonInvalid: { why: string; run: (h: ConformanceHarness) => Promise<unknown>; field: string }[] = [
  { why: 'a phone number that is not E.164', run: (h) => h.provider.start({ ...h.request, to: '12345' }), field: 'to' },
  { why: 'an empty channel plan', run: (h) => h.provider.start({ ...h.request, channels: [] }), field: 'channels' },
  { why: 'an unknown channel', run: (h) => h.provider.start({ ...h.request, channels: [{ channel: 'pigeon' as never }] }), field: 'channels.0.channel' },
  { why: 'a negative ttl', run: (h) => h.provider.start({ ...h.request, ttlSeconds: -1 }), field: 'ttlSeconds' },
  { why: 'a malformed id on check', run: (h) => h.provider.check('not an id', '1234'), field: 'id' },
  { why: 'an empty code', run: (h) => h.provider.check(h.unknownId, ''), field: 'code' },
  { why: 'a malformed id on get', run: (h) => h.provider.get('../../etc'), field: 'id' },
  { why: 'a zero page limit', run: (h) => h.provider.listPage({ limit: 0 }), field: 'limit' },
  { why: 'a foreign cursor', run: (h) => h.provider.listPage({ cursor: 'abc.def' }), field: 'cursor' },
  { why: 'a negative timeout', run: (h) => h.provider.get(h.unknownId, { timeoutMs: -5 }), field: 'options.timeoutMs' },
  { why: 'an unknown list filter', run: (h) => h.provider.listPage({ state: 'x' } as never), field: 'state' },
];

/** Every conformance check of `target`, as named cases (each sets up and closes its own harness). */
export function conformanceCases(target: ConformanceTarget): ConformanceCase[] {
  const refusals: [string, Check][] = [
    ...commonInvalid.map(({ why, run, field }): [string, (h: ConformanceHarness) => Promise<unknown>, string] => [why, run, field]),
    ...(target.invalidStarts ?? []).map(({ why, request, field }): [string, (h: ConformanceHarness) => Promise<unknown>, string] => [why, (h) => h.provider.start({ ...h.request, ...request }), field]),
  ].map(([why, run, field]) => [
    `refuses ${why} before sending anything`,
    async (h: ConformanceHarness) => {
      const before = h.requestCount();
      const error = await rejection(run(h));
      assert.equal(error.name, 'ValidationError');
      assert.ok(error.issues?.some((issue) => issue.field === field), `the error names ${field} (it names ${error.issues?.map((i) => i.field).join(', ')})`);
      assert.equal(h.requestCount(), before);
    },
  ]);
  return [...checks, ...refusals].map(([name, check]) => ({
    name,
    async run() {
      const h = await target.setup();
      try {
        await check(h);
        await h.checkRequests?.();
      } finally {
        await h.close();
      }
    },
  }));
}

/**
 * Runs the kit with a runner's `describe` and `it` (vitest, jest, mocha, `node:test`).
 *
 * @example
 * ```ts
 * import { describe, it } from 'node:test';
 * runConformance(acmeTarget, { describe, it });
 * ```
 */
export function runConformance(target: ConformanceTarget, runner: { describe: (name: string, body: () => void) => unknown; it: (name: string, body: () => Promise<void>) => unknown }): void {
  runner.describe(`conformance: ${target.name}`, () => {
    for (const c of conformanceCases(target)) runner.it(c.name, c.run);
  });
}
