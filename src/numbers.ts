/**
 * What a phone number is: its country, whether it is a real number for that country, and its
 * type — from libphonenumber-js, loaded only when something needs it (a guard rule, a scorecard):
 * "min" metadata for the country, "max" for validity and type (the min metadata accepts numbers
 * too short to exist).
 */
import { countriesFrom } from './tracing.js';

/** What the guard learns about a number. */
export interface NumberFacts {
  /** ISO 3166-1 alpha-2, or undefined (a non-geographic or unknown calling code). */
  readonly country: string | undefined;
  /** Valid for its country (only asked with the max metadata). */
  readonly valid?: boolean;
  /** libphonenumber-js's type (`MOBILE`, `PREMIUM_RATE`, …), where the metadata can tell. */
  readonly type?: string | undefined;
}

type Parse = (text: string) => { country?: string; isValid(): boolean; getType?(): string | undefined; getPossibleCountries?(): string[] } | undefined;

let min: Promise<Parse> | undefined;
let max: Promise<Parse> | undefined;

/** A metadata's parser, loaded once; the tracing channels get countries from whichever loads first. */
function load(kind: 'min' | 'max'): Promise<Parse> {
  const loaded = kind === 'min' ? import('libphonenumber-js/min') : import('libphonenumber-js/max');
  const parse = loaded.then((m) => m.parsePhoneNumberFromString as unknown as Parse);
  countriesFrom(parse.then((p) => (phone: string) => p(phone)?.country));
  return parse;
}
const loadMin = (): Promise<Parse> => (min ??= load('min'));

/** The facts of `phone` (E.164); `strict` loads the full metadata and answers validity and type. */
export async function numberFacts(phone: string, strict: boolean): Promise<NumberFacts> {
  const parse = await (strict
    ? (max ??= load('max'))
    : loadMin());
  const parsed = parse(phone);
  if (!parsed) return strict ? { country: undefined, valid: false, type: undefined } : { country: undefined };
  return strict ? { country: parsed.country, valid: parsed.isValid(), type: parsed.getType?.() } : { country: parsed.country };
}

/**
 * A function giving the country (ISO 3166-1 alpha-2) of an E.164 number, or undefined — for
 * code that asks for many numbers in a row (loads the metadata once). `lenient`: a number the
 * metadata cannot place (too short, too long) gets the first country of its calling code
 * (`+39 3…` → IT), as routing wants a country for every start.
 */
export async function countryParser(lenient = false): Promise<(phone: string) => string | undefined> {
  const parse = await loadMin();
  return lenient ? (phone) => { const parsed = parse(phone); return parsed?.country ?? parsed?.getPossibleCountries?.()[0]; } : (phone) => parse(phone)?.country;
}

/** Types a message may be sent to under `strictNumbers`: never premium-rate or shared-cost lines. */
export const COSTLY_TYPES: readonly string[] = ['PREMIUM_RATE', 'SHARED_COST'];
/** Types that can receive an SMS, for `mobileOnly`. */
export const MOBILE_TYPES: readonly string[] = ['MOBILE', 'FIXED_LINE_OR_MOBILE'];

/**
 * Number ranges regulators keep for drama and examples, which never reach a phone: Ofcom's
 * (UK mobile 07700 900000–900999, London 020 7946 0000–0999) and the NANP's (555-0100–0199 in
 * every area code). A developer's first test number is often one of them.
 */
const FICTION_RANGES: readonly (readonly [RegExp, string])[] = [
  [/^\+447700900\d{3}$/, "Ofcom's 07700 900xxx"],
  [/^\+442079460\d{3}$/, "Ofcom's 020 7946 0xxx"],
  [/^\+1\d{3}55501\d{2}$/, "the NANP's 555-01xx"],
];

/** The name of the drama range `phone` (E.164) is in, or undefined for any other number. */
export function fictionRange(phone: string): string | undefined {
  return FICTION_RANGES.find(([range]) => range.test(phone))?.[1];
}
