import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sumCosts } from '../../providers/index.js';
import { fromMinorUnits, parseDecimal } from '../../src/adapter/index.js';
import { CostAccumulator } from '../../src/money.js';
import { addMoney } from '../../src/money.js';

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

describe('money, exactly', () => {
  it('formats minor units for any exponent', () => {
    expect(fromMinorUnits(120, 'JPY', 0)).toEqual({ amount: '120', currency: 'JPY' });
    expect(fromMinorUnits(1234, 'KWD', 3)).toEqual({ amount: '1.234', currency: 'KWD' });
    expect(fromMinorUnits(7, 'KWD', 3)).toEqual({ amount: '0.007', currency: 'KWD' });
    expect(fromMinorUnits(-1234, 'EUR')).toEqual({ amount: '-12.34', currency: 'EUR' });
    expect(fromMinorUnits(Number.MAX_SAFE_INTEGER, 'EUR').amount).toBe('90071992547409.91');
  });

  it('refuses minor units that are not a safe integer', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => fromMinorUnits(bad, 'EUR')).toThrow(new RangeError('minor units must be a safe integer'));
    }
  });

  it('adds amounts beyond 15 digits without going through floats', () => {
    expect(addMoney({ amount: '9999999999999999.99', currency: 'EUR' }, { amount: '0.01', currency: 'EUR' }).amount).toBe('10000000000000000.00');
    expect(addMoney({ amount: '0.0000000000000001', currency: 'EUR' }, { amount: '1', currency: 'EUR' }).amount).toBe('1.0000000000000001');
    expect(addMoney({ amount: '123456789012345.6', currency: 'EUR' }, { amount: '-0.7', currency: 'EUR' }).amount).toBe('123456789012344.9');
    expect(addMoney({ amount: '1234567890123456.78', currency: 'EUR' }, { amount: '0.01', currency: 'EUR' }).amount).toBe('1234567890123456.79');
    expect(addMoney({ amount: '0.01', currency: 'EUR' }, { amount: '1234567890123456.78', currency: 'EUR' }).amount).toBe('1234567890123456.79');
    expect(addMoney({ amount: '-12345678901234567.5', currency: 'EUR' }, { amount: '0.25', currency: 'EUR' }).amount).toBe('-12345678901234567.25');
    expect(addMoney({ amount: '0.25', currency: 'EUR' }, { amount: '-12345678901234567.5', currency: 'EUR' }).amount).toBe('-12345678901234567.25');
    // 15 digits each: the plain-number path, exact up to 2^53.
    expect(addMoney({ amount: '999999999999999', currency: 'EUR' }, { amount: '999999999999999', currency: 'EUR' }).amount).toBe('1999999999999998');
  });

  it('adds signed amounts and keeps the larger scale', () => {
    expect(addMoney({ amount: '-1.5', currency: 'EUR' }, { amount: '0.25', currency: 'EUR' }).amount).toBe('-1.25');
    expect(addMoney({ amount: '1.5', currency: 'EUR' }, { amount: '-1.50', currency: 'EUR' }).amount).toBe('0.00');
    expect(addMoney({ amount: '2', currency: 'EUR' }, { amount: '0,5', currency: 'EUR' }).amount).toBe('2.5');
    expect(addMoney({ amount: ' 1 ', currency: 'EUR' }, { amount: '1', currency: 'EUR' }).amount).toBe('2');
  });

  it('refuses amounts that are not decimals, in addMoney and in sums', () => {
    for (const bad of ['', 'abc', '1.2.3', '1e5', '.5', '5.', '+1', '1 000']) {
      expect(() => addMoney({ amount: bad, currency: 'EUR' }, { amount: '1', currency: 'EUR' })).toThrow(new RangeError('not a decimal amount'));
      expect(() => addMoney({ amount: '1', currency: 'EUR' }, { amount: bad, currency: 'EUR' })).toThrow(RangeError);
      expect(() => sumCosts([{ cost: { amount: bad, currency: 'EUR' } }])).toThrow(new RangeError('not a decimal amount'));
    }
  });

  it('normalizes the first amount of a currency as it does every sum', () => {
    expect(sumCosts([{ cost: { amount: '007.50', currency: 'EUR' } }]).totals).toEqual([{ amount: '7.50', currency: 'EUR' }]);
    expect(sumCosts([{ cost: { amount: '0,20', currency: 'EUR' } }]).totals).toEqual([{ amount: '0.20', currency: 'EUR' }]);
    expect(sumCosts([])).toEqual({ totals: [], priced: 0, unpriced: 0 });
  });

  it('keeps currencies in first-seen order and results apart from later additions', () => {
    const accumulator = new CostAccumulator();
    accumulator.add({ amount: '1', currency: 'USD' });
    accumulator.add({ amount: '2', currency: 'EUR' });
    accumulator.add({ amount: '3', currency: 'USD' });
    const first = accumulator.result();
    expect(first).toEqual({ totals: [{ amount: '4', currency: 'USD' }, { amount: '2', currency: 'EUR' }], priced: 3, unpriced: 0 });
    accumulator.add(null);
    accumulator.add({ amount: '1', currency: 'EUR' });
    expect(first.totals).toEqual([{ amount: '4', currency: 'USD' }, { amount: '2', currency: 'EUR' }]);
    expect(accumulator.result()).toEqual({ totals: [{ amount: '4', currency: 'USD' }, { amount: '3', currency: 'EUR' }], priced: 4, unpriced: 1 });
  });

  it('parses vendor amounts: signs, zeros, spaces, exponents and junk', () => {
    expect(parseDecimal('-0,0')).toBe('0.0');
    expect(parseDecimal('-0')).toBe('0');
    expect(parseDecimal('-1,5')).toBe('-1.5');
    expect(parseDecimal('007.50')).toBe('7.50');
    expect(parseDecimal('0007')).toBe('7');
    expect(parseDecimal('1005')).toBe('1005');
    expect(parseDecimal('-1.1')).toBe('-1.1');
    expect(parseDecimal('-10.0')).toBe('-10.0');
    expect(parseDecimal(Number.NaN)).toBeUndefined();
    expect(parseDecimal('000')).toBe('0');
    expect(parseDecimal(' 2.5 ')).toBe('2.5');
    expect(parseDecimal(-0.02)).toBe('-0.02');
    expect(parseDecimal(0)).toBe('0');
    expect(parseDecimal(1.5e-10)).toBe('0.00000000015');
    expect(parseDecimal(2e-7)).toBe('0.0000002');
    expect(parseDecimal(1e21)).toBeUndefined();
    expect(parseDecimal(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal('1e5')).toBeUndefined();
    expect(parseDecimal(true)).toBeUndefined();
    expect(parseDecimal({ amount: '1' })).toBeUndefined();
    expect(parseDecimal(undefined)).toBeUndefined();
  });
});
