/**
 * How LOX24 pages `GET /verify_codes?page=N`. LOX24 documents neither an order, nor filters,
 * nor a page count for this collection (its other collections say newest first; API Platform
 * orders by id when nothing is configured), so the adapter handles every order: see
 * `lox24Paging`. The last page of an oldest-first LOX24 is found from hydra:last when the
 * answer is JSON-LD, else by doubling then bisecting the page number.
 */
import * as v from 'valibot';
import { InvalidResponseError } from '../../src/errors.js';
import { DEFAULT_SORT_CAP, detectOrder, sortWindow } from '../../src/adapter/order.js';
import type { HttpClient } from '../../src/http/index.js';
import type { PageRequest, PagingSpec } from '../../src/adapter/paging.js';
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

/** What a walk knows of a page it read: its length and, in a hydra collection, whether a next one exists. */
interface Settled {
  readonly n: number;
  readonly next?: boolean | undefined;
}

/** Whether pages go on after one of `size` items or fewer, as it was read. */
const continues = (page: Settled, size: number): boolean => page.next ?? (page.n >= size && page.n > 0);

/** The page after the last: nothing asked, nothing to give. */
const NO_PAGE: ReadPage = { items: [], hasNext: false };
/** How many page lengths a walk remembers (the newest-first prefetch looks two back). */
const SETTLED_KEPT = 8;

/** The pages of one walk. */
interface Walk {
  /** Pages read (or being read) and not yet taken by the walk. */
  readonly unread: Map<number, Promise<ReadPage>>;
  /** The newest-first pages asked last (three), to gate the ones fetched ahead. */
  readonly recent: Map<number, Promise<ReadPage>>;
  /** Lengths of pages read. */
  readonly settled: Map<number, Settled>;
  /** Fetches a page of the walk's query. */
  readonly fetch: PageReader;
}

export interface Lox24PagingOptions {
  readonly name: string;
  readonly http: HttpClient;
  readonly order: Lox24ListOrder;
  /** Verify codes an unordered window may hold (`DEFAULT_SORT_CAP`). */
  readonly sortCap?: number | undefined;
  readonly toModels: (raws: readonly unknown[]) => Promise<Verification[]>;
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
  const walks = new WeakMap<PageRequest, Walk>();
  const failure = (message: string) => new InvalidResponseError(`${name} list: ${message}`, { provider: name, operation: 'list', sent: 'no' });

  function paramsOf(page: number, query: ListQuery): URLSearchParams {
    const params = new URLSearchParams({ page: String(page), '_order[created_at]': 'desc' });
    // created_at is whole seconds: an item is in [from, to) when its second is in [ceil(from), ceil(to) - 1].
    if (query.from) params.set('created_at[gte]', String(Math.ceil(query.from.getTime() / 1000)));
    if (query.to) params.set('created_at[lte]', String(Math.ceil(query.to.getTime() / 1000) - 1));
    return params;
  }

  async function fetchPage(page: number, query: ListQuery, options: CallOptions | undefined): Promise<ReadPage> {
    const result = await http.request({ operation: 'list', method: 'GET', path: 'verify_codes', searchParams: paramsOf(page, query), sends: false, options });
    const parsed = v.safeParse(verifyCodeListSchema, result.body);
    if (!parsed.success) throw failure('the page is neither a JSON array nor a hydra collection');
    if (Array.isArray(parsed.output)) return { items: parsed.output };
    const view = parsed.output['hydra:view'];
    const last = /[?&]page=(\d+)/.exec(view?.['hydra:last'] ?? '')?.[1];
    return { items: parsed.output['hydra:member'], ...(last && { hydraLast: Number(last) }), hasNext: view?.['hydra:next'] !== undefined };
  }

  /**
   * The pages of one walk (one `list()`, `pages()` or `listPage()` call: the kit hands every read
   * of a walk the same request object), so that no page is asked twice: a page read to detect the
   * order or to find the last page is kept until the walk takes it.
   */
  function walkOf(request: PageRequest): Walk {
    let walk = walks.get(request);
    if (!walk) {
      const settled = new Map<number, Settled>();
      const fetch = (page: number, options: CallOptions | undefined) => {
        const pending = fetchPage(page, request.query, options);
        pending.then(
          (got) => {
            settled.set(page, { n: got.items.length, ...(got.hasNext !== undefined && { next: got.hasNext }) });
            if (settled.size > SETTLED_KEPT) settled.delete(settled.keys().next().value!);
          },
          () => undefined, // awaited by whoever asked for it
        );
        return pending;
      };
      walk = { unread: new Map(), recent: new Map(), settled, fetch };
      walks.set(request, walk);
    }
    return walk;
  }
  /** A page, fetched at most once per walk and kept until taken. */
  const peek: (walk: Walk) => PageReader = (walk) => (page, options) => {
    let pending = walk.unread.get(page);
    if (!pending) walk.unread.set(page, (pending = walk.fetch(page, options)));
    return pending;
  };
  /** A page the walk moves on with: fetched unless kept, and no longer kept. */
  const take: (walk: Walk) => PageReader = (walk) => (page, options) => {
    const pending = walk.unread.get(page) ?? walk.fetch(page, options);
    walk.unread.delete(page);
    return pending;
  };

  /**
   * A page of a newest-first walk, asked only while it can exist: not after a page known to be the
   * last (short, empty, or hydra without next), and not before the page two back is known to be
   * full — so `list()`'s pages fetched ahead reach at most one page past the last.
   */
  function forwardRead(walk: Walk, page: number, size: number, options: CallOptions | undefined): Promise<ReadPage> {
    for (const back of [1, 2]) {
      const known = walk.settled.get(page - back);
      if (known && !continues(known, size)) return Promise.resolve(NO_PAGE);
    }
    const gate = walk.recent.get(page - 2);
    const got = gate
      ? gate.then(
          (before) => (continues({ n: before.items.length, next: before.hasNext }, size) ? take(walk)(page, options) : NO_PAGE),
          () => take(walk)(page, options),
        )
      : take(walk)(page, options);
    walk.recent.set(page, got);
    walk.recent.delete(page - 3);
    return got;
  }

  /** Every verify code of the window, sorted newest first (LOX24 keeps no time order). */
  function sorted(read: PageReader, query: ListQuery, options: CallOptions | undefined): Promise<Verification[]> {
    const inWindow = (v: Verification) => (!query.from || v.createdAt >= query.from) && (!query.to || v.createdAt < query.to);
    async function* pages() {
      let first: ReadPage | undefined;
      for (let page = 1; ; page++) {
        // Pages whose items all fall outside the window never reach the sort cap: bound them as the last-page search is.
        if (page > MAX_PAGE) throw failure(`LOX24's pages do not end (page ${MAX_PAGE} still had verify codes)`);
        const raw = await read(page, options);
        if (raw.items.length === 0) return;
        if (!first) first = raw;
        else if (idOf(raw.items) === idOf(first.items)) return; // a server that ignores `page`
        yield (await o.toModels(raw.items)).filter(inWindow);
        // The last page: hydra says so, or (a bare array) it is shorter than the first.
        if (raw.hydraLast !== undefined ? page >= raw.hydraLast : raw.hasNext === false || raw.items.length < first.items.length) return;
      }
    }
    return sortWindow(pages(), { provider: name, title: 'LOX24', items: 'verify codes', cap: o.sortCap ?? DEFAULT_SORT_CAP, hint: 'pin listOrder if you know how your account orders' });
  }

  async function forward(walk: Walk, page: number, size: number, options: CallOptions | undefined, raw?: ReadPage) {
    if (raw) walk.unread.delete(page);
    const got = raw ?? (await forwardRead(walk, page, size, options));
    const items = await o.toModels(got.items);
    const more = continues({ n: got.items.length, next: got.hasNext }, size);
    const at: Position = { m: 'd', p: page, n: size };
    return { at, items, ...(more && { next: { m: 'd', p: page + 1, n: size } as Position, ahead: [page + 2, page + 3].map((p) => ({ m: 'd', p, n: size }) as Position) }) };
  }

  async function backward(walk: Walk, page: number, options: CallOptions | undefined, raws?: readonly unknown[]) {
    if (raws) walk.unread.delete(page);
    const items = await o.toModels([...(raws ?? (await take(walk)(page, options)).items)].reverse());
    const at: Position = { m: 'a', p: page };
    const ahead = [page - 2, page - 3].filter((p) => p >= 1).map((p) => ({ m: 'a', p }) as Position);
    return { at, items, ...(page > 1 && { next: { m: 'a', p: page - 1 } as Position, ahead }) };
  }

  async function oldestFirst(walk: Walk, options: CallOptions | undefined) {
    const last = await findLastPage(peek(walk), options, name);
    return backward(walk, last!.page, options, last!.items);
  }

  return {
    position: positionSchema,
    prefetch: LIST_PREFETCH,
    async read(at, request) {
      const { query, options } = request;
      const walk = walkOf(request);
      const read = peek(walk);
      if (at?.m === 'd') return forward(walk, at.p, at.n ?? 1, options);
      if (at?.m === 'a') return backward(walk, at.p, options);
      if (at?.m === 's' || o.order === 'unordered') return { at: { m: 's', p: 1 }, items: await sorted(take(walk), query, options) };
      const first = await read(1, options);
      if (first.items.length === 0) return { at: { m: 's', p: 1 }, items: [] };
      if (o.order === 'desc') return forward(walk, 1, first.items.length, options, first);
      if (o.order === 'asc') return oldestFirst(walk, options);
      // Detect: one page is simply sorted; otherwise the first two pages must agree on a direction.
      const second = first.hydraLast === 1 || first.hasNext === false ? undefined : await read(2, options);
      const onePage = !second || second.items.length === 0 || idOf(second.items) === idOf(first.items);
      if (onePage) return { at: { m: 's', p: 1 }, items: await sorted(take(walk), query, options) };
      const [a, b] = await Promise.all([o.toModels(first.items), o.toModels(second.items)]);
      const order = detectOrder(a, b);
      if (order === 'newest') return forward(walk, 1, first.items.length, options, first);
      if (order === 'oldest') return oldestFirst(walk, options);
      return { at: { m: 's', p: 1 }, items: await sorted(take(walk), query, options) };
    },
  };
}
