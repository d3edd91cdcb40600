/**
 * Exact money. Amounts are decimal strings (`'1.20'`), never floats; sums use scaled
 * bigint arithmetic, per currency.
 */

/** An exact amount of money. */
export interface Money {
  /** Decimal string with `.` as separator, e.g. `'1.20'` or `'0.0642918'`. */
  readonly amount: string;
  /** ISO 4217 code, e.g. `'EUR'`. */
  readonly currency: string;
}

const DECIMAL = /^(-)?(\d+)(?:[.,](\d+))?$/;

/** A decimal as sign, digits and the number of them after the point. */
interface Decimal {
  readonly negative: boolean;
  readonly digits: string;
  readonly scale: number;
}

function toDecimal(amount: string): Decimal {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError('not a decimal amount');
  const [, sign, whole, fraction = ''] = match;
  return { negative: sign !== undefined, digits: `${whole}${fraction}`, scale: fraction.length };
}

/** Formats an integer count of 10^-scale units (a number below 2^53, or a bigint). */
function formatUnits(units: number | bigint, scale: number): string {
  const negative = units < 0;
  const digits = String(negative ? -units : units).padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** The units of `value` at a larger `scale`, as a decimal digit string. */
function digitsAt(value: Decimal, scale: number): string {
  return value.digits + '0'.repeat(scale - value.scale);
}

/** Exact sum; plain numbers while every operand has at most 15 digits (exact below 2^53), else bigint. */
function sum(a: Decimal, b: Decimal): string {
  const scale = Math.max(a.scale, b.scale);
  const x = digitsAt(a, scale);
  const y = digitsAt(b, scale);
  if (x.length <= 15 && y.length <= 15) return formatUnits((a.negative ? -1 : 1) * Number(x) + (b.negative ? -1 : 1) * Number(y), scale);
  return formatUnits((a.negative ? -1n : 1n) * BigInt(x) + (b.negative ? -1n : 1n) * BigInt(y), scale);
}

/**
 * Parses a vendor amount exactly: a JSON number, or a string with `.` or `,` as the
 * decimal separator (Notificore's `"0,02"`). Returns `undefined` for anything else.
 * A JSON number is read from its shortest round-trip text, which is the text the vendor sent
 * for any amount with up to 15 significant digits.
 */
export function parseDecimal(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    text = numberToPlainString(value); // NaN and Infinity fail the pattern below
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return undefined;
  }
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction] = match as unknown as [string, string | undefined, string, string | undefined];
  const integer = whole.replace(/^0+(?=\d)/, '');
  const zero = /^0*$/.test(whole + (fraction ?? ''));
  return `${sign && !zero ? '-' : ''}${integer}${fraction === undefined ? '' : `.${fraction}`}`;
}

// `String(1e-7)` is '1e-7': expand exponents so the decimal parser accepts it.
function numberToPlainString(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

/**
 * Money from an integer count of minor units (LOX24 reports euro cents).
 *
 * @example
 * ```ts
 * fromMinorUnits(120, 'EUR'); // { amount: '1.20', currency: 'EUR' }
 * ```
 */
export function fromMinorUnits(units: number, currency: string, exponent = 2): Money {
  if (!Number.isSafeInteger(units)) throw new RangeError('minor units must be a safe integer');
  return { amount: formatUnits(units, exponent), currency };
}

/** An amount in its plain form (`'007.50'` → `'7.50'`); a `RangeError` when it is not a decimal. */
function normalized(amount: string): string {
  const plain = parseDecimal(amount);
  if (plain === undefined) throw new RangeError('not a decimal amount');
  return plain;
}

/** Adds two amounts of the same currency; the result keeps the larger number of decimals. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`cannot add amounts in ${a.currency} and ${b.currency}`);
  return { amount: sum(toDecimal(a.amount), toDecimal(b.amount)), currency: a.currency };
}

/**
 * An amount divided by a whole count, rounded half away from zero to `decimals` places (6 by
 * default) — for averages such as the cost of one verified user. Sums stay exact; a quotient
 * cannot always be, so it is rounded once, here.
 *
 * @example
 * ```ts
 * divideMoney({ amount: '1.00', currency: 'EUR' }, 3); // { amount: '0.333333', currency: 'EUR' }
 * ```
 */
export function divideMoney(money: Money, by: number, decimals = 6): Money {
  if (!Number.isSafeInteger(by) || by <= 0) throw new RangeError('the divisor must be a positive whole number');
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) throw new RangeError('decimals must be 0 to 20');
  const value = toDecimal(money.amount);
  // units at `decimals` places = digits × 10^decimals / (10^scale × by), rounded half up on the magnitude.
  const numerator = BigInt(value.digits) * 10n ** BigInt(decimals);
  const denominator = 10n ** BigInt(value.scale) * BigInt(by);
  let units = numerator / denominator;
  if ((numerator % denominator) * 2n >= denominator) units++;
  return { amount: formatUnits(value.negative && units !== 0n ? -units : units, decimals), currency: money.currency };
}

/** Exact totals per currency, in first-seen currency order. */
export interface CostTotals {
  /** One entry per currency. */
  readonly totals: readonly Money[];
  /** How many items had a final cost. */
  readonly priced: number;
  /** How many items had no final cost yet (`cost: null`): not counted as zero. */
  readonly unpriced: number;
}

/** Adds costs one at a time, exactly, per currency; `null` costs are counted apart. */
export class CostAccumulator {
  readonly #byCurrency = new Map<string, Money>();
  #priced = 0;
  #unpriced = 0;

  /** Adds one cost; `null` (not final yet) is counted in `unpriced`. */
  add(cost: Money | null): void {
    if (cost === null) {
      this.#unpriced++;
      return;
    }
    const sum = this.#byCurrency.get(cost.currency);
    // The first amount of a currency is checked as every later one is (by addMoney).
    const next = sum ? addMoney(sum, cost) : { amount: normalized(cost.amount), currency: cost.currency };
    this.#priced++;
    this.#byCurrency.set(cost.currency, next);
  }

  /** Adds everything `other` has added: its sums and its counts. */
  merge(other: CostAccumulator): void {
    for (const [currency, total] of other.#byCurrency) {
      const sum = this.#byCurrency.get(currency);
      this.#byCurrency.set(currency, sum ? addMoney(sum, total) : total);
    }
    this.#priced += other.#priced;
    this.#unpriced += other.#unpriced;
  }

  /** The totals so far. */
  result(): CostTotals {
    return { totals: [...this.#byCurrency.values()], priced: this.#priced, unpriced: this.#unpriced };
  }
}

/**
 * Sums costs exactly, per currency. `null` costs (not final yet) are counted in
 * `unpriced`, never as zero.
 *
 * @example
 * ```ts
 * sumCosts([{ cost: { amount: '1.20', currency: 'EUR' } }, { cost: null }]);
 * // { totals: [{ amount: '1.20', currency: 'EUR' }], priced: 1, unpriced: 1 }
 * ```
 */
export function sumCosts(items: Iterable<{ readonly cost: Money | null }>): CostTotals {
  const accumulator = new CostAccumulator();
  for (const { cost } of items) accumulator.add(cost);
  return accumulator.result();
}
