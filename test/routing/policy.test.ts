/** The pick of adaptive(), on figures given by hand: exploration, the cost subsidy, the floor, estimates. */
import { describe, expect, it } from 'vitest';
import { estimate, pick, type Arm } from '../../src/routing/policy.js';
import { seededRandom } from '../../src/routing/random.js';
import type { Tally } from '../../src/outcomes/store.js';

const tally = (converted: number, notConverted: number, cost = 0, costed = 0): Tally => ({ converted, notConverted, cost, costed });
const NONE = tally(0, 0);
const arm = (member: string, country: Tally, price: number | null, all = country, prefix = NONE): Arm => ({ member, all, country, prefix, price });
const PARAMETERS = { alpha: 0.05, minOutcomes: 50, floor: 0 };
const never = () => 0.999;
const always = () => 0;

describe('estimate', () => {
  it('is the country’s conversion shrunk toward the member’s everywhere, itself toward an even chance', () => {
    expect(estimate(arm('a', NONE, null, NONE), 50)).toBe(0.5);
    expect(estimate(arm('a', NONE, null, tally(80, 20)), 50)).toBeCloseTo(81 / 102, 10);
    // 25 pseudo-outcomes at the everywhere rate (0.5), 100 real ones at 0.9.
    expect(estimate(arm('a', tally(90, 10), null, NONE), 50)).toBeCloseTo((90 + 25 * 0.5) / (100 + 25), 10);
  });

  it('takes a prefix in only once it has minOutcomes outcomes of its own', () => {
    const country = tally(90, 10);
    const base = estimate(arm('a', country, null, NONE), 50);
    expect(estimate(arm('a', country, null, NONE, tally(0, 49)), 50)).toBe(base);
    expect(estimate(arm('a', country, null, NONE, tally(0, 50)), 50)).toBeCloseTo((0 + 50 * base) / (50 + 50), 10);
  });
});

describe('pick', () => {
  it('explores, at random among them, the members with fewer than minOutcomes outcomes in the country', () => {
    const arms = [arm('a', tally(60, 0), 1), arm('b', tally(10, 0), 1), arm('c', tally(49, 0), 1)];
    expect(pick(arms, PARAMETERS, always)).toMatchObject({ mode: 'explore', reason: 'fewer than 50 outcomes here', order: ['b', 'a', 'c'] });
    expect(pick(arms, PARAMETERS, never).order[0]).toBe('c');
  });

  it('exploits the cheapest member within α of the best conversion, then orders the rest', () => {
    const arms = [arm('best', tally(95, 5), 0.05), arm('close', tally(91, 9), 0.03), arm('cheap-bad', tally(50, 50), 0.01), arm('unpriced', tally(94, 6), null)];
    const chosen = pick(arms, PARAMETERS, never);
    expect(chosen).toMatchObject({ mode: 'exploit', reason: 'cheapest within 5 % of the best conversion', order: ['close', 'best', 'unpriced', 'cheap-bad'] });
    expect(pick(arms, { ...PARAMETERS, alpha: 0 }, never)).toMatchObject({ reason: 'best conversion', order: ['best', 'unpriced', 'close', 'cheap-bad'] });
    expect(pick(arms, { ...PARAMETERS, alpha: 0.6 }, never).order[0]).toBe('cheap-bad');
  });

  it('with equal prices, the better conversion first; unknown prices rank by conversion too', () => {
    const arms = [arm('a', tally(90, 10), 0.02), arm('b', tally(92, 8), 0.02)];
    expect(pick(arms, PARAMETERS, never).order).toEqual(['b', 'a']);
    const unpriced = [arm('a', tally(90, 10), null), arm('b', tally(92, 8), null)];
    expect(pick(unpriced, PARAMETERS, never).order).toEqual(['b', 'a']);
  });

  it('the floor sends a share of starts to the other members, each as likely', () => {
    const arms = [arm('a', tally(95, 5), 0.01), arm('b', tally(90, 10), 0.05), arm('c', tally(80, 20), 0.05)];
    const random = seededRandom(1);
    const counts = { a: 0, b: 0, c: 0 } as Record<'a' | 'b' | 'c', number>;
    for (let i = 0; i < 20_000; i++) counts[pick(arms, { ...PARAMETERS, floor: 0.05 }, random).order[0] as 'a' | 'b' | 'c']++;
    expect(counts.a / 20_000).toBeCloseTo(0.9, 1);
    expect(Math.abs(counts.b - counts.c) / 20_000).toBeLessThan(0.02);
    expect(pick(arms, { ...PARAMETERS, floor: 0.05 }, () => 0.01)).toMatchObject({ mode: 'explore', reason: 'floor' });
    expect(pick([arms[0]!], { ...PARAMETERS, floor: 0.2 }, always)).toMatchObject({ mode: 'exploit', order: ['a'] });
  });

  it('reports each member’s figures, rounded, with null conversion before any outcome', () => {
    const arms = [arm('a', tally(2 / 3, 1 / 3), 0.0123), arm('b', NONE, null, NONE)];
    expect(pick(arms, { ...PARAMETERS, minOutcomes: 1 }, never).figures).toEqual([
      // (2/3 + 1 × 0.5556) / 2: one outcome, shrunk toward the member's everywhere figure.
      { member: 'a', outcomes: 1, conversion: 0.6111, price: 0.0123 },
      { member: 'b', outcomes: 0, conversion: null, price: null },
    ]);
  });
});
