/**
 * How Bird pages `GET /workspaces/{id}/verify`: `limit` and `pageToken`, answered with
 * `{ results, nextPageToken }` (names inferred: see `MESSAGEBIRD_API`), newest first, with the
 * creation range sent as `startAt`/`endAt`.
 */
import * as v from 'valibot';
import { InvalidResponseError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http.js';
import type { PagingSpec } from '../../src/adapter/paging.js';
import type { ListFilter, ListQuery, Verification } from '../../src/model.js';
import { MAX_MESSAGEBIRD_LIMIT } from './config.js';
import { MESSAGEBIRD_API } from './map.js';
import { listSchema } from './wire.js';

/** Where a walk stands: a page token (none: the first page), and the range of the walk. */
export const positionSchema = v.object({ t: v.optional(v.string()), s: v.optional(v.string()), e: v.optional(v.string()) });
export type Position = v.InferOutput<typeof positionSchema>;

const CLIENT_FILTERS: readonly ListFilter[] = ['status', 'channel', 'phone', 'reference', 'ids'];

/** Bird's paging for the kit. */
export function messagebirdPaging(o: { name: string; http: HttpClient; path: string; pageSize: number; toModel: (raw: unknown) => Verification }): PagingSpec<Position> {
  const limitOf = (query: ListQuery, limit: number | undefined) => {
    if (limit === undefined) return o.pageSize;
    // Filters applied here may skip many items: read full pages.
    return CLIENT_FILTERS.some((filter) => query[filter] !== undefined) ? MAX_MESSAGEBIRD_LIMIT : Math.min(MAX_MESSAGEBIRD_LIMIT, limit);
  };
  return {
    position: positionSchema,
    prefetch: 1,
    async read(at, { query, limit, options }) {
      const position: Position = at ?? { ...(query.from && { s: query.from.toISOString() }), ...(query.to && { e: query.to.toISOString() }) };
      const q = MESSAGEBIRD_API.list.query;
      const params = new URLSearchParams({ [q.limit]: String(limitOf(query, limit)) });
      if (position.t) params.set(q.pageToken, position.t);
      if (position.s) params.set(q.start, position.s);
      if (position.e) params.set(q.end, position.e);
      const result = await o.http.request({ operation: 'list', method: 'GET', path: o.path, searchParams: params, sends: false, options });
      const parsed = v.safeParse(listSchema, result.body);
      if (!parsed.success) throw new InvalidResponseError(`${o.name} list: the page does not fit Bird's format`, { provider: o.name, operation: 'list', sent: 'no' });
      const token = parsed.output.nextPageToken ?? undefined;
      return { at: position, items: parsed.output.results.map(o.toModel), ...(token && { next: { ...position, t: token } }) };
    },
  };
}
