import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMoney, fromMinorUnits, parseDecimal, sumCosts } from '../src/index.js';

describe('money', () => {
  it('turns LOX24 cents into a decimal string', () => {
    expect(fromMinorUnits(120, 'EUR')).toEqual({ amount: '1.20', currency: 'EUR' });
    expect(fromMinorUnits(5, 'EUR')).toEqual({ amount: '0.05', currency: 'EUR' });
    expect(fromMinorUnits(0, 'EUR')).toEqual({ amount: '0.00', currency: 'EUR' });
    expect(fromMinorUnits(-7, 'EUR')).toEqual({ amount: '-0.07', currency: 'EUR' });
  });

  it('parses vendor amounts exactly: numbers, strings, decimal commas, tiny values', () => {
    expect(parseDecimal(0.0642918)).toBe('0.0642918');
    expect(parseDecimal('0,02')).toBe('0.02');
    expect(parseDecimal(50.25)).toBe('50.25');
    expect(parseDecimal(1e-7)).toBe('0.0000001');
    expect(parseDecimal('12')).toBe('12');
    expect(parseDecimal('1.2.3')).toBeUndefined();
    expect(parseDecimal(Number.NaN)).toBeUndefined();
    expect(parseDecimal(null)).toBeUndefined();
  });

  it('adds without float error and refuses mixed currencies', () => {
    expect(addMoney({ amount: '0.1', currency: 'EUR' }, { amount: '0.2', currency: 'EUR' })).toEqual({ amount: '0.3', currency: 'EUR' });
    expect(addMoney({ amount: '1.20', currency: 'EUR' }, { amount: '0.0642918', currency: 'EUR' }).amount).toBe('1.2642918');
    expect(() => addMoney({ amount: '1', currency: 'EUR' }, { amount: '1', currency: 'USD' })).toThrow('cannot add amounts in EUR and USD');
  });

  it('sums per currency and counts costs that are not final separately', () => {
    expect(
      sumCosts([
        { cost: { amount: '1.20', currency: 'EUR' } },
        { cost: null },
        { cost: { amount: '0,5', currency: 'USD' } },
        { cost: { amount: '0.0000001', currency: 'EUR' } },
      ]),
    ).toEqual({ totals: [{ amount: '1.2000001', currency: 'EUR' }, { amount: '0.5', currency: 'USD' }], priced: 3, unpriced: 1 });
  });

  it('sums of cents equal the exact integer sum (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 200 }), (cents) => {
        const { totals } = sumCosts(cents.map((c) => ({ cost: fromMinorUnits(c, 'EUR') })));
        const exact = cents.reduce((a, b) => a + b, 0);
        expect(totals[0]!.amount).toBe(fromMinorUnits(exact, 'EUR').amount);
      }),
    );
  });
});
