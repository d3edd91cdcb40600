/**
 * How Notificore pages `GET /api/2fa/authentications`: offset and limit over a creation
 * window (`filter[from]`/`filter[to]`, required, whole days), sorted newest first on the
 * server (`sort=created_at&way=desc`), with the total count of matches.
 *
 * What the docs leave open is handled here:
 * - a page shorter than `page[limit]` (a server that caps pages) is not the end: the offset
 *   moves by the items received, and the walk ends at an empty page or at `total`;
 * - `total` that keeps growing (authentications created during the walk push older ones to
 *   later offsets: the paging kit skips what it sees twice) is followed up to a bound;
 * - a status filter is applied here, not sent: an authentication whose status changes during
 *   a walk would shift the server's offsets and make it skip one that matched throughout;
 * - how several `filter[ids]` are serialized (form/explode or PHP `[]`) is unknown: up to three
 *   ids are read one by one (`GET …/{id}`), more by walking the window; none are sent.
 */
import { UUID } from '../../src/validate.js';
import * as v from 'valibot';
import { InvalidResponseError } from '../../src/errors.js';
import type { PagingSpec } from '../../src/adapter/paging.js';
import { newestFirst } from '../../src/adapter/order.js';
import type { ListQuery, Verification } from '../../src/model.js';
import type { CallOptions } from '../../src/provider.js';
import type { HttpCall, HttpResult } from '../../src/http/index.js';
import { NOTIFICORE_LIMITS } from './config.js';
import { listSchema } from './wire.js';

/** At most this many ids go to Notificore (`filter[ids]`); more are filtered here. */
export const MAX_SERVER_IDS = 3;
const DAY_MS = 86_400_000;

/** Where a walk stands: the offset of a page, and the window of the walk (days). */
export const positionSchema = v.object({
  o: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000_000)),
  f: v.pipe(v.string(), v.isoDate()),
  t: v.pipe(v.string(), v.isoDate()),
  // The offset past which the walk gives up: `total` kept growing (set by the first page).
  c: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000_000))),
});
export type Position = v.InferOutput<typeof positionSchema>;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface NotificorePagingOptions {
  readonly name: string;
  readonly now: () => number;
  /** The adapter's list options: `listWindowDays` (90), `listPageSize` (`page[limit]` of `list()`, 100), `listPrefetch` (2). */
  readonly options: { readonly listWindowDays?: number | undefined; readonly listPageSize?: number | undefined; readonly listPrefetch?: number | undefined };
  readonly call: (request: HttpCall) => Promise<HttpResult>;
  /** The model of a page's authentications, in order; throws an InvalidResponseError naming the field of one that does not fit. */
  readonly toModels: (raws: readonly unknown[]) => Promise<Verification[]>;
  /** One authentication by id, or undefined when Notificore has none. */
  readonly getOne: (id: string, options: CallOptions | undefined) => Promise<Verification | undefined>;
}

/** Notificore's paging for the kit. */
export function notificorePaging(o: NotificorePagingOptions): PagingSpec<Position> {
  const windowDays = o.options.listWindowDays ?? 90;
  const pageSize = o.options.listPageSize ?? 100;
  const prefetch = o.options.listPrefetch ?? 2;
  function windowOf(query: ListQuery): Pick<Position, 'f' | 't'> {
    // filter[to] is a date: the day after the last instant wanted, so it covers that day whether
    // Notificore reads it as inclusive or as midnight; the exact bounds are applied by the kit.
    const toMs = (query.to?.getTime() ?? o.now()) - 1;
    const fromMs = query.from?.getTime() ?? toMs - windowDays * DAY_MS;
    return { f: isoDay(fromMs), t: isoDay(toMs + DAY_MS) };
  }

  /** The query string, or undefined when no Notificore authentication can match. */
  function serverParams(filters: ListQuery, position: Position, limit: number): URLSearchParams | undefined {
    const params = new URLSearchParams({ 'page[offset]': String(position.o), 'page[limit]': String(limit), 'filter[from]': position.f, 'filter[to]': position.t });
    if (filters.channel) {
      if (filters.channel !== 'sms' && filters.channel !== 'viber') return undefined;
      params.set('filter[channel]', filters.channel);
    }
    if (filters.phone) {
      const digits = filters.phone.slice(1);
      const { min, max } = NOTIFICORE_LIMITS.recipientDigits;
      if (digits.length < min || digits.length > max) return undefined;
      params.set('filter[recipient]', digits);
    }
    params.set('sort', 'created_at');
    params.set('way', 'desc');
    return params;
  }

  /** The `page[limit]` of a walk: list()'s page size, or near a listPage's limit. */
  function limitOf(query: ListQuery, limit: number | undefined): number {
    if (limit === undefined) return pageSize;
    // The window is whole days: with exact bounds (or more than 3 ids) to apply here, many
    // items may be skipped, so read bigger pages.
    const refined = query.from !== undefined || query.to !== undefined || (query.ids?.length ?? 0) > MAX_SERVER_IDS;
    return Math.min(500, Math.max(refined ? 100 : 10, limit));
  }

  return {
    position: positionSchema,
    prefetch: prefetch,
    newerAreInserts: true,
    async read(at, { query, limit: wanted, options }: { query: ListQuery; limit: number | undefined; options: CallOptions | undefined }) {
      const position = at ?? { o: 0, ...windowOf(query) };
      const limit = limitOf(query, wanted);
      // Notificore keeps no reference: nothing can match one.
      const params = query.reference === undefined ? serverParams(query, position, limit) : undefined;
      if (!params) return { at: position, items: [] };
      if (query.ids && query.ids.length <= MAX_SERVER_IDS) {
        const found = await Promise.all(query.ids.filter((id) => UUID.test(id)).map((id) => o.getOne(id, options)));
        const items = found.filter((v): v is Verification => v !== undefined).sort(newestFirst);
        return { at: position, items };
      }
      const result = await o.call({ operation: 'list', method: 'GET', path: 'api/2fa/authentications', searchParams: params, sends: false, options });
      const parsed = v.safeParse(listSchema, result.body);
      if (!parsed.success) throw new InvalidResponseError(`${o.name} list: the page does not fit Notificore's documented format`, { provider: o.name, operation: 'list', sent: 'no' });
      const { list, total } = parsed.output.data;
      // Each authentication is parsed once, by toModels (an InvalidResponseError naming the field when it does not fit).
      const items = await o.toModels(list);
      // Trust `total`: a short page is not the end; only an empty one, or reaching the total, is.
      const nextOffset = position.o + list.length;
      if (list.length === 0 || nextOffset >= total) return { at: position, items };
      const cap = position.c ?? 2 * total + 10 * limit;
      if (nextOffset >= cap) {
        throw new InvalidResponseError(`${o.name} list: Notificore's total kept growing during the walk (past ${cap} at offset ${nextOffset}); list a narrower window`, { provider: o.name, operation: 'list', sent: 'no' });
      }
      const next = { ...position, o: nextOffset, c: cap };
      const ahead: Position[] = [];
      for (let offset = nextOffset + list.length; offset < total && ahead.length < prefetch; offset += list.length) ahead.push({ ...next, o: offset });
      return { at: position, items, next, ahead };
    },
  };
}
