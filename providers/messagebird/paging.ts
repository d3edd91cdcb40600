/**
 * How Bird pages `GET /workspaces/{id}/verify`: `limit` and `pageToken`, answered with
 * `{ results, nextPageToken }` (names inferred: see `MESSAGEBIRD_API`), with the creation range
 * sent as `startAt`/`endAt`. The default order is undocumented and `reverse` flips it, so the
 * first read finds out: newest first is walked as it comes; oldest first is asked again with
 * `reverse=true` and checked; a single page, or pages in no time order, are read whole for the
 * window and sorted (up to `sortCap`). A repeated page token, or empty pages that keep
 * pointing on, end the walk with an `InvalidResponseError`.
 */
import * as v from 'valibot';
import { InvalidResponseError } from '../../src/errors.js';
import { DEFAULT_SORT_CAP, detectOrder, newestFirst, sortWindow } from '../../src/adapter/order.js';
import type { HttpClient } from '../../src/http/index.js';
import type { PagingSpec, VendorPage } from '../../src/adapter/paging.js';
import type { ListFilter, ListQuery, Verification } from '../../src/model.js';
import type { CallOptions } from '../../src/provider.js';
import { MAX_MESSAGEBIRD_LIMIT } from './config.js';
import { MESSAGEBIRD_API } from './map.js';
import { listSchema } from './wire.js';

/**
 * Where a walk stands: a page token (none: the first page), the range of the walk, whether
 * `reverse=true` gets newest first (`r`), how many empty pages came in a row (`z`), and `m: 's'`
 * when the window is read whole and sorted.
 */
export const positionSchema = v.object({
  t: v.optional(v.pipe(v.string(), v.maxLength(4_096))),
  s: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  e: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  r: v.optional(v.literal(true)),
  z: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10))),
  m: v.optional(v.literal('s')),
});
export type Position = v.InferOutput<typeof positionSchema>;

const CLIENT_FILTERS: readonly ListFilter[] = ['status', 'channel', 'phone', 'reference', 'ids'];
/** Empty pages in a row that still point on, before the walk gives up. */
const MAX_EMPTY_PAGES = 3;

export interface MessagebirdPagingOptions {
  readonly name: string;
  readonly http: HttpClient;
  readonly path: string;
  readonly pageSize: number;
  /** Verifications an unordered window may hold (`DEFAULT_SORT_CAP`). */
  readonly sortCap?: number | undefined;
  /** The verifications of a page's results (an `InvalidResponseError` naming the field of one that does not fit). */
  readonly toModels: (raws: readonly unknown[]) => Promise<Verification[]>;
}

/** Bird's paging for the kit. */
export function messagebirdPaging(o: MessagebirdPagingOptions): PagingSpec<Position> {
  const failure = (message: string) => new InvalidResponseError(`${o.name} list: ${message}`, { provider: o.name, operation: 'list', sent: 'no' });
  const limitOf = (query: ListQuery, limit: number | undefined) => {
    if (limit === undefined) return o.pageSize;
    // Filters applied here may skip many items: read full pages.
    return CLIENT_FILTERS.some((filter) => query[filter] !== undefined) ? MAX_MESSAGEBIRD_LIMIT : Math.min(MAX_MESSAGEBIRD_LIMIT, limit);
  };

  async function fetchPage(position: Position, limit: number, options: CallOptions | undefined) {
    const q = MESSAGEBIRD_API.list.query;
    const params = new URLSearchParams({ [q.limit]: String(limit) });
    if (position.t) params.set(q.pageToken, position.t);
    if (position.s) params.set(q.start, position.s);
    if (position.e) params.set(q.end, position.e);
    if (position.r) params.set(q.reverse, 'true');
    const result = await o.http.request({ operation: 'list', method: 'GET', path: o.path, searchParams: params, sends: false, options });
    const parsed = v.safeParse(listSchema, result.body);
    if (!parsed.success) throw failure("the page does not fit Bird's format");
    const token = parsed.output.nextPageToken || undefined;
    if (token !== undefined && token === position.t) throw failure('Bird answered a page token with the same token: the walk would never end');
    return { items: await o.toModels(parsed.output.results), token };
  }

  /** The page at `position`, and where the next one is. */
  async function step(position: Position, limit: number, options: CallOptions | undefined, got?: { items: Verification[]; token: string | undefined }): Promise<VendorPage<Position>> {
    const page = got ?? (await fetchPage(position, limit, options));
    const empties = page.items.length === 0 ? (position.z ?? 0) + 1 : 0;
    if (page.token !== undefined && empties >= MAX_EMPTY_PAGES) throw failure(`Bird answered ${empties} empty pages in a row that each point to another`);
    const { z: _z, ...at } = position;
    return { at: position, items: page.items, ...(page.token !== undefined && { next: { ...at, t: page.token, ...(empties > 0 && { z: empties }) } }) };
  }

  /** The whole window, newest first. */
  function sorted(start: Position, limit: number, options: CallOptions | undefined, first?: { items: Verification[]; token: string | undefined }): Promise<Verification[]> {
    async function* pages() {
      let position: Position | undefined = start;
      let got = first;
      while (position) {
        const page = await step(position, limit, options, got);
        got = undefined;
        yield page.items;
        position = page.next;
      }
    }
    return sortWindow(pages(), { provider: o.name, title: 'Bird', items: 'verifications', cap: o.sortCap ?? DEFAULT_SORT_CAP });
  }

  return {
    position: positionSchema,
    prefetch: 1,
    async read(at, { query, limit: wanted, options }) {
      const limit = limitOf(query, wanted);
      const range: Position = { ...(query.from && { s: query.from.toISOString() }), ...(query.to && { e: query.to.toISOString() }) };
      if (at?.m === 's') return { at, items: await sorted(range, limit, options) };
      if (at) return step(at, limit, options);
      const first = await fetchPage(range, limit, options);
      if (first.token === undefined) return { at: { ...range, m: 's' }, items: first.items.sort(newestFirst) };
      const order = detectOrder(first.items);
      if (order === 'newest') return step(range, limit, options, first);
      if (order === 'oldest') {
        const reversed = await fetchPage({ ...range, r: true }, limit, options);
        if (detectOrder(reversed.items) === 'newest') return step({ ...range, r: true }, limit, options, reversed);
      }
      return { at: { ...range, m: 's' }, items: await sorted(range, limit, options, first) };
    },
  };
}
