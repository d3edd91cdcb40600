/**
 * How LOX24 pages `GET /verify_codes?page=N`. LOX24 documents neither an order, nor filters,
 * nor a page count for this collection (its other collections say newest first; API Platform
 * orders by id when nothing is configured), so the adapter handles every order: see
 * `lox24Paging`. The last page of an oldest-first LOX24 is found from hydra:last when the
 * answer is JSON-LD, else by doubling then bisecting the page number.
 */
import * as v from 'valibot';
import { InvalidResponseError, UnsupportedError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http.js';
import type { PagingSpec } from '../../src/adapter/paging.js';
import type { CallOptions } from '../../src/provider.js';
import type { ListQuery, Verification } from '../../src/model.js';
import { verifyCodeListSchema } from './wire.js';

/** Pages `list()` keeps in flight (LOX24's page numbers are known in advance). */
export const LIST_PREFETCH = 3;

/** One page as read. */
export interface ReadPage {
  readonly items: readonly unknown[];
  /** `hydra:last` page number, when the answer was a hydra collection. */
  readonly hydraLast?: number;
  /** Whether a hydra collection names a next page (absent for a bare array). */
  readonly hasNext?: boolean;
}

export type PageReader = (page: number, options: CallOptions | undefined) => Promise<ReadPage>;

/** The last page that has items, with its items; undefined when there are none at all. */
export interface LastPage {
  readonly page: number;
  readonly items: readonly unknown[];
}

const idOf = (items: readonly unknown[]): unknown => (items[0] as { id?: unknown } | undefined)?.id;

/** The furthest page the last-page search probes (2^20): a LOX24 whose pages go on past it is refused. */
export const MAX_PAGE = 1_048_576;

/**
 * Finds the last non-empty page in O(log pages) requests. A page shorter than the first
 * is the last; a server that ignores `page` (repeats page 1) has one page.
 */
export async function findLastPage(read: PageReader, options: CallOptions | undefined, name = 'lox24'): Promise<LastPage | undefined> {
  const first = await read(1, options);
  if (first.items.length === 0) return undefined;
  if (first.hydraLast !== undefined && first.hydraLast > 1) {
    const last = await read(first.hydraLast, options);
    if (last.items.length > 0) return { page: first.hydraLast, items: last.items };
  }
  if (first.hydraLast === 1) return { page: 1, items: first.items };
  const size = first.items.length;
  let good: LastPage = { page: 1, items: first.items };
  let bad: number | undefined;
  for (let page = 2; bad === undefined; page *= 2) {
    if (page > MAX_PAGE) {
      throw new InvalidResponseError(`${name} list: LOX24's pages do not end (page ${MAX_PAGE} still had verify codes)`, { provider: name, operation: 'list', sent: 'no' });
    }
    const probe = await read(page, options);
    if (probe.items.length === 0 || idOf(probe.items) === idOf(first.items)) bad = page;
    else if (probe.items.length < size) return { page, items: probe.items };
    else good = { page, items: probe.items };
  }
  while (bad - good.page > 1) {
    const page = Math.floor((good.page + bad) / 2);
    const probe = await read(page, options);
    if (probe.items.length === 0 || idOf(probe.items) === idOf(first.items)) bad = page;
    else if (probe.items.length < size) return { page, items: probe.items };
    else good = { page, items: probe.items };
  }
  return good;
}

/**
 * How LOX24 orders `/verify_codes`: `detect` (default) looks at what comes back; the others
 * pin one reading for an account whose behaviour you know.
 */
export type Lox24ListOrder = 'detect' | 'desc' | 'asc' | 'unordered';

/** Items a page must have before its order is trusted (fewer could be sorted by chance). */
export const MIN_TRUSTED_PAGE = 5;
/** How many verify codes an unordered LOX24 may have in a list window by default (they are sorted in memory). */
export const DEFAULT_SORT_CAP = 10_000;

/**
 * Where a walk stands: how LOX24 turned out to order (`d` newest first: walk forward; `a` oldest
 * first: walk back from the last page; `s` no time order: the window read whole and sorted), the
 * page, and (`d`) the size of a full page.
 */
export const positionSchema = v.object({
  m: v.picklist(['d', 'a', 's']),
  p: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_048_576)),
  n: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
});
export type Position = v.InferOutput<typeof positionSchema>;

/** Whether times run newest first, oldest first, both (all equal), or neither. */
function orderOf(items: readonly Verification[]): { desc: boolean; asc: boolean } {
  let desc = true;
  let asc = true;
  for (let i = 1; i < items.length; i++) {
    const step = items[i]!.createdAt.getTime() - items[i - 1]!.createdAt.getTime();
    if (step > 0) desc = false;
    if (step < 0) asc = false;
  }
  return { desc, asc };
}

const newestFirst = (a: Verification, b: Verification) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export interface Lox24PagingOptions {
  readonly name: string;
  readonly http: HttpClient;
  readonly order: Lox24ListOrder;
  readonly sortCap: number;
  readonly toModel: (raws: readonly unknown[]) => Promise<Verification[]>;
}

/**
 * LOX24's paging for the kit. Every page request asks for what we want in the filter syntax
 * LOX24 documents for its other collections (`_order[created_at]=desc`, `created_at[gte|lte]`);
 * nothing relies on it being honoured: the first read finds out how LOX24 orders. A single page
 * is sorted here; pages running newest first are walked forward, pages running oldest first
 * backwards from the last one, each reversed; anything else is read whole for the window and
 * sorted, up to `sortCap` verify codes.
 */
export function lox24Paging(o: Lox24PagingOptions): PagingSpec<Position> {
  const { name, http } = o;
  const failure = (message: string) => new InvalidResponseError(`${name} list: ${message}`, { provider: name, operation: 'list', sent: 'no' });

  function paramsOf(page: number, query: ListQuery): URLSearchParams {
    const params = new URLSearchParams({ page: String(page), '_order[created_at]': 'desc' });
    // created_at is whole seconds: an item is in [from, to) when its second is in [ceil(from), ceil(to) - 1].
    if (query.from) params.set('created_at[gte]', String(Math.ceil(query.from.getTime() / 1000)));
    if (query.to) params.set('created_at[lte]', String(Math.ceil(query.to.getTime() / 1000) - 1));
    return params;
  }

  /** Reads pages of one query; a page read twice within one `read()` of the kit is read once. */
  function reader(query: ListQuery): PageReader {
    const seen = new Map<number, Promise<ReadPage>>();
    const fetchPage: PageReader = async (page, options) => {
      const result = await http.request({ operation: 'list', method: 'GET', path: 'verify_codes', searchParams: paramsOf(page, query), sends: false, options });
      const parsed = v.safeParse(verifyCodeListSchema, result.body);
      if (!parsed.success) throw failure('the page is neither a JSON array nor a hydra collection');
      if (Array.isArray(parsed.output)) return { items: parsed.output };
      const view = parsed.output['hydra:view'];
      const last = /[?&]page=(\d+)/.exec(view?.['hydra:last'] ?? '')?.[1];
      return { items: parsed.output['hydra:member'], ...(last && { hydraLast: Number(last) }), hasNext: view?.['hydra:next'] !== undefined };
    };
    return (page, options) => {
      let pending = seen.get(page);
      if (!pending) seen.set(page, (pending = fetchPage(page, options)));
      return pending;
    };
  }

  /** Every verify code of the window, sorted newest first (LOX24 keeps no time order). */
  async function sorted(read: PageReader, query: ListQuery, options: CallOptions | undefined): Promise<Verification[]> {
    const kept: Verification[] = [];
    const inWindow = (v: Verification) => (!query.from || v.createdAt >= query.from) && (!query.to || v.createdAt < query.to);
    let first: ReadPage | undefined;
    for (let page = 1; ; page++) {
      const raw = await read(page, options);
      if (raw.items.length === 0) break;
      if (!first) first = raw;
      else if (idOf(raw.items) === idOf(first.items)) break; // a server that ignores `page`
      for (const verification of await o.toModel(raw.items)) {
        if (!inWindow(verification)) continue;
        kept.push(verification);
        if (kept.length > o.sortCap) {
          throw new UnsupportedError(
            `${name} list: LOX24 lists verify codes in no time order here, and more than ${o.sortCap} fall in this window; narrow it with from/to, raise the adapter option listSortCap, or pin listOrder if you know how your account orders`,
            { provider: name, operation: 'list', sent: 'no' },
          );
        }
      }
      // The last page: hydra says so, or (a bare array) it is shorter than the first.
      if (raw.hydraLast !== undefined ? page >= raw.hydraLast : raw.hasNext === false || raw.items.length < first.items.length) break;
    }
    return kept.sort(newestFirst);
  }

  async function forward(read: PageReader, page: number, size: number, options: CallOptions | undefined, raw?: ReadPage) {
    const got = raw ?? (await read(page, options));
    const items = await o.toModel(got.items);
    const more = got.hasNext ?? (got.items.length >= size && got.items.length > 0);
    const at: Position = { m: 'd', p: page, n: size };
    return { at, items, ...(more && { next: { m: 'd', p: page + 1, n: size } as Position, ahead: [page + 2, page + 3].map((p) => ({ m: 'd', p, n: size }) as Position) }) };
  }

  async function backward(read: PageReader, page: number, options: CallOptions | undefined, raws?: readonly unknown[]) {
    const items = await o.toModel([...(raws ?? (await read(page, options)).items)].reverse());
    const at: Position = { m: 'a', p: page };
    const ahead = [page - 2, page - 3].filter((p) => p >= 1).map((p) => ({ m: 'a', p }) as Position);
    return { at, items, ...(page > 1 && { next: { m: 'a', p: page - 1 } as Position, ahead }) };
  }

  async function oldestFirst(read: PageReader, options: CallOptions | undefined) {
    const last = await findLastPage(read, options, name);
    return backward(read, last!.page, options, last!.items);
  }

  return {
    position: positionSchema,
    prefetch: LIST_PREFETCH,
    async read(at, { query, options }) {
      const read = reader(query);
      if (at?.m === 'd') return forward(read, at.p, at.n ?? 1, options);
      if (at?.m === 'a') return backward(read, at.p, options);
      if (at?.m === 's' || o.order === 'unordered') return { at: { m: 's', p: 1 }, items: await sorted(read, query, options) };
      const first = await read(1, options);
      if (first.items.length === 0) return { at: { m: 's', p: 1 }, items: [] };
      if (o.order === 'desc') return forward(read, 1, first.items.length, options, first);
      if (o.order === 'asc') return oldestFirst(read, options);
      // Detect: one page is simply sorted; otherwise the first two pages must agree on a direction.
      const second = first.hydraLast === 1 || first.hasNext === false ? undefined : await read(2, options);
      const onePage = !second || second.items.length === 0 || idOf(second.items) === idOf(first.items);
      if (onePage) return { at: { m: 's', p: 1 }, items: await sorted(read, query, options) };
      const [a, b] = await Promise.all([o.toModel(first.items), o.toModel(second.items)]);
      const trusted = a.length >= MIN_TRUSTED_PAGE;
      const one = orderOf(a);
      const both = orderOf([...a, ...b]);
      if (trusted && one.desc && !one.asc && both.desc) return forward(read, 1, first.items.length, options, first);
      if (trusted && one.asc && !one.desc && both.asc) return oldestFirst(read, options);
      return { at: { m: 's', p: 1 }, items: await sorted(read, query, options) };
    },
  };
}
