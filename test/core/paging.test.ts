/**
 * The paging kit (src/adapter/paging.ts) on its own, over a made-up vendor whose pages are
 * arrays in memory: what `list()`, `pages()` and `listPage()` give, which pages they read,
 * the order checks, repeats, the barren-page budget, cursors and the pages fetched ahead.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_LIMIT, RECENT_IDS, paging, type PageRequest, type PagingSpec, type VendorPage } from '../../src/adapter/paging.js';
import { InvalidResponseError, ValidationError } from '../../src/errors.js';
import type { Verification } from '../../src/model.js';
import { rejectionOf } from '../helpers.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');

function item(id: string, secondsAgo: number, changes: Partial<Verification> = {}): Verification {
  const createdAt = new Date(T0 - secondsAgo * 1000);
  return {
    id,
    provider: 'paged',
    to: '+491701234567',
    status: 'pending',
    channels: [{ channel: 'sms' }],
    attempts: [],
    deliveredChannel: undefined,
    maxAttempts: undefined,
    failedAttempts: undefined,
    cost: null,
    reference: undefined,
    country: undefined,
    createdAt,
    updatedAt: undefined,
    expiresAt: undefined,
    finishedAt: undefined,
    raw: null,
    ...changes,
  };
}

/** A vendor of fixed pages; `at` is the page index. Records every read. */
function vendor(pages: Verification[][], extra: Partial<PagingSpec<number>> = {}) {
  const reads: (number | undefined)[] = [];
  const requests: PageRequest[] = [];
  const spec: PagingSpec<number> = {
    position: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000)),
    async read(at, request): Promise<VendorPage<number>> {
      reads.push(at);
      requests.push(request);
      const index = at ?? 0;
      const next = index + 1 < pages.length ? index + 1 : undefined;
      return { at: index, items: pages[index] ?? [], ...(next !== undefined && { next, ahead: [next + 1, next + 2].filter((p) => p < pages.length) }) };
    },
    ...extra,
  };
  return { spec, reads, requests };
}

const kit = (spec: PagingSpec<number>, options: { key?: Buffer; maxPages?: number } = {}) => paging(spec, { name: 'paged', title: 'Paged', kind: 'paged', ...options });

async function ids(items: AsyncIterable<Verification>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of items) out.push(item.id);
  return out;
}

/** Three pages, newest first, with a tie across the first page break. */
const THREE = (): Verification[][] => [
  [item('a', 1), item('b', 2), item('c', 3)],
  [item('d', 3), item('e', 5), item('f', 6)],
  [item('g', 7), item('h', 8)],
];

describe('list() and pages()', () => {
  it('gives every item once, newest first, reading each page once in order', async () => {
    const { spec, reads } = vendor(THREE());
    expect(await ids(kit(spec).list())).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(reads).toEqual([undefined, 1, 2]);
  });

  it('pages() gives one array per vendor page, without the items the filters leave out, and no empty arrays', async () => {
    const pages = THREE();
    pages[1] = pages[1]!.map((v) => ({ ...v, status: 'verified' as const }));
    const { spec } = vendor(pages);
    const batches: string[][] = [];
    for await (const batch of kit(spec).pages({ status: 'pending' })) batches.push(batch.map((v) => v.id));
    expect(batches).toEqual([['a', 'b', 'c'], ['g', 'h']]);
  });

  it('pages() gives no empty array when the walk stops at `from` at the start of a page', async () => {
    const batches: string[][] = [];
    for await (const batch of kit(vendor(THREE()).spec).pages({ from: new Date(T0 - 3_500) })) batches.push(batch.map((v) => v.id));
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
    const none: string[][] = [];
    for await (const batch of kit(vendor(THREE()).spec).pages({ from: new Date(T0 - 3_500), status: 'verified' })) none.push(batch.map((v) => v.id));
    expect(none).toEqual([]);
  });

  it('applies filters client side and stops at `from` without reading further pages', async () => {
    const { spec, reads } = vendor(THREE());
    expect(await ids(kit(spec).list({ from: new Date(T0 - 5_000) }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(reads).toEqual([undefined, 1]);
    // `to` is exclusive: d, created 3 s ago, is not before T0 − 3 s.
    expect(await ids(kit(vendor(THREE()).spec).list({ to: new Date(T0 - 3_000) }))).toEqual(['e', 'f', 'g', 'h']);
    expect(await ids(kit(vendor(THREE()).spec).list({ from: new Date(T0 - 3_000), to: new Date(T0 - 2_000) }))).toEqual(['c', 'd']);
  });

  it('hands every read of one walk the same request, with the validated query and options', async () => {
    const { spec, requests } = vendor(THREE());
    await ids(kit(spec).list({ status: 'pending' }, { timeoutMs: 500 }));
    expect(requests).toHaveLength(3);
    expect(new Set(requests).size).toBe(1);
    expect(requests[0]).toEqual({ query: { status: 'pending' }, limit: undefined, options: { timeoutMs: 500 } });
  });

  it('refuses bad queries and call options before reading anything', async () => {
    const { spec, reads } = vendor(THREE());
    const error = await rejectionOf(ids(kit(spec).list({ status: 'done' } as never)));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(['status']);
    expect(await rejectionOf(ids(kit(spec).list({}, { timeoutMs: -1 })))).toMatchObject({ name: 'ValidationError', provider: 'paged', operation: 'list' });
    expect(reads).toEqual([]);
  });
});

describe('order and repeats', () => {
  it('an item newer than the one before it in a page is an order error, naming the vendor', async () => {
    const { spec } = vendor([[item('a', 2), item('b', 1)]]);
    const error = await rejectionOf(ids(kit(spec).list()));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ provider: 'paged', operation: 'list', sent: 'no', message: 'paged list: Paged did not list in creation order, so the list cannot be given newest first' });
  });

  it('disorder within a page is an error even where newer items are inserts', async () => {
    const { spec } = vendor([[item('a', 5)], [item('b', 7), item('c', 6)]], { newerAreInserts: true });
    expect((await rejectionOf(ids(kit(spec).list()))).name).toBe('InvalidResponseError');
  });

  it('equal times in a page are in order', async () => {
    const { spec } = vendor([[item('a', 2), item('b', 2), item('c', 2)]]);
    expect(await ids(kit(spec).list())).toEqual(['a', 'b', 'c']);
  });

  it('an item walked already is skipped when a later page repeats it (offsets shifted)', async () => {
    const { spec } = vendor([[item('a', 1), item('b', 2)], [item('b', 2), item('c', 3)]]);
    expect(await ids(kit(spec).list())).toEqual(['a', 'b', 'c']);
  });

  it('an unseen item newer than the last walked is an order error, or skipped where the vendor says newer ones are inserts', async () => {
    const pages = [[item('a', 5), item('b', 6)], [item('new', 1), item('c', 7)]];
    expect((await rejectionOf(ids(kit(vendor(pages).spec).list()))).message).toBe('paged list: Paged did not list in creation order, so the list cannot be given newest first');
    expect(await ids(kit(vendor(pages, { newerAreInserts: true }).spec).list())).toEqual(['a', 'b', 'c']);
  });

  it(`remembers the last ${RECENT_IDS} ids: an older repeat is no longer recognised`, async () => {
    const many = Array.from({ length: RECENT_IDS + 1 }, (_, i) => item(`i${i}`, 10));
    // The oldest id comes back at the same time once RECENT_IDS others were walked: it is forgotten, so given
    // again — and remembering it again forgets the next oldest, i1.
    const { spec } = vendor([many, [item('i0', 10), item('i1', 10), item('i2', 10)]]);
    const listed = await ids(kit(spec).list());
    expect(listed).toHaveLength(RECENT_IDS + 1 + 3);
    expect(listed.slice(-3)).toEqual(['i0', 'i1', 'i2']);
    // One fewer: every repeat is still remembered.
    const fewer = Array.from({ length: RECENT_IDS }, (_, i) => item(`i${i}`, 10));
    expect(await ids(kit(vendor([fewer, [item('i0', 10)]]).spec).list())).toHaveLength(RECENT_IDS);
  });
});

describe('the barren-page budget', () => {
  const barren = (count: number) => [...Array.from({ length: count }, () => [] as Verification[]), [item('x', 1)]];

  it('gives up after maxPages pages without an item, with an error that says what to do', async () => {
    const error = await rejectionOf(ids(kit(vendor(barren(5)).spec, { maxPages: 4 }).list()));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ provider: 'paged', operation: 'list', sent: 'no', message: 'paged list: read 4 pages from Paged without an item to give; narrow the query, or raise the adapter option maxListPages' });
    expect(await ids(kit(vendor(barren(4)).spec, { maxPages: 5 }).list())).toEqual(['x']);
    expect(await ids(kit(vendor(barren(4)).spec, { maxPages: 4 }).list()).catch(() => 'refused')).toBe('refused');
    expect(await ids(kit(vendor(barren(3)).spec, { maxPages: 4 }).list())).toEqual(['x']);
  });

  it('counts again from every page that gave an item', async () => {
    const pages = [[], [], [item('a', 1)], [], [], [item('b', 2)]];
    expect(await ids(kit(vendor(pages).spec, { maxPages: 3 }).list())).toEqual(['a', 'b']);
  });

  it('pages whose items the filters leave out are barren too', async () => {
    const pages = [[item('a', 1)], [item('b', 2)], [item('c', 3)], [item('d', 4, { reference: 'r' })]];
    // The budget counts every page read since the last item given, the one that gives it included.
    expect((await rejectionOf(ids(kit(vendor(pages).spec, { maxPages: 3 }).list({ reference: 'r' })))).name).toBe('InvalidResponseError');
    expect(await ids(kit(vendor(pages).spec, { maxPages: 4 }).list({ reference: 'r' }))).toEqual(['d']);
  });
});

describe('listPage() cursors', () => {
  async function walkAll(list: ReturnType<typeof kit>, limit: number, query = {}) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await list.listPage({ ...query, limit, ...(cursor && { cursor }) });
      pages.push(page.items.map((v) => v.id));
      cursor = page.nextCursor;
    } while (cursor);
    return pages;
  }

  it('resumes exactly where a page ended, at every limit, ties across vendor pages included', async () => {
    for (const limit of [1, 2, 3, 4, 7, 8]) {
      const pages = await walkAll(kit(vendor(THREE()).spec), limit);
      expect(pages.flat()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
      expect(pages.every((page) => page.length === limit || page === pages.at(-1))).toBe(true);
    }
  });

  it('has no cursor after the last item, also when the limit is met exactly by it', async () => {
    const list = kit(vendor(THREE()).spec);
    expect((await list.listPage({ limit: 8 })).nextCursor).toBeUndefined();
    expect((await list.listPage({ limit: 9 })).nextCursor).toBeUndefined();
    expect((await list.listPage({ limit: 7 })).nextCursor).toEqual(expect.any(String));
  });

  it('has no cursor when the walk ends at `from` before the limit', async () => {
    const page = await kit(vendor(THREE()).spec).listPage({ limit: 5, from: new Date(T0 - 3_500) });
    expect(page.items.map((v) => v.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(page.nextCursor).toBeUndefined();
  });

  it(`gives ${DEFAULT_PAGE_LIMIT} items without a limit`, async () => {
    const many = [Array.from({ length: 30 }, (_, i) => item(`i${i}`, i))];
    const page = await kit(vendor(many).spec).listPage();
    expect(page.items).toHaveLength(DEFAULT_PAGE_LIMIT);
    expect(DEFAULT_PAGE_LIMIT).toBe(25);
  });

  it('a cursor at the end of a vendor page resumes on the next page, reading from it', async () => {
    const { spec, reads } = vendor(THREE());
    const list = kit(spec);
    const first = await list.listPage({ limit: 3 });
    reads.length = 0;
    const second = await list.listPage({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((v) => v.id)).toEqual(['d', 'e']);
    expect(reads).toEqual([1]);
  });

  it('a cursor in the middle of a vendor page rereads that page and skips what was given', async () => {
    const { spec, reads } = vendor(THREE());
    const list = kit(spec);
    const first = await list.listPage({ limit: 2 });
    reads.length = 0;
    expect((await list.listPage({ limit: 2, cursor: first.nextCursor! })).items.map((v) => v.id)).toEqual(['c', 'd']);
    expect(reads).toEqual([0, 1]);
  });

  it('items that appeared before the cursor since (newer) are not given', async () => {
    const pages = THREE();
    const list = kit(vendor(pages).spec);
    const first = await list.listPage({ limit: 2 });
    pages[0]!.unshift(item('newer', 0));
    const later = kit(vendor(pages).spec);
    expect((await walkAll(later, 3, {})).flat()).toContain('newer');
    const rest: string[] = [];
    let cursor: string | undefined = first.nextCursor;
    while (cursor) {
      const page = await later.listPage({ limit: 3, cursor });
      rest.push(...page.items.map((v) => v.id));
      cursor = page.nextCursor;
    }
    expect(rest).toEqual(['c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('items inserted ahead of the cursor\'s page position since are skipped, not an order error', async () => {
    const pages = THREE();
    const first = await kit(vendor(pages).spec).listPage({ limit: 2 });
    pages[0]!.unshift(item('n1', 0), item('n2', 0.5), item('n3', 0.7));
    const later = kit(vendor(pages).spec);
    const rest: string[] = [];
    let cursor: string | undefined = first.nextCursor;
    while (cursor) {
      const page = await later.listPage({ limit: 3, cursor });
      rest.push(...page.items.map((v) => v.id));
      cursor = page.nextCursor;
    }
    expect(rest).toEqual(['c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('a cursor at a page break carries the ids it passed: a vendor that repeats one on the next page (offsets shifted) does not give it twice', async () => {
    const list = kit(vendor([[item('a', 1), item('b', 2)], [item('b', 2), item('c', 3)]]).spec);
    const first = await list.listPage({ limit: 2 });
    expect(first.items.map((v) => v.id)).toEqual(['a', 'b']);
    expect((await list.listPage({ limit: 5, cursor: first.nextCursor! })).items.map((v) => v.id)).toEqual(['c']);
  });

  it('keeps the filters: a cursor of a filtered list goes on filtering', async () => {
    const pages = THREE().map((page) => page.map((v, i) => ({ ...v, reference: i % 2 ? 'odd' : 'even' })));
    expect((await walkAll(kit(vendor(pages).spec), 2, { reference: 'even' })).flat()).toEqual(['a', 'c', 'd', 'f', 'g']);
  });

  it('refuses a cursor of another list, an altered one, and one signed with another key', async () => {
    const key = Buffer.alloc(32, 7);
    const list = kit(vendor(THREE()).spec, { key });
    const { nextCursor } = await list.listPage({ limit: 2 });
    const other = paging(vendor(THREE()).spec, { name: 'paged', title: 'Paged', kind: 'other', key });
    expect((await rejectionOf(other.listPage({ cursor: nextCursor! }))).message).toBe('Invalid list query: cursor: belongs to another provider and cannot resume this list');
    const [body, sum] = nextCursor!.split('.');
    const altered = `${body}.${sum!.slice(0, -1)}${sum!.endsWith('A') ? 'B' : 'A'}`;
    expect((await rejectionOf(list.listPage({ cursor: altered }))).message).toBe('Invalid list query: cursor: is damaged or was altered');
    const rekeyed = kit(vendor(THREE()).spec, { key: Buffer.alloc(32, 8) });
    expect((await rejectionOf(rekeyed.listPage({ cursor: nextCursor! }))).message).toBe('Invalid list query: cursor: is damaged or was altered');
  });

  it('carries at most 200 ids of the anchor time, and resumes right after them', async () => {
    const tied = [Array.from({ length: 260 }, (_, i) => item(`t${String(i).padStart(3, '0')}`, 5)), [item('older', 6)]];
    const list = kit(vendor(tied).spec);
    const first = await list.listPage({ limit: 250 });
    const state = JSON.parse(Buffer.from(first.nextCursor!.split('.')[0]!, 'base64url').toString('utf8')).s;
    expect(state.k).toHaveLength(200);
    expect(state.i).toBe(250);
    const rest = await list.listPage({ limit: 50, cursor: first.nextCursor! });
    expect(rest.items.map((v) => v.id)).toEqual([...Array.from({ length: 10 }, (_, i) => `t${250 + i}`), 'older']);
  });
});

describe('pages fetched ahead', () => {
  it('list() reads up to `prefetch` pages ahead, each once; listPage() reads none ahead', async () => {
    const pages = Array.from({ length: 6 }, (_, p) => [item(`p${p}`, p)]);
    const seen = vendor(pages, { prefetch: 2 });
    expect(await ids(kit(seen.spec).list())).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect([...seen.reads].sort()).toEqual([0, 1, 2, 3, 4, 5].map((p) => (p === 0 ? undefined : p)).sort());
    const none = vendor(pages, { prefetch: 2 });
    await kit(none.spec).listPage({ limit: 2 });
    expect(none.reads).toEqual([undefined, 1]);
  });

  it('goes on fetching ahead to the end of the walk, and reads nothing past the last page', async () => {
    const pages = Array.from({ length: 8 }, (_, p) => [item(`p${p}`, p)]);
    const { spec, reads } = vendor(pages, { prefetch: 2 });
    const ahead: boolean[] = [];
    for await (const v of kit(spec).list()) {
      const page = Number(v.id.slice(1));
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (page + 1 < pages.length) ahead.push(reads.includes(page + 1));
    }
    expect(ahead).toEqual(Array(7).fill(true));
    expect(reads).toHaveLength(8);
    expect(reads.filter((r) => r === undefined)).toHaveLength(1);
  });

  it('keeps at most `prefetch` reads in flight ahead of the page being walked', async () => {
    const pages = Array.from({ length: 8 }, (_, p) => [item(`p${p}`, p)]);
    let inFlight = 0;
    let most = 0;
    const { spec } = vendor(pages);
    const slow: PagingSpec<number> = {
      ...spec,
      prefetch: 2,
      async read(at, request) {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return spec.read(at, request);
      },
    };
    expect(await ids(kit(slow).list())).toHaveLength(8);
    expect(most).toBe(2); // the kit waits for the page it walks, then keeps two ahead
  });

  it('a page fetched ahead that fails fails the walk when its turn comes, not before', async () => {
    const pages = THREE();
    const { spec } = vendor(pages);
    const failing: PagingSpec<number> = {
      ...spec,
      prefetch: 2,
      read: (at, request) => (at === 2 ? Promise.reject(new InvalidResponseError('page 2 broke', { provider: 'paged', operation: 'list' })) : spec.read(at, request)),
    };
    const got: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const v of kit(failing).list()) got.push(v.id);
      })(),
    );
    expect(got).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(error.message).toBe('page 2 broke');
  });
});
