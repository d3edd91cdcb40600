/**
 * The paging kit's order tools, for a vendor that does not document how it orders a list (LOX24,
 * Bird): what a run of pages says about the order, and the window read whole and sorted when it
 * says nothing usable. One copy of each rule, so that every vendor detects, trusts and caps the
 * same way (docs/listing.md).
 */
import { UnsupportedError } from '../errors.js';
import type { Verification } from '../model.js';
import { compareNewestFirst } from '../listing/merge.js';

/** Items a page must have before its order is trusted (fewer could be sorted by chance). */
export const MIN_TRUSTED_PAGE = 5;
/** Verifications a window may hold by default when it has to be sorted in memory (`listSortCap`). */
export const DEFAULT_SORT_CAP = 10_000;

/** Newest first, then by id: the order of every list. */
export const newestFirst = compareNewestFirst;

/**
 * The order a vendor's items run in: `newest` first, `oldest` first, or `undefined` when the
 * items do not say (too few to trust, all created at once, or in no time order). `then` adds
 * the next page's items: they must carry on the same way.
 */
export function detectOrder(items: readonly Verification[], then: readonly Verification[] = []): 'newest' | 'oldest' | undefined {
  if (items.length < MIN_TRUSTED_PAGE) return undefined;
  const all = [...items, ...then];
  let down = true;
  let up = true;
  for (let i = 1; i < all.length; i++) {
    const step = all[i]!.createdAt.getTime() - all[i - 1]!.createdAt.getTime();
    if (step > 0) down = false;
    if (step < 0) up = false;
  }
  // On the first page alone, both directions must not hold at once (all created at the same time).
  const first = items[0]!.createdAt.getTime() === items.at(-1)!.createdAt.getTime();
  if (first) return undefined;
  return down ? 'newest' : up ? 'oldest' : undefined;
}

/** What a sorted window is, for the error when it holds more than the cap. */
export interface SortedWindow {
  /** The instance's name. */
  readonly provider: string;
  /** How messages name the vendor. */
  readonly title: string;
  /** What the vendor lists (`verify codes`). */
  readonly items: string;
  /** The most items the window may hold. */
  readonly cap: number;
  /** More ways out than narrowing the window and raising `listSortCap`. */
  readonly hint?: string;
}

/**
 * Reads every page of a window and returns its items newest first; more than `cap` items is an
 * `UnsupportedError` naming the ways out (nothing is held past the cap).
 */
export async function sortWindow(pages: AsyncIterable<readonly Verification[]>, window: SortedWindow): Promise<Verification[]> {
  const kept: Verification[] = [];
  for await (const page of pages) {
    kept.push(...page);
    if (kept.length > window.cap) {
      throw new UnsupportedError(
        `${window.provider} list: ${window.title} lists ${window.items} in no time order here, and more than ${window.cap} fall in this window; narrow it with from/to, raise the adapter option listSortCap${window.hint ? `, or ${window.hint}` : ''}`,
        { provider: window.provider, operation: 'list', sent: 'no' },
      );
    }
  }
  return kept.sort(newestFirst);
}
