/**
 * Listing across providers: exactly once and newest first on the three simulators, cursor
 * resume equal to full iteration, server- and client-side filters alike, property tests of
 * the merge against a plain sort, failures and partial results, and cost summaries.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidResponseError,
  ProviderUnavailableError,
  ValidationError,
  listAcross,
  listAcrossPage,
  summarize,
  type ListQuery,
  type Verification,
  type VerifyProvider,
} from '../../providers/index.js';
import { matchesQuery } from '../../src/listing/filters.js';
import { compareNewestFirst } from '../../src/listing/merge.js';
import { arrayProvider, fakeVerification } from '../array-provider.js';
import { rejectionOf } from '../helpers.js';
import { startVendors } from '../vendors.js';

const ALL_FILTERS = ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'] as const;

async function collect(iterable: AsyncIterable<Verification>): Promise<Verification[]> {
  const out: Verification[] = [];
  for await (const v of iterable) out.push(v);
  return out;
}

async function walkPages(providers: readonly VerifyProvider[], query: ListQuery, limit: number): Promise<Verification[]> {
  const out: Verification[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listAcrossPage(providers, { ...query, limit, ...(cursor && { cursor }) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (++pages > 10_000) throw new Error('runaway paging');
  } while (cursor);
  return out;
}

const ids = (items: Verification[]) => items.map((v) => `${v.provider}:${v.id}`);
const sorted = (items: Verification[]) => [...items].sort(compareNewestFirst);

describe('across the three simulators', () => {
  let vendors: Awaited<ReturnType<typeof startVendors>>;
  let seeded: Set<string>;
  const base = Date.parse('2026-11-01T00:00:00Z');

  beforeAll(async () => {
    vendors = await startVendors({ lox24PageSize: 30 });
    // 1 500 per vendor, 4 500 in all; times advance every 4th item, so there are many ties.
    seeded = vendors.seed(1500, (i) => base + Math.floor(i / 4) * 1000);
  });
  afterAll(() => vendors.close());

  it('lists thousands of records over many pages, each exactly once, newest first', async () => {
    const all = await collect(listAcross(vendors.providers));
    expect(all).toHaveLength(4500);
    expect(new Set(all.map((v) => v.id))).toEqual(seeded);
    expect(ids(all)).toEqual(ids(sorted(all)));
    const pages = Object.values(vendors.sims).map((sim) => sim.requests.filter((r) => r.method === 'GET').length);
    expect(pages.every((n) => n > 10)).toBe(true);
  });

  it('resumes from cursors exactly as full iteration goes on, at page sizes 1 to 7 and 50', async () => {
    const window = { from: new Date(base + 100_000), to: new Date(base + 112_000) }; // 48 per vendor, ties in fours
    const full = ids(await collect(listAcross(vendors.providers, window)));
    expect(full).toHaveLength(144);
    for (const limit of [1, 2, 3, 4, 5, 6, 7, 50]) expect(ids(await walkPages(vendors.providers, window, limit))).toEqual(full);
  }, 120_000); // ~1 700 vendor requests: no deadline is the point here, and a loaded machine must not fail it

  it('gives the same result whether a filter is applied by the vendor or by polyverify', async () => {
    const everything = await collect(listAcross(vendors.providers));
    const queries: ListQuery[] = [
      { status: 'verified' },
      { status: 'failed' },
      { channel: 'viber' },
      { phone: '+61401629754' },
      { from: new Date(base + 200_500), to: new Date(base + 260_000) },
      { status: 'expired', from: new Date(base + 50_000) },
      { ids: everything.slice(10, 13).map((v) => v.id) },
      { reference: 'ref-3' },
    ];
    for (const query of queries) {
      const expected = everything.filter((v) => matchesQuery(v, query, ALL_FILTERS));
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(await collect(listAcross(vendors.providers, query)))).toEqual(ids(expected));
    }
  });

  it('a provider failing mid-list fails the call with its typed error, or is skipped and reported', async () => {
    vendors.sims.notificore.fault({ method: 'GET', path: '/api/2fa/authentications', status: 503, body: { message: 'down' }, times: Number.POSITIVE_INFINITY });
    try {
      const [, nc] = vendors.providers;
      const error = await rejectionOf(collect(listAcross(vendors.providers, {}, { retries: 0 })));
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error).toMatchObject({ provider: nc!.name, operation: 'list', status: 503 });

      const partial = listAcross(vendors.providers, {}, { retries: 0, onProviderError: 'skip' });
      const items = await collect(partial);
      expect(items).toHaveLength(3000);
      expect(items.some((v) => v.provider === 'notificore')).toBe(false);
      expect(partial.skipped.map((s) => [s.provider, (s.error as ProviderUnavailableError).status])).toEqual([['notificore', 503]]);

      const page = await listAcrossPage(vendors.providers, { limit: 5 }, { retries: 0, onProviderError: 'skip' });
      expect(page.skipped.map((s) => s.provider)).toEqual(['notificore']);
      const later = await listAcrossPage(vendors.providers, { limit: 5, cursor: page.nextCursor! }, { retries: 0, onProviderError: 'skip' });
      expect(later.skipped.map((s) => [s.provider, s.error.message])).toEqual([['notificore', 'failed earlier in this walk; left out of it']]);
    } finally {
      vendors.sims.notificore.clearFaults();
    }
  });

  it('sums costs exactly per currency, counting costs that are not final apart', async () => {
    const report = summarize(await collect(listAcross(vendors.providers)));
    expect(report.count).toBe(4500);
    expect(report.byProvider).toEqual({ lox24: 1500, notificore: 1500, messagebird: 1500 });
    // Bird reports no cost: its 1 500 are unpriced. LOX24's seeds cost one sms (9 cents) each.
    expect(report.costByProvider['messagebird']).toEqual({ totals: [], priced: 0, unpriced: 1500 });
    expect(report.costByProvider['lox24']).toEqual({ totals: [{ amount: '135.00', currency: 'EUR' }], priced: 1500, unpriced: 0 });
    // Notificore: verified ones cost 0.02 + their message (sms 0.0642918, viber 0.0321459); expired ones the message only.
    const indexes = [...Array(1500).keys()];
    const verified = indexes.filter((i) => i % 3 !== 0).length;
    const viber = indexes.filter((i) => i % 4 === 0).length;
    const expected = (verified * 200_000 + (1500 - viber) * 642_918 + viber * 321_459) / 1e7;
    expect(report.costByProvider['notificore']!.totals).toEqual([{ amount: expected.toFixed(7), currency: 'EUR' }]);
    expect(report.cost.unpriced).toBe(1500);
  });
});

describe('cursor checks', () => {
  const a = arrayProvider('a', [fakeVerification('a', 'a1', 1000), fakeVerification('a', 'a2', 2000)]);
  const b = arrayProvider('b', [fakeVerification('b', 'b1', 1500)]);

  it('refuses a tampered, foreign, or other-query cursor, and duplicate provider names', async () => {
    const page = await listAcrossPage([a, b], { limit: 1 });
    const tampered = page.nextCursor!.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
    for (const [query, message] of [
      [{ cursor: tampered }, 'is damaged or was altered'],
      [{ cursor: page.nextCursor!, status: 'failed' }, 'belongs to another query or another set of providers'],
    ] as const) {
      const error = await rejectionOf(listAcrossPage([a, b], { limit: 1, ...query }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues).toEqual([{ field: 'cursor', message }]);
    }
    const other = await rejectionOf(listAcrossPage([a], { limit: 1, cursor: page.nextCursor! }));
    expect(other.issues).toEqual([{ field: 'cursor', message: 'belongs to another query or another set of providers' }]);
    const twice = await rejectionOf(listAcrossPage([a, a], { limit: 1 }));
    expect(twice.issues).toEqual([{ field: 'providers', message: "has two providers named 'a'; give each a distinct name" }]);
  });

  it('a provider that lists out of order is an error naming it, never a wrong order', async () => {
    const bad = arrayProvider('bad', []);
    bad.list = () =>
      (async function* () {
        yield fakeVerification('bad', 'x', 1000);
        yield fakeVerification('bad', 'y', 5000);
      })();
    const error = await rejectionOf(collect(listAcross([a, bad])));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe('bad list: a newer verification came after an older one; listing across providers needs each provider newest first');
  });
});

describe('property: the merge equals a plain sort of everything', () => {
  const item = fc.record({
    provider: fc.constantFrom('p1', 'p2', 'p3'),
    time: fc.integer({ min: 0, max: 12 }),
    status: fc.constantFrom('pending', 'verified', 'failed', 'expired', 'canceled' as const),
    channel: fc.constantFrom('sms', 'viber', 'whatsapp' as const),
  });
  const query = fc.record(
    {
      status: fc.constantFrom('verified', 'failed' as const),
      channel: fc.constantFrom('sms', 'viber' as const),
      from: fc.integer({ min: 0, max: 12 }).map((t) => new Date(t * 1000)),
      to: fc.integer({ min: 0, max: 13 }).map((t) => new Date(t * 1000)),
    },
    { requiredKeys: [] },
  );

  it('holds over random data sets, page sizes, tie orders and filters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 60 }), query, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 1000 }), async (rows, q, limit, seed) => {
        const data = rows.map((row, i) => fakeVerification(row.provider, `id-${String(i).padStart(3, '0')}`, row.time * 1000, { status: row.status, channels: [{ channel: row.channel }] }));
        const providers = ['p1', 'p2', 'p3'].map((name, i) => arrayProvider(name, data.filter((v) => v.provider === name), { shuffleSeed: seed + i, pageSize: 1 + ((seed + i) % 4) }));
        const expected = ids(sorted(data.filter((v) => matchesQuery(v, q, ALL_FILTERS))));
        expect(ids(await collect(listAcross(providers, q)))).toEqual(expected);
        expect(ids(await walkPages(providers, q, limit))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
