/**
 * List filters applied by polyverify, for what a vendor cannot filter itself.
 */
import type { ListFilter, ListQuery, Verification } from '../model.js';

/**
 * The query one provider of several gets: of the `ids` filter, the ids that name this provider
 * (`name:vendorId`, as a failover or route hands them out) without their prefix, and every bare
 * id (one that names no provider of the set). `undefined` when no id can be this provider's.
 */
export function queryFor(query: ListQuery, name: string, names: readonly string[]): ListQuery | undefined {
  if (!query.ids) return query;
  const prefix = `${name}:`;
  const ids = query.ids.flatMap((id) => {
    if (id.startsWith(prefix)) return [id.slice(prefix.length)];
    return names.some((other) => id.startsWith(`${other}:`)) ? [] : [id];
  });
  return ids.length ? { ...query, ids } : undefined;
}

/** Whether `item` passes the filters of `query` named in `filters`. */
export function matchesQuery(item: Verification, query: ListQuery, filters: readonly ListFilter[]): boolean {
  for (const filter of filters) {
    switch (filter) {
      case 'from':
        if (query.from && item.createdAt.getTime() < query.from.getTime()) return false;
        break;
      case 'to':
        if (query.to && item.createdAt.getTime() >= query.to.getTime()) return false;
        break;
      case 'status':
        if (query.status && item.status !== query.status) return false;
        break;
      case 'channel':
        if (query.channel && item.channels[0]?.channel !== query.channel) return false;
        break;
      case 'phone':
        if (query.phone && item.to !== query.phone) return false;
        break;
      case 'reference':
        if (query.reference !== undefined && item.reference !== query.reference) return false;
        break;
      case 'ids':
        if (query.ids && !query.ids.includes(item.id)) return false;
        break;
    }
  }
  return true;
}
