/**
 * LOX24's paging (providers/lox24/paging.ts) on its own: which pages it asks for in each order
 * LOX24 may list in, how it reads bare arrays and hydra collections, the last-page search, the
 * sorted window and its cap. A fake HTTP client serves pages of made-up verify codes and records
 * every page asked; the adapter's own mapping is replaced by a plain one.
 */
import { describe, expect, it } from 'vitest';
import { paging } from '../../../src/adapter/paging.js';
import type { HttpCall, HttpClient } from '../../../src/http/index.js';
import type { Verification } from '../../../src/model.js';
import { MAX_PAGE, findLastPage, lox24Paging, type Lox24ListOrder, type ReadPage } from '../../../providers/lox24/paging.js';
import { rejectionOf } from '../../helpers.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');

/** A raw verify code as the fake serves it: an id and its age in seconds. */
interface Raw {
  readonly id: string;
  readonly age: number;
}
const raw = (id: string, age: number): Raw => ({ id, age });

const model = (r: Raw): Verification =>
  ({ id: r.id, provider: 'lox24', to: '+491701234567', status: 'pending', channels: [], attempts: [], cost: null, createdAt: new Date(T0 - r.age * 1000), raw: r }) as unknown as Verification;

/** Serves `all` (newest first) in pages of `size`, in the given order, as arrays or hydra collections. */
function server(all: readonly Raw[], { size = 5, order = 'desc', format = 'array', ignorePage = false }: { size?: number; order?: 'desc' | 'asc' | 'id'; format?: 'array' | 'hydra' | 'hydra-no-last'; ignorePage?: boolean } = {}) {
  const asked: number[] = [];
  const calls: HttpCall[] = [];
  const ordered = order === 'desc' ? [...all] : order === 'asc' ? [...all].reverse() : [...all].sort((a, b) => (a.id < b.id ? -1 : 1));
  const pages = Math.max(1, Math.ceil(ordered.length / size));
  const http = {
    async request(call: HttpCall) {
      calls.push(call);
      const page = Number(call.searchParams!.get('page'));
      asked.push(page);
      const at = ignorePage ? 1 : page;
      const items = ordered.slice((at - 1) * size, at * size);
      const body =
        format === 'array'
          ? items
          : {
              'hydra:member': items,
              'hydra:view': {
                ...(format === 'hydra' && { 'hydra:last': `/verify_codes?page=${pages}` }),
                ...(at < pages && { 'hydra:next': `/verify_codes?page=${at + 1}` }),
              },
            };
      return { status: 200, body, headers: new Headers(), requestId: undefined, sent: 'no' as const };
    },
  } as unknown as HttpClient;
  return { http, asked, calls };
}

function listing(http: HttpClient, order: Lox24ListOrder = 'detect', sortCap = 1_000) {
  return paging(lox24Paging({ name: 'lox24', http, order, sortCap, toModels: async (raws: readonly unknown[]) => (raws as Raw[]).map(model) }), { name: 'lox24', title: 'LOX24', kind: 'lox24' });
}

async function ids(items: AsyncIterable<Verification>): Promise<string[]> {
  const out: string[] = [];
  for await (const v of items) out.push(v.id);
  return out;
}

/** `count` codes, newest first, 10 s apart: c0 is the newest. */
const codes = (count: number) => Array.from({ length: count }, (_, i) => raw(`c${String(i).padStart(3, '0')}`, i * 10));
const newestFirst = (count: number) => codes(count).map((c) => c.id);

describe('findLastPage', () => {
  const reader = (pages: number, size = 5, options: { hydraLast?: number; repeat?: boolean } = {}) => {
    const asked: number[] = [];
    const read = async (page: number): Promise<ReadPage> => {
      asked.push(page);
      const at = options.repeat ? 1 : page;
      const count = at < pages ? size : at === pages ? 2 : 0;
      return { items: Array.from({ length: count }, (_, i) => ({ id: `p${at}i${i}` })), ...(options.hydraLast !== undefined && { hydraLast: options.hydraLast }) };
    };
    return { read, asked };
  };

  it('is undefined when the first page is empty, after one request', async () => {
    const { read, asked } = reader(0);
    expect(await findLastPage(read, undefined)).toBeUndefined();
    expect(asked).toEqual([1]);
  });

  it('doubles to a page past the end, then bisects: O(log pages) requests, the last page with its items', async () => {
    const { read, asked } = reader(11);
    expect(await findLastPage(read, undefined)).toEqual({ page: 11, items: [{ id: 'p11i0' }, { id: 'p11i1' }] });
    expect(asked).toEqual([1, 2, 4, 8, 16, 12, 10, 11]);
  });

  it('a short page on the way is the last at once', async () => {
    const { read, asked } = reader(4);
    expect(await findLastPage(read, undefined)).toEqual({ page: 4, items: [{ id: 'p4i0' }, { id: 'p4i1' }] });
    expect(asked).toEqual([1, 2, 4]);
  });

  it('a last page that is exactly full is found by bisecting to the first empty one', async () => {
    const asked: number[] = [];
    const read = async (page: number): Promise<ReadPage> => {
      asked.push(page);
      return { items: page <= 6 ? Array.from({ length: 5 }, (_, i) => ({ id: `p${page}i${i}` })) : [] };
    };
    expect((await findLastPage(read, undefined))!.page).toBe(6);
    expect(asked).toEqual([1, 2, 4, 8, 6, 7]);
  });

  it('trusts hydra:last when that page has items (two requests), and searches when it is empty', async () => {
    const trusted = reader(9, 5, { hydraLast: 9 });
    expect((await findLastPage(trusted.read, undefined))!.page).toBe(9);
    expect(trusted.asked).toEqual([1, 9]);
    const stale = reader(3, 5, { hydraLast: 9 });
    expect((await findLastPage(stale.read, undefined))!.page).toBe(3);
    expect(stale.asked).toEqual([1, 9, 2, 4, 3]);
    const one = reader(1, 5, { hydraLast: 1 });
    expect(await findLastPage(one.read, undefined)).toEqual({ page: 1, items: [{ id: 'p1i0' }, { id: 'p1i1' }] });
    expect(one.asked).toEqual([1]);
  });

  it('a server that ignores `page` (repeats page 1) has one page', async () => {
    const { read, asked } = reader(5, 5, { repeat: true });
    expect((await findLastPage(read, undefined))!.page).toBe(1);
    expect(asked).toEqual([1, 2]);
  });

  it(`pages that never end are refused after the probe of page ${MAX_PAGE}`, async () => {
    const asked: number[] = [];
    const read = async (page: number): Promise<ReadPage> => (asked.push(page), { items: [{ id: `p${page}` }, { id: `q${page}` }] });
    const error = await rejectionOf(findLastPage(read, undefined, 'mine'));
    expect(error).toMatchObject({ name: 'InvalidResponseError', provider: 'mine', operation: 'list', sent: 'no', message: `mine list: LOX24's pages do not end (page ${MAX_PAGE} still had verify codes)` });
    expect(asked).toHaveLength(21);
    expect(asked.at(-1)).toBe(MAX_PAGE);
  });
});

describe('the pages asked, by how LOX24 lists', () => {
  it('newest first, detected: pages 1 and 2 to detect, then forward, each page once', async () => {
    const s = server(codes(23));
    expect(await ids(listing(s.http).list())).toEqual(newestFirst(23));
    expect(s.asked).toEqual([1, 2, 3, 4, 5]);
  });

  it('newest first, pinned: no second page read to detect; fetched ahead, at most one page past the short one', async () => {
    const s = server(codes(8));
    expect(await ids(listing(s.http, 'desc').list())).toEqual(newestFirst(8));
    expect(s.asked).toEqual([1, 2, 3]);
    const full = server(codes(10));
    expect(await ids(listing(full.http, 'desc').list())).toEqual(newestFirst(10));
    expect(full.asked).toEqual([1, 2, 3, 4]); // page 3 is empty; 4 was asked while 3 was on its way
  });

  it('oldest first, detected and pinned: the last page found, then the walk back, each page once', async () => {
    const detected = server(codes(23), { order: 'asc' });
    expect(await ids(listing(detected.http).list())).toEqual(newestFirst(23));
    expect([...detected.asked].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 8]);
    const pinned = server(codes(23), { order: 'asc' });
    expect(await ids(listing(pinned.http, 'asc').list())).toEqual(newestFirst(23));
    expect(pinned.asked.slice(0, 4)).toEqual([1, 2, 4, 8]);
    expect(new Set(pinned.asked).size).toBe(pinned.asked.length);
  });

  it('no time order (by id): the window read whole once and sorted', async () => {
    const s = server(codes(12), { order: 'id' });
    const shuffled = codes(12).map((c, i) => raw(`z${(i * 7) % 12}`, c.age));
    const t = server(shuffled, { order: 'id' });
    expect(await ids(listing(t.http).list())).toEqual(shuffled.map((c) => c.id));
    expect(t.asked).toEqual([1, 2, 3]);
    expect(await ids(listing(s.http, 'unordered').list())).toEqual(newestFirst(12));
    expect(s.asked).toEqual([1, 2, 3]);
  });

  it('one page, a first page too short to trust, or nothing: sorted from what was read', async () => {
    const one = server(codes(4), { order: 'asc' });
    expect(await ids(listing(one.http).list())).toEqual(newestFirst(4));
    expect(one.asked).toEqual([1, 2]);
    const short = server(codes(7), { order: 'asc', size: 4 });
    expect(await ids(listing(short.http).list())).toEqual(newestFirst(7));
    expect(short.asked).toEqual([1, 2]);
    const none = server([]);
    expect(await ids(listing(none.http).list())).toEqual([]);
    expect(none.asked).toEqual([1]);
  });

  it('pages 1 and 2 that disagree (the second has a code newer than the first page) are read whole and sorted', async () => {
    const mixed = [raw('a', 10), raw('b', 20), raw('c', 30), raw('d', 40), raw('e', 50), raw('f', 5), raw('g', 60)];
    const s = server(mixed, { size: 5, order: 'desc' });
    expect(await ids(listing(s.http).list())).toEqual(['f', 'a', 'b', 'c', 'd', 'e', 'g']);
    expect(s.asked).toEqual([1, 2]);
  });

  it('a server that ignores `page`: one page, read once more to find that out', async () => {
    const s = server(codes(5), { ignorePage: true });
    expect(await ids(listing(s.http).list())).toEqual(newestFirst(5));
    expect(s.asked).toEqual([1, 2]);
  });
});

describe('hydra collections', () => {
  it('hydra:last (any number of digits) ends the sorted read; no second page when it says 1', async () => {
    const s = server(codes(60).map((c, i) => raw(`z${String((i * 37) % 60).padStart(2, '0')}`, c.age)), { order: 'id', format: 'hydra', size: 5 });
    expect(await ids(listing(s.http).list())).toHaveLength(60);
    expect(s.asked).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const one = server(codes(5), { format: 'hydra' });
    expect(await ids(listing(one.http).list())).toEqual(newestFirst(5));
    expect(one.asked).toEqual([1]);
  });

  it('without hydra:last, hydra:next says whether pages go on', async () => {
    const s = server(codes(10), { format: 'hydra-no-last' });
    expect(await ids(listing(s.http).list())).toEqual(newestFirst(10));
    expect(s.asked).toEqual([1, 2]);
    const asc = server(codes(12), { order: 'asc', format: 'hydra' });
    expect(await ids(listing(asc.http).list())).toEqual(newestFirst(12));
    expect(asc.asked).toEqual([1, 2, 3]);
  });

  it('a page that is neither an array nor a hydra collection is an InvalidResponseError', async () => {
    const http = { request: async () => ({ status: 200, body: { items: [] }, headers: new Headers(), requestId: undefined, sent: 'no' }) } as unknown as HttpClient;
    const error = await rejectionOf(ids(listing(http).list()));
    expect(error).toMatchObject({ name: 'InvalidResponseError', provider: 'lox24', operation: 'list', sent: 'no', message: 'lox24 list: the page is neither a JSON array nor a hydra collection' });
  });
});

describe('the request of a page', () => {
  it('asks for newest first and the window in whole seconds, as LOX24 documents it for its other collections', async () => {
    const s = server(codes(3));
    await ids(listing(s.http).list({ from: new Date(T0 - 20_500), to: new Date(T0 - 999) }));
    expect(s.calls[0]).toMatchObject({ operation: 'list', method: 'GET', path: 'verify_codes', sends: false });
    expect(Object.fromEntries(s.calls[0]!.searchParams!)).toEqual({ page: '1', '_order[created_at]': 'desc', 'created_at[gte]': String(Math.ceil((T0 - 20_500) / 1000)), 'created_at[lte]': String(Math.ceil((T0 - 999) / 1000) - 1) });
  });
});

describe('the sorted window', () => {
  const shuffled = (count: number) => codes(count).map((c, i) => raw(`z${String((i * 7) % count).padStart(3, '0')}`, c.age));

  it('keeps [from, to) of what it reads', async () => {
    const s = server(shuffled(12), { order: 'id' });
    const window = await ids(listing(s.http).list({ from: new Date(T0 - 50_000), to: new Date(T0 - 20_000) }));
    expect(window).toEqual(shuffled(12).filter((c) => c.age > 20 && c.age <= 50).map((c) => c.id));
  });

  it('takes exactly sortCap codes, and refuses one more with an error that says what to do', async () => {
    expect(await ids(listing(server(shuffled(12), { order: 'id' }).http, 'detect', 12).list())).toHaveLength(12);
    const error = await rejectionOf(ids(listing(server(shuffled(12), { order: 'id' }).http, 'detect', 11).list()));
    expect(error).toMatchObject({
      name: 'UnsupportedError',
      provider: 'lox24',
      operation: 'list',
      sent: 'no',
      message:
        'lox24 list: LOX24 lists verify codes in no time order here, and more than 11 fall in this window; narrow it with from/to, raise the adapter option listSortCap, or pin listOrder if you know how your account orders',
    });
  });
});

describe('what the detection decides, as a cursor resumes it', () => {
  /** The walk mode a cursor of the first page carries: d (newest first), a (oldest first) or s (the window sorted). */
  async function modeOf(http: HttpClient, order: Lox24ListOrder = 'detect'): Promise<string | undefined> {
    const { nextCursor } = await listing(http, order).listPage({ limit: 2 });
    return nextCursor === undefined ? undefined : JSON.parse(Buffer.from(nextCursor.split('.')[0]!, 'base64url').toString('utf8')).s.p.m;
  }

  it('newest first over trusted pages walks forward; oldest first walks back; anything else is sorted', async () => {
    expect(await modeOf(server(codes(23)).http)).toBe('d');
    expect(await modeOf(server(codes(23), { order: 'asc' }).http)).toBe('a');
    const shuffled = codes(23).map((c, i) => raw(`z${String((i * 7) % 23).padStart(3, '0')}`, c.age));
    expect(await modeOf(server(shuffled, { order: 'id' }).http)).toBe('s');
    expect(await modeOf(server(codes(23)).http, 'unordered')).toBe('s');
    expect(await modeOf(server(codes(23), { order: 'asc' }).http, 'asc')).toBe('a');
    expect(await modeOf(server(codes(23)).http, 'desc')).toBe('d');
  });

  it('a first page shorter than 5 is not trusted, whichever way it runs', async () => {
    expect(await modeOf(server(codes(12), { size: 4 }).http)).toBe('s');
    expect(await modeOf(server(codes(12), { size: 4, order: 'asc' }).http)).toBe('s');
    expect(await modeOf(server(codes(15), { size: 5 }).http)).toBe('d');
  });

  it('a second page that breaks the first page\'s direction means sorted', async () => {
    const newerOnTwo = [raw('a', 10), raw('b', 20), raw('c', 30), raw('d', 40), raw('e', 50), raw('f', 5), raw('g', 60), raw('h', 70)];
    expect(await modeOf(server(newerOnTwo).http)).toBe('s');
    const olderOnTwo = [raw('a', 50), raw('b', 40), raw('c', 30), raw('d', 20), raw('e', 10), raw('f', 60), raw('g', 5), raw('h', 1)];
    expect(await modeOf(server(olderOnTwo).http)).toBe('s');
    const ties = [raw('a', 10), raw('b', 10), raw('c', 10), raw('d', 10), raw('e', 10), raw('f', 10), raw('g', 10)];
    expect(await modeOf(server(ties).http)).toBe('s');
  });

  it('one page (hydra:last 1, no hydra:next, a short second page, or page 1 again) is sorted after at most one more request', async () => {
    const last1 = server(codes(5), { format: 'hydra' });
    expect(await modeOf(last1.http)).toBe('s');
    expect(last1.asked).toEqual([1]);
    const noNext = server(codes(5), { format: 'hydra-no-last' });
    expect(await ids(listing(noNext.http).list())).toEqual(newestFirst(5));
    expect(noNext.asked).toEqual([1]);
    const repeat = server(codes(9), { ignorePage: true });
    expect(await ids(listing(repeat.http).list())).toEqual(newestFirst(5));
    expect(repeat.asked).toEqual([1, 2]);
  });

  it('an empty list: no item, no cursor, one request', async () => {
    const none = server([]);
    expect(await listing(none.http).listPage({ limit: 2 })).toEqual({ items: [] });
    expect(none.asked).toEqual([1]);
  });
});

describe('the sorted read, where it stops', () => {
  const byId = (count: number) => codes(count).map((c, i) => raw(`z${String((i * 7) % count).padStart(3, '0')}`, c.age));

  it('from is inclusive and to exclusive, to the millisecond', async () => {
    const s = server(byId(6), { order: 'id' });
    const all = byId(6);
    const from = new Date(T0 - 40_000); // c004 exactly
    const to = new Date(T0 - 10_000); // c001 exactly: left out
    expect(await ids(listing(s.http).list({ from, to }))).toEqual(all.filter((c) => c.age <= 40 && c.age > 10).sort((a, b) => a.age - b.age).map((c) => c.id));
  });

  it('stops at hydra:last even if later pages have codes, and at an empty page', async () => {
    const s = server(byId(15), { order: 'id', format: 'hydra' });
    const stale = {
      async request(call: HttpCall) {
        const result = await s.http.request(call);
        const body = result.body as { 'hydra:view': Record<string, string> };
        body['hydra:view']['hydra:last'] = '/verify_codes?page=2';
        return result;
      },
    } as unknown as HttpClient;
    expect(await ids(listing(stale).list())).toHaveLength(10);
    expect(s.asked).toEqual([1, 2]);
    const gap = server(byId(15), { order: 'id' });
    const emptyTwo = {
      async request(call: HttpCall) {
        const result = await gap.http.request(call);
        return call.searchParams!.get('page') === '2' ? { ...result, body: [] } : result;
      },
    } as unknown as HttpClient;
    expect(await ids(listing(emptyTwo).list())).toHaveLength(5);
    expect(gap.asked).toEqual([1, 2]);
  });

  it('oldest first: walks back from the last page, fetching two pages ahead, each once', async () => {
    const s = server(codes(30), { order: 'asc' });
    expect(await ids(listing(s.http, 'asc').list())).toEqual(newestFirst(30));
    expect(s.asked).toEqual([1, 2, 4, 8, 6, 7, 5, 3]);
  });
});

describe('ties and bare hydra collections', () => {
  it('sorts codes of the same second by id, whatever order LOX24 gave them in', async () => {
    const s = server([raw('c', 5), raw('b', 10), raw('d', 10), raw('a', 10), raw('e', 20)], { size: 10 });
    expect(await ids(listing(s.http, 'unordered').list())).toEqual(['c', 'a', 'b', 'd', 'e']);
  });

  it('a hydra collection without hydra:view is one page', async () => {
    const asked: number[] = [];
    const http = {
      async request(call: HttpCall) {
        asked.push(Number(call.searchParams!.get('page')));
        return { status: 200, body: { 'hydra:member': [raw('b', 20), raw('a', 10)] }, headers: new Headers(), requestId: undefined, sent: 'no' };
      },
    } as unknown as HttpClient;
    expect(await ids(listing(http).list())).toEqual(['a', 'b']);
    expect(asked).toEqual([1]);
  });
});

describe('a window LOX24 never ends', () => {
  it('is bounded: past MAX_PAGE pages whose items all fall outside the window, an InvalidResponseError', async () => {
    let reads = 0;
    const http = {
      async request(call: HttpCall) {
        reads++;
        const page = Number(call.searchParams!.get('page'));
        return { status: 200, body: [raw(`p${page}`, 10_000 + (page % 7))], headers: new Headers(), requestId: undefined, sent: 'no' as const };
      },
    } as unknown as HttpClient;
    const error = await listing(http, 'unordered').listPage({ from: new Date(T0 - 1000) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidResponseError', message: `lox24 list: LOX24's pages do not end (page ${MAX_PAGE} still had verify codes)` });
    expect(reads).toBe(MAX_PAGE);
  }, 60_000);
});
