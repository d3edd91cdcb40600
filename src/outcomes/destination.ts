/**
 * Where a start goes, as outcomes are counted: its country and its number prefix — never the
 * number. A prefix is the number without its last six digits (`+491701234567` → `+491701`),
 * wide enough to hold many subscribers and narrow enough to show a pumped range.
 */
import type { Recipient } from '../model.js';

/** A start's destination. */
export interface Destination {
  /** ISO 3166-1 alpha-2 of the number, `unknown` where the metadata has none, `email` for an address. */
  readonly country: string;
  /** The number without its last six digits, or `@domain` for an address. */
  readonly prefix: string;
}

/** Digits a prefix leaves out. */
export const PREFIX_DROPS = 6;

/** The destination of `to`, with `countryOf` reading a number's country. */
export function destinationOf(to: Recipient, countryOf: (phone: string) => string | undefined): Destination {
  if (typeof to !== 'string') return { country: 'email', prefix: `@${to.email.slice(to.email.lastIndexOf('@') + 1).toLowerCase()}` };
  // At least the `+` and two digits stay: a prefix never narrows to one subscriber, nor widens to nothing.
  return { country: countryOf(to) ?? 'unknown', prefix: to.slice(0, Math.max(3, to.length - PREFIX_DROPS)) };
}

/** The keys one member's outcomes at `destination` count under: all, the country, the prefix. */
export function outcomeKeys(member: string, destination: Destination): [all: string, country: string, prefix: string] {
  return [`${member}|*`, `${member}|c:${destination.country}`, `${member}|p:${destination.prefix}`];
}
