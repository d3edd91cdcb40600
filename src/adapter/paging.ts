/**
 * The paging kit: what every adapter's `list()`, `listPage()` and `pages()` are built from.
 */
import type { Page, Verification } from '../model.js';
import { encodeCursor } from '../listing/cursor.js';

/** One listed item and the position just after it (`undefined`: nothing follows). */
export interface Listed<P> {
  readonly verification: Verification;
  readonly next: P | undefined;
}

/**
 * Fills a page of `limit` items from an adapter's batches (one batch per vendor page); the
 * cursor, written for `kind`, holds the position after the last item.
 */
export async function pageFrom<P extends Record<string, unknown>>(batches: AsyncIterable<readonly Listed<P>[]>, limit: number, kind: string): Promise<Page<Verification>> {
  const items: Verification[] = [];
  let resume: P | undefined;
  fill: for await (const batch of batches) {
    for (const { verification, next } of batch) {
      items.push(verification);
      resume = next;
      if (items.length === limit) break fill;
    }
  }
  return items.length === limit && resume ? { items, nextCursor: encodeCursor(kind, resume) } : { items };
}

/** The verifications of an adapter's batches, one by one. */
export async function* itemsOf<P>(batches: AsyncIterable<readonly Listed<P>[]>): AsyncGenerator<Verification> {
  for await (const batch of batches) for (const { verification } of batch) yield verification;
}


/** The verifications of an adapter's batches, one array per vendor page. */
export async function* pagesOf<P>(batches: AsyncIterable<readonly Listed<P>[]>): AsyncGenerator<readonly Verification[]> {
  for await (const batch of batches) yield batch.map((item) => item.verification);
}
