/**
 * How LOX24 pages `GET /verify_codes?page=N`. LOX24 documents neither an order nor a page
 * count; its pages are taken to run oldest first (inferred), so the first read finds the last
 * page (hydra:last when the answer is JSON-LD, else by doubling then bisecting the page
 * number) and the walk reads pages backwards, each reversed. The paging kit checks the order
 * of what comes back, so a LOX24 that orders otherwise is an error, never a wrong list.
 */
import * as v from 'valibot';
import { InvalidResponseError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http.js';
import type { PagingSpec } from '../../src/adapter/paging.js';
import type { CallOptions } from '../../src/provider.js';
import type { Verification } from '../../src/model.js';
import { verifyCodeListSchema } from './wire.js';

/** Pages `list()` keeps in flight (LOX24's page numbers are known in advance). */
export const LIST_PREFETCH = 3;

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

/** LOX24's paging for the kit: positions are page numbers; each page is read and reversed. */
export function lox24Paging(http: HttpClient, name: string, toModel: (raws: readonly unknown[]) => Promise<Verification[]>): PagingSpec<number> {
  const readPage: PageReader = async (page, options) => {
    const result = await http.request({ operation: 'list', method: 'GET', path: 'verify_codes', searchParams: new URLSearchParams({ page: String(page) }), sends: false, options });
    const parsed = v.safeParse(verifyCodeListSchema, result.body);
    if (!parsed.success) throw new InvalidResponseError(`${name} list: the page is neither a JSON array nor a hydra collection`, { provider: name, operation: 'list', sent: 'no' });
    if (Array.isArray(parsed.output)) return { items: parsed.output };
    const last = /[?&]page=(\d+)/.exec(parsed.output['hydra:view']?.['hydra:last'] ?? '')?.[1];
    return { items: parsed.output['hydra:member'], ...(last && { hydraLast: Number(last) }) };
  };
  return {
    position: v.pipe(v.number(), v.integer(), v.minValue(1)),
    prefetch: LIST_PREFETCH,
    async read(at, { options }) {
      let page = at;
      let raws: readonly unknown[];
      if (page === undefined) {
        const last = await findLastPage(readPage, options);
        if (!last) return { at: 1, items: [] };
        page = last.page;
        raws = last.items;
      } else {
        raws = (await readPage(page, options)).items;
      }
      const items = await toModel([...raws].reverse());
      const ahead = [page - 2, page - 3].filter((p) => p >= 1);
      return { at: page, items, ...(page > 1 && { next: page - 1, ahead }) };
    },
  };
}
