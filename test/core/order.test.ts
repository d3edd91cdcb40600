/**
 * The paging kit's order tools: what pages say about a vendor's order, and a window sorted
 * whole under a cap.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT_CAP, MIN_TRUSTED_PAGE, detectOrder, newestFirst, sortWindow } from '../../src/adapter/order.js';
import { UnsupportedError } from '../../src/errors.js';
import type { Verification } from '../../src/model.js';

const at = (seconds: number, id = `v${seconds}`): Verification => ({ id, provider: 'p', createdAt: new Date(seconds * 1000) }) as Verification;
const times = (...seconds: number[]) => seconds.map((s, i) => at(s, `v${i}`));

describe('detectOrder', () => {
  it('reads newest first and oldest first from a page of at least MIN_TRUSTED_PAGE items', () => {
    expect(MIN_TRUSTED_PAGE).toBe(5);
    expect(detectOrder(times(9, 8, 7, 6, 5))).toBe('newest');
    expect(detectOrder(times(1, 2, 3, 4, 5))).toBe('oldest');
    expect(detectOrder(times(9, 9, 8, 7, 7))).toBe('newest'); // ties are allowed inside a run
    expect(detectOrder(times(1, 1, 2, 3, 3))).toBe('oldest');
  });

  it('does not trust a short page, a page created at one instant, or a page in no order', () => {
    expect(detectOrder(times(4, 3, 2, 1))).toBeUndefined();
    expect(detectOrder(times(5, 5, 5, 5, 5))).toBeUndefined();
    expect(detectOrder(times(5, 3, 4, 2, 1))).toBeUndefined();
    expect(detectOrder(times(3, 1, 2, 4, 5))).toBeUndefined();
    expect(detectOrder([])).toBeUndefined();
  });

  it('needs the next page to carry on the same way', () => {
    expect(detectOrder(times(9, 8, 7, 6, 5), times(4, 3))).toBe('newest');
    expect(detectOrder(times(9, 8, 7, 6, 5), times(6, 3))).toBeUndefined();
    expect(detectOrder(times(1, 2, 3, 4, 5), times(6, 7))).toBe('oldest');
    expect(detectOrder(times(1, 2, 3, 4, 5), times(4))).toBeUndefined();
    expect(detectOrder(times(5, 5, 5, 5, 5), times(4))).toBeUndefined();
  });
});

describe('newestFirst', () => {
  it('orders by creation time, newest first, then by id', () => {
    const items = [at(1, 'b'), at(2, 'a'), at(1, 'a'), at(3, 'c')];
    expect([...items].sort(newestFirst).map((v) => v.id)).toEqual(['c', 'a', 'a', 'b']);
    expect(newestFirst(at(1, 'a'), at(1, 'a'))).toBe(0);
  });
});

describe('sortWindow', () => {
  async function* pages(...lists: Verification[][]) {
    for (const list of lists) yield list;
  }
  const window = { provider: 'bird-eu', title: 'Bird', items: 'verifications', cap: 4 };

  it('reads every page and gives the window newest first', async () => {
    const sorted = await sortWindow(pages(times(1, 5), [at(3, 'x')], [], [at(4, 'y'), at(2, 'z')]), { ...window, cap: 5 });
    expect(sorted.map((v) => v.createdAt.getTime() / 1000)).toEqual([5, 4, 3, 2, 1]);
  });

  it('holds at most the cap: one more is an UnsupportedError naming the ways out, and no page past it is read', async () => {
    expect(DEFAULT_SORT_CAP).toBe(10_000);
    let read = 0;
    async function* counted() {
      for (const list of [times(1, 2), times(3, 4), times(5), times(6)]) {
        read++;
        yield list;
      }
    }
    const error = await sortWindow(counted(), window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error).toMatchObject({
      message: 'bird-eu list: Bird lists verifications in no time order here, and more than 4 fall in this window; narrow it with from/to, raise the adapter option listSortCap',
      provider: 'bird-eu',
      operation: 'list',
      sent: 'no',
    });
    expect(read).toBe(3);
    await expect(sortWindow(pages(times(1, 2), times(3, 4)), window)).resolves.toHaveLength(4);
  });

  it('adds a vendor hint to the message', async () => {
    const error = await sortWindow(pages(times(1, 2, 3)), { ...window, cap: 2, hint: 'pin listOrder' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/raise the adapter option listSortCap, or pin listOrder$/);
  });
});
