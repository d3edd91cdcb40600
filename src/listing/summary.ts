/**
 * Summaries of verifications for support and finance screens: counts by provider, status
 * and channel, and exact cost totals per currency (overall, per provider, per channel).
 * Costs that are not final yet are counted apart, never as zero.
 */
import { CostAccumulator, type CostTotals } from '../money.js';
import type { Verification, VerificationStatus } from '../model.js';

/** What {@link summarize} returns. */
export interface Summary {
  /** How many verifications. */
  readonly count: number;
  /** Counts per provider instance. */
  readonly byProvider: Readonly<Record<string, number>>;
  /** Counts per status. */
  readonly byStatus: Readonly<Record<VerificationStatus, number>>;
  /** By the channel that delivered the code, else the first channel of the plan. */
  readonly byChannel: Readonly<Record<string, number>>;
  /** Exact totals per currency, with how many costs were final (`priced`) and not yet (`unpriced`). */
  readonly cost: CostTotals;
  /** Exact totals per provider instance. */
  readonly costByProvider: Readonly<Record<string, CostTotals>>;
  /** Exact totals per channel. */
  readonly costByChannel: Readonly<Record<string, CostTotals>>;
}

/** The channel a verification is counted under. */
export function channelOf(verification: Verification): string {
  return verification.deliveredChannel ?? verification.channels[0]?.channel ?? 'unknown';
}

/**
 * Adds verifications one at a time (for streams of any length); `result()` is the summary
 * so far.
 *
 * @example
 * ```ts
 * const summarizer = new Summarizer();
 * for await (const v of listAcross(providers, { from, to })) summarizer.add(v);
 * console.log(summarizer.result().cost.totals); // [{ amount: '12.3400000', currency: 'EUR' }]
 * ```
 */
export class Summarizer {
  #count = 0;
  readonly #byProvider = new Map<string, number>();
  readonly #byStatus: Record<VerificationStatus, number> = { pending: 0, verified: 0, failed: 0, expired: 0, canceled: 0 };
  readonly #byChannel = new Map<string, number>();
  readonly #cost = new CostAccumulator();
  readonly #costByProvider = new Map<string, CostAccumulator>();
  readonly #costByChannel = new Map<string, CostAccumulator>();

  /** Counts one verification. */
  add(verification: Verification): void {
    // A test number's verification cost nothing and is nobody's traffic.
    if (verification.test) return;
    this.#count++;
    const channel = channelOf(verification);
    this.#byProvider.set(verification.provider, (this.#byProvider.get(verification.provider) ?? 0) + 1);
    this.#byStatus[verification.status]++;
    this.#byChannel.set(channel, (this.#byChannel.get(channel) ?? 0) + 1);
    this.#cost.add(verification.cost);
    totalsOf(this.#costByProvider, verification.provider).add(verification.cost);
    totalsOf(this.#costByChannel, channel).add(verification.cost);
  }

  /** The summary of everything added so far. */
  result(): Summary {
    return {
      count: this.#count,
      byProvider: Object.fromEntries(this.#byProvider),
      byStatus: { ...this.#byStatus },
      byChannel: Object.fromEntries(this.#byChannel),
      cost: this.#cost.result(),
      costByProvider: Object.fromEntries([...this.#costByProvider].map(([k, t]) => [k, t.result()])),
      costByChannel: Object.fromEntries([...this.#costByChannel].map(([k, t]) => [k, t.result()])),
    };
  }
}

function totalsOf(map: Map<string, CostAccumulator>, key: string): CostAccumulator {
  let totals = map.get(key);
  if (!totals) map.set(key, (totals = new CostAccumulator()));
  return totals;
}

/**
 * Counts and exact cost totals of a set of verifications.
 *
 * @example
 * ```ts
 * const report = summarize(verifications);
 * report.cost.totals;     // [{ amount: '1.2642918', currency: 'EUR' }]
 * report.cost.unpriced;   // how many had no final cost yet
 * report.byProvider;      // { lox24: 10, notificore: 4 }
 * ```
 */
export function summarize(verifications: Iterable<Verification>): Summary;
/** The same over a stream (`listAcross(...)`, a provider's `list()`), read once, in flat memory. */
export function summarize(verifications: AsyncIterable<Verification>): Promise<Summary>;
export function summarize(verifications: Iterable<Verification> | AsyncIterable<Verification>): Summary | Promise<Summary> {
  const summarizer = new Summarizer();
  if (Symbol.iterator in verifications) {
    for (const verification of verifications) summarizer.add(verification);
    return summarizer.result();
  }
  return (async () => {
    for await (const verification of verifications) summarizer.add(verification);
    return summarizer.result();
  })();
}
