/**
 * Walking LOX24's `GET /verify_codes?page=N` newest first. LOX24 documents neither an order
 * nor a page count; its pages are taken to run oldest first (inferred), so the walk finds
 * the last page (hydra:last when the answer is JSON-LD, else by doubling then bisecting the
 * page number) and reads pages backwards, each reversed. The adapter checks the order as it
 * goes, so a LOX24 that orders otherwise is an error, never a silently wrong list.
 */
import type { CallOptions } from '../../src/provider.js';

/** One page as read. */
export interface ReadPage {
  readonly items: readonly unknown[];
  /** `hydra:last` page number, when the answer was a hydra collection. */
  readonly hydraLast?: number;
}

export type PageReader = (page: number, options: CallOptions | undefined) => Promise<ReadPage>;

/** The last page that has items, with its items; undefined when there are none at all. */
export interface LastPage {
  readonly page: number;
  readonly items: readonly unknown[];
}

const idOf = (items: readonly unknown[]): unknown => (items[0] as { id?: unknown } | undefined)?.id;

/**
 * Finds the last non-empty page in O(log pages) requests. A page shorter than the first
 * is the last; a server that ignores `page` (repeats page 1) has one page.
 */
export async function findLastPage(read: PageReader, options: CallOptions | undefined): Promise<LastPage | undefined> {
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
