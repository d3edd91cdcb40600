/**
 * The conformance suite: one behaviour for every adapter, run against the adapter's
 * simulator. An adapter file calls `runConformance(target)`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsupportedError, ValidationError, type StartRequest, type Verification, type VerifyProvider } from '../providers/index.js';
import { rejectionOf } from './helpers.js';

/** One adapter + simulator pair, fresh for each test. */
export interface Harness {
  readonly provider: VerifyProvider;
  /** A recipient the simulator delivers to. */
  readonly to: string;
  /** A valid start request to `to` (the vendor's required parts). */
  readonly request: StartRequest;
  /** The code delivered for a verification, read from the simulator's inbox. */
  readCode(verification: Verification): string;
  /** Moves both the vendor's and polyverify's clocks forward. */
  advance(ms: number): void;
  /** Requests the simulator has received so far. */
  requestCount(): number;
  /** An id of the vendor's format that does not exist. */
  readonly unknownId: string;
  /** A wrong code of the right shape. */
  wrongCode(code: string): string;
  /** Checks every request the simulator received against the vendor's spec, where there is one. */
  checkRequests?(): Promise<void>;
  close(): Promise<void>;
}

export interface ConformanceTarget {
  readonly name: string;
  setup(): Promise<Harness>;
  /** Start requests this vendor must refuse before sending (beyond the common ones). */
  readonly invalidStarts: readonly { readonly why: string; readonly request: Partial<StartRequest>; readonly field: string }[];
}

export function runConformance(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await target.setup();
    });
    afterEach(async () => {
      try {
        await h.checkRequests?.();
      } finally {
        await h.close();
      }
    });

    it('start, read the code from the inbox, check it: verified', async () => {
      const v = await h.provider.start(h.request);
      expect(v).toMatchObject({ provider: h.provider.name, to: h.to, status: 'pending' });
      expect(v.createdAt).toBeInstanceOf(Date);
      const result = await h.provider.check(v.id, h.readCode(v));
      expect(result).toMatchObject({ verified: true, status: 'verified' });
      expect((await h.provider.get(v.id)).status).toBe('verified');
    });

    it('a verified code does not pass a second time', async () => {
      const v = await h.provider.start(h.request);
      const code = h.readCode(v);
      expect((await h.provider.check(v.id, code)).verified).toBe(true);
      expect((await h.provider.check(v.id, code)).verified).toBe(false);
    });

    it('wrong codes: incorrect_code with attempts decreasing, then max_attempts; the right code no longer passes', async () => {
      const v = await h.provider.start({ ...h.request, maxAttempts: 3 });
      const code = h.readCode(v);
      const wrong = h.wrongCode(code);
      const remaining: (number | undefined)[] = [];
      for (let i = 0; i < 3; i++) {
        const result = await h.provider.check(v.id, wrong);
        expect(result).toMatchObject({ verified: false, reason: 'incorrect_code' });
        remaining.push(result.attemptsRemaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      expect(await h.provider.check(v.id, code)).toMatchObject({ verified: false, status: 'failed', reason: 'max_attempts' });
      expect((await h.provider.get(v.id)).status).toBe('failed');
    });

    it('a code past its lifetime is expired', async () => {
      const ttlSeconds = h.provider.capabilities.ttlSeconds.min;
      const v = await h.provider.start({ ...h.request, ttlSeconds });
      const code = h.readCode(v);
      h.advance((ttlSeconds + 1) * 1000);
      expect(await h.provider.check(v.id, code)).toMatchObject({ verified: false, status: 'expired', reason: 'expired' });
      expect((await h.provider.get(v.id)).status).toBe('expired');
    });

    it('an unknown id checks as not_found', async () => {
      expect(await h.provider.check(h.unknownId, '123456')).toMatchObject({ verified: false, reason: 'not_found' });
    });

    it('get returns the verification', async () => {
      const v = await h.provider.start({ ...h.request, reference: 'conformance-get' });
      const got = await h.provider.get(v.id);
      const reference = h.provider.capabilities.reference ? 'conformance-get' : undefined;
      expect(got).toMatchObject({ id: v.id, provider: h.provider.name, to: h.to, reference, status: 'pending' });
      expect(got.createdAt.getTime()).toBe(v.createdAt.getTime());
    });

    it('list contains every verification exactly once, across pages', async () => {
      const started: string[] = [];
      for (let i = 0; i < 5; i++) started.push((await h.provider.start({ ...h.request, reference: `page-${i}` })).id);
      const listed: string[] = [];
      for await (const v of h.provider.list()) listed.push(v.id);
      expect([...listed].sort()).toEqual([...started].sort());

      const paged: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await h.provider.listPage({ limit: 2, ...(cursor && { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items.map((v) => v.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect([...paged].sort()).toEqual([...started].sort());
    });

    it('list filters by reference, status and id', async () => {
      const a = await h.provider.start({ ...h.request, reference: 'filter-a' });
      const b = await h.provider.start({ ...h.request, reference: 'filter-b' });
      await h.provider.check(a.id, h.readCode(a));
      const byReference: string[] = [];
      for await (const v of h.provider.list({ reference: 'filter-a' })) byReference.push(v.id);
      expect(byReference).toEqual(h.provider.capabilities.reference ? [a.id] : []);
      const byId: string[] = [];
      for await (const v of h.provider.list({ ids: [b.id] })) byId.push(v.id);
      expect(byId).toEqual([b.id]);
      const verified: string[] = [];
      for await (const v of h.provider.list({ status: 'verified' })) verified.push(v.id);
      expect(verified).toEqual([a.id]);
    });

    it('cancel ends the verification where the vendor can', async () => {
      const v = await h.provider.start(h.request);
      if (h.provider.capabilities.cancel === 'none') {
        const before = h.requestCount();
        expect(await rejectionOf(h.provider.cancel(v.id))).toBeInstanceOf(UnsupportedError);
        expect(h.requestCount()).toBe(before);
        return;
      }
      expect((await h.provider.cancel(v.id)).status).toBe('canceled');
      expect(await h.provider.check(v.id, h.readCode(v))).toMatchObject({ verified: false, status: 'canceled', reason: 'canceled' });
    });

    it('unsupported operations reject with UnsupportedError and send nothing', async () => {
      const v = await h.provider.start(h.request);
      const before = h.requestCount();
      const { resend, failover } = h.provider.capabilities;
      if (!resend) expect(await rejectionOf(h.provider.resend(v.id))).toBeInstanceOf(UnsupportedError);
      if (!failover) expect(await rejectionOf(h.provider.failover(v.id))).toBeInstanceOf(UnsupportedError);
      if (!h.provider.capabilities.customCode) {
        expect(await rejectionOf(h.provider.start({ ...h.request, code: '123456' }))).toBeInstanceOf(ValidationError);
      }
      expect(h.requestCount()).toBe(before);
    });

    const commonInvalid: { why: string; run: (h: Harness) => Promise<unknown>; field: string }[] = [
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
    for (const { why, run, field } of commonInvalid) {
      it(`refuses ${why} before sending anything`, async () => {
        const before = h.requestCount();
        const error = await rejectionOf(run(h));
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.issues.map((i: { field: string }) => i.field)).toContain(field);
        expect(h.requestCount()).toBe(before);
      });
    }
    for (const { why, request, field } of target.invalidStarts) {
      it(`refuses ${why} before sending anything`, async () => {
        const before = h.requestCount();
        const error = await rejectionOf(h.provider.start({ ...h.request, ...request }));
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.issues.map((i: { field: string }) => i.field)).toContain(field);
        expect(h.requestCount()).toBe(before);
      });
    }

    it('a list of an unknown id range is empty, not an error', async () => {
      const items: Verification[] = [];
      for await (const v of h.provider.list({ reference: 'nothing-has-this' })) items.push(v);
      expect(items).toEqual([]);
    });
  });
}
