/**
 * The paging kit: an adapter says how to read one page of its vendor at a position (items
 * newest first, and where the next page is); the kit builds `list()`, `listPage()` and
 * `pages()` from it, with cursors, pages fetched ahead, client-side filters, the stop at
 * `from`, order checks and the skipping of items a vendor repeats.
 *
 * Order and repeats: within a page, items must come newest first (else the vendor's order is
 * not what the adapter assumed: an `InvalidResponseError`). Across pages, an item newer than
 * the last one walked is a repeat when its id was walked recently (a vendor whose offsets
 * shifted under inserts), the start of a resumed page (before the cursor), and otherwise an
 * order error. Items are never yielded twice within what `RECENT_IDS` remembers.
 */
import * as v from 'valibot';
import { InvalidResponseError } from '../errors.js';
import type { ListQuery, Page, PageQuery, Verification } from '../model.js';
import type { CallOptions } from '../provider.js';
import { decodeCursor, encodeCursor } from '../listing/cursor.js';
import { matchesQuery } from '../listing/filters.js';
import { parseCallOptions, parseListQuery, type ParseContext } from '../validate.js';
import { traceOperation, type TracedProvider } from '../tracing.js';

const ALL_FILTERS = ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'] as const;
/** How many ids a walk remembers to recognise repeats. */
export const RECENT_IDS = 2_000;
/** How many ids at the anchor time a cursor carries. */
const ANCHOR_IDS = 200;
/** The `listPage` limit when none is given. */
export const DEFAULT_PAGE_LIMIT = 25;

/** What a page read is for. */
export interface PageRequest {
  /** The list query (validated). */
  readonly query: ListQuery;
  /** The `listPage` limit; `undefined` for `list()` and `pages()`. */
  readonly limit: number | undefined;
  /** The caller's options (signal, deadline). */
  readonly options: CallOptions | undefined;
}

/** One page as the adapter read it. */
export interface VendorPage<Position> {
  /** Where this page is: reading it again starts at its first item. */
  readonly at: Position;
  /** Its verifications, newest first. */
  readonly items: readonly Verification[];
  /** The page after it; absent on the last page. */
  readonly next?: Position;
  /** Positions of later pages already known (after `next`), for `list()` to fetch ahead. */
  readonly ahead?: readonly Position[];
}

/** How a vendor pages: the adapter's part of the paging kit. */
export interface PagingSpec<Position> {
  /** The schema of a position, to check the positions decoded from cursors. */
  readonly position: v.GenericSchema<unknown, Position>;
  /** Reads the page at `at` (`undefined`: the first page of the query). */
  read(at: Position | undefined, request: PageRequest): Promise<VendorPage<Position>>;
  /** Pages `list()` keeps in flight ahead of the one being read (0). */
  readonly prefetch?: number;
  /**
   * The vendor sorts newest first itself and pages by offset: an item newer than the last one
   * walked was created during the walk (it pushed the offsets down), not out of order, and is
   * skipped. Without it such an item is an order error.
   */
  readonly newerAreInserts?: boolean;
}

/** Where a cursor resumes: a page, how many of its items were passed, and the anchor. */
interface Resume<Position> {
  readonly p?: Position;
  readonly i: number;
  /** The creation time (epoch ms) of the last item passed. */
  readonly a?: number;
  /** Ids passed at that time. */
  readonly k?: readonly string[];
}

// Every field range-checked: a cursor is input from whoever holds it.
const resumeSchema = <P>(position: v.GenericSchema<unknown, P>) =>
  v.object({
    p: v.optional(position),
    i: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
    a: v.optional(v.pipe(v.number(), v.finite())),
    k: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(200))), v.maxLength(ANCHOR_IDS))),
  });

/** Vendor pages read without an item to show for them, before a walk gives up (per `listPage()` call, and between two items of `list()`). */
export const DEFAULT_MAX_LIST_PAGES = 1_000;

/** The items of one vendor page that pass the filters, and (only when cursors are wanted) the cursor after each. */
interface Walked<Position> {
  readonly items: Verification[];
  readonly nexts: (Resume<Position> | undefined)[] | undefined;
}

/** The running anchor of a walk: the last time walked, the ids walked at it, recent ids. */
class Anchor {
  at = Number.POSITIVE_INFINITY;
  ids: string[] = [];
  readonly #recent = new Set<string>();
  // The remembered ids in order, as a ring: the oldest is forgotten when it is full.
  readonly #ring: string[] = [];
  #next = 0;

  constructor(at: number | undefined, ids: readonly string[] | undefined) {
    if (at !== undefined) this.at = at;
    for (const id of ids ?? []) this.#remember(id);
    this.ids.push(...(ids ?? []));
  }

  seen(id: string): boolean {
    return this.#recent.has(id);
  }

  walk(at: number, id: string): void {
    if (at !== this.at) {
      this.at = at;
      this.ids.length = 0; // reused: a walk moves on to a new time at almost every item
    }
    if (this.ids.length < ANCHOR_IDS) this.ids.push(id);
    this.#remember(id);
  }

  #remember(id: string): void {
    if (this.#recent.has(id)) return;
    if (this.#ring.length === RECENT_IDS) this.#recent.delete(this.#ring[this.#next]!);
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % RECENT_IDS;
    this.#recent.add(id);
  }
}

/** The kit's listing over one adapter's paging spec. */
export interface Listing {
  /** Every verification matching `query`, newest first. */
  list(query?: ListQuery, options?: CallOptions): AsyncIterable<Verification>;
  /** One page, resumable by its `nextCursor`. */
  listPage(query?: PageQuery, options?: CallOptions): Promise<Page<Verification>>;
  /** The vendor's pages as they come (what `listAcross` merges). */
  pages(query?: ListQuery, options?: CallOptions): AsyncIterable<readonly Verification[]>;
}

/**
 * Builds `list()`, `listPage()` and `pages()` from a paging spec. `kind` names the cursors it
 * writes (the provider's name), so a cursor of another provider is refused.
 */
export function paging<Position>(
  spec: PagingSpec<Position>,
  { name, title, kind, key: cursorKey, maxPages = DEFAULT_MAX_LIST_PAGES, traced }: { readonly name: string; readonly title: string; readonly kind: string; readonly key?: Uint8Array; readonly maxPages?: number; readonly traced?: TracedProvider },
): Listing {
  // Each vendor page read is one traced `list` call (one request to the vendor, with its retries).
  const read = (at: Position | undefined, request: PageRequest) => spec.read(at, request);
  const readPage = traced ? traceOperation('list', traced, read) : read;
  const ctx: ParseContext = { provider: name, operation: 'list' };
  const cursorSchema = resumeSchema(spec.position);
  const key = (position: Position) => JSON.stringify(position);

  /** Walks the vendor's pages from `start`; yields each page's matching items. */
  async function* walk(query: ListQuery, start: Resume<Position>, request: PageRequest, cursors: boolean, prefetch: number): AsyncGenerator<Walked<Position>> {
    const anchor = new Anchor(start.a, start.k);
    const early = new Map<string, Promise<VendorPage<Position>>>();
    const read = (at: Position | undefined): Promise<VendorPage<Position>> => {
      const k = at === undefined ? undefined : key(at);
      const ready = k === undefined ? undefined : early.get(k);
      if (k !== undefined) early.delete(k);
      return ready ?? readPage(at, request);
    };
    const fetchAhead = (positions: readonly Position[]) => {
      for (const position of positions) {
        if (early.size >= prefetch) return;
        const k = key(position);
        if (early.has(k)) continue;
        const page = readPage(position, request);
        page.catch(() => undefined); // awaited when its turn comes
        early.set(k, page);
      }
    };
    let at = start.p;
    let skip = start.i;
    let resumed = start.a !== undefined;
    const from = query.from?.getTime();
    let barren = 0; // pages read since the last item given out
    for (;;) {
      if (++barren > maxPages) {
        throw new InvalidResponseError(`${name} list: read ${maxPages} pages from ${title} without an item to give; narrow the query, or raise the adapter option maxListPages`, { provider: name, operation: 'list', sent: 'no' });
      }
      const page = await read(at);
      if (prefetch > 0 && page.next !== undefined) fetchAhead([page.next, ...(page.ahead ?? [])]);
      const batch: Verification[] = [];
      const nexts: (Resume<Position> | undefined)[] | undefined = cursors ? [] : undefined;
      let previousInPage = Number.POSITIVE_INFINITY;
      const items = page.items;
      for (let index = skip; index < items.length; index++) {
        const verification = items[index]!;
        const time = verification.createdAt.getTime();
        if (time > previousInPage) throw orderError(name, title);
        previousInPage = time;
        if (anchor.seen(verification.id)) continue; // a repeat
        if (time > anchor.at) {
          // The start of a resumed page (before the cursor), or one created during the walk.
          if (resumed || spec.newerAreInserts) continue;
          throw orderError(name, title);
        }
        resumed = false;
        if (from !== undefined && time < from) {
          if (batch.length) yield { items: batch, nexts };
          return;
        }
        anchor.walk(time, verification.id);
        if (!matchesQuery(verification, query, ALL_FILTERS)) continue;
        batch.push(verification);
        nexts?.push(
          index + 1 < items.length
            ? { p: page.at, i: index + 1, a: anchor.at, k: [...anchor.ids] }
            : page.next !== undefined
              ? { p: page.next, i: 0, a: anchor.at, k: [...anchor.ids] }
              : undefined,
        );
      }
      if (batch.length) {
        barren = 0;
        yield { items: batch, nexts };
      }
      if (page.next === undefined) return;
      at = page.next;
      skip = 0;
    }
  }

  function prepare(query: ListQuery | undefined, options: CallOptions | undefined) {
    return { options: parseCallOptions(options, ctx), query: parseListQuery(query, ctx) };
  }

  async function* pages(query?: ListQuery, callOptions?: CallOptions): AsyncGenerator<readonly Verification[]> {
    const { options, query: filters } = prepare(query, callOptions);
    const request = { query: filters, limit: undefined, options };
    for await (const batch of walk(filters, { i: 0 }, request, false, spec.prefetch ?? 0)) yield batch.items;
  }

  return {
    pages,
    list: (query, options) =>
      (async function* () {
        for await (const batch of pages(query, options)) yield* batch;
      })(),
    async listPage(query?: PageQuery, callOptions?: CallOptions): Promise<Page<Verification>> {
      const options = parseCallOptions(callOptions, ctx);
      const { cursor, limit = DEFAULT_PAGE_LIMIT, ...filters } = parseListQuery(query, ctx);
      const start: Resume<Position> = cursor === undefined ? { i: 0 } : (decodeCursor(cursor, kind, cursorSchema, ctx, cursorKey) as Resume<Position>);
      const items: Verification[] = [];
      let resume: Resume<Position> | undefined;
      fill: for await (const batch of walk(filters, start, { query: filters, limit, options }, true, 0)) {
        for (let k = 0; k < batch.items.length; k++) {
          items.push(batch.items[k]!);
          resume = batch.nexts![k];
          if (items.length === limit) break fill;
        }
      }
      return items.length === limit && resume ? { items, nextCursor: encodeCursor(kind, resume as unknown as Record<string, unknown>, cursorKey) } : { items };
    },
  };
}

function orderError(name: string, title: string): InvalidResponseError {
  return new InvalidResponseError(`${name} list: ${title} did not list in creation order, so the list cannot be given newest first`, { provider: name, operation: 'list', sent: 'no' });
}
