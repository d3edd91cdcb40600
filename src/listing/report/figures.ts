/**
 * How the report writes its figures for people: percentages, durations, money.
 */
import type { Scorecard } from '../scorecard.js';
import type { Money } from '../../money.js';

/** A ratio as a percentage (`0.5` → `50.0 %`); `—` for none. */
export function percent(ratio: number | null, digits = 1): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(digits)} %`;
}

/** Seconds for people (`42 s`, `3 min 20 s`, `2 h 5 min`); `—` for none. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) return seconds % 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds / 60} min`;
  const minutes = Math.floor((seconds % 3_600) / 60);
  return `${Math.floor(seconds / 3_600)} h${minutes ? ` ${minutes} min` : ''}`;
}

export const moneyText = (m: Money) => `${m.amount} ${m.currency}`;

/** The currency most verifications were priced in (the cost chart's), if any. */
export function mainCurrency(card: Scorecard): string | undefined {
  const priced = new Map<string, number>();
  for (const row of card.byProvider) for (const total of row.cost.totals) priced.set(total.currency, (priced.get(total.currency) ?? 0) + row.cost.priced);
  return [...priced].sort((a, b) => b[1] - a[1])[0]?.[0];
}
