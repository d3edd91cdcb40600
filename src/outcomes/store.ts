/**
 * Outcomes of verifications, recorded once: per member and destination (a country, a number
 * prefix, all), how many starts converted (the right code was checked) and how many did not
 * (expired, used up, canceled — a start past its expiry counts as not converted), with what
 * they cost. Counters decay over a window, so a vendor whose quality drifts shows it; and they
 * are bounded, so memory does not grow with traffic. What `adaptive()` decides from.
 */

/** The decayed counts of one key at one time. */
export interface Tally {
  /** Starts that converted. */
  readonly converted: number;
  /** Starts that did not. */
  readonly notConverted: number;
  /** The summed cost of the starts with a known cost, in the main currency. */
  readonly cost: number;
  /** Starts with a known cost. */
  readonly costed: number;
}

/** A start waiting for its outcome. */
export interface PendingOutcome {
  /** The keys its outcome counts under (`member|c:DE`, `member|p:+491701`, `member|*`). */
  readonly keys: readonly string[];
  /** When it stops being checkable (epoch ms): past it, it counts as not converted. */
  readonly expiresAt: number;
  /** Its cost in the main currency, where known. */
  readonly cost?: number;
}

/** A start whose outcome was counted, kept for the window so that feedback can take it back. */
export interface SettledOutcome extends PendingOutcome {
  /** Whether it converted. */
  readonly converted: boolean;
  /** When it was counted (epoch ms). */
  readonly at: number;
}

/**
 * Where outcomes live: in this process (`MemoryOutcomeStore`, the default) or shared by every
 * instance (`RedisCodeStore.outcomes` of `polyverify/redis`). Each method is atomic for its id.
 */
export interface OutcomeStore {
  /** Remembers a start until it is settled or expires. */
  pend(id: string, pending: PendingOutcome): Promise<void>;
  /** Counts a pending start as converted or not, once (a second settle of one id does nothing and returns undefined). */
  settle(id: string, converted: boolean, now: number): Promise<SettledOutcome | undefined>;
  /** Counts up to `limit` starts past their expiry as not converted; returns how many. */
  expire(now: number, limit: number): Promise<number>;
  /** Takes a counted outcome back out (the start was fraud), while it is remembered; returns it. */
  retract(id: string, now: number): Promise<SettledOutcome | undefined>;
  /** The tallies of `keys` at `now`, decayed (zeros for a key never counted). */
  tallies(keys: readonly string[], now: number): Promise<Tally[]>;
  /** Remembers that the id `from` now means `to` (a resend that moved to another member), for the window at most. */
  link(from: string, to: string): Promise<void>;
  /** What `id` was linked to, if it was. */
  linked(id: string): Promise<string | undefined>;
}

/** How counters age: weights fall by e every `windowMs`, and a key's outcomes are capped at `maxOutcomes`. */
export interface DecayOptions {
  /** The time constant of the decay (7 days). */
  readonly windowMs?: number;
  /**
   * The most outcomes a key holds (500): past it, older ones weigh less. It bounds how long a
   * change takes to show — a vendor that drops is seen within a few hundred outcomes, whatever
   * its history.
   */
  readonly maxOutcomes?: number;
}

/** A tally with its time: what a store keeps per key. */
export interface TimedTally extends Tally {
  /** When it was last brought up to date (epoch ms). */
  readonly at: number;
}

export const ZERO: Tally = { converted: 0, notConverted: 0, cost: 0, costed: 0 };

/** `tally` aged to `now`: every count times e^(−Δt / window). */
export function decayed(tally: TimedTally | undefined, now: number, windowMs: number): Tally {
  if (!tally) return ZERO;
  const factor = Math.exp(-Math.max(0, now - tally.at) / windowMs);
  return { converted: tally.converted * factor, notConverted: tally.notConverted * factor, cost: tally.cost * factor, costed: tally.costed * factor };
}

/**
 * `tally` aged to `now` with one outcome added — or, with a negative `weight`, taken out (an
 * outcome counted at `t` weighs e^(−(now − t) / window) by `now`) — capped at `maxOutcomes`.
 */
export function counted(tally: TimedTally | undefined, outcome: { converted: boolean; cost?: number | undefined }, now: number, options: Required<DecayOptions>, weight = 1): TimedTally {
  const aged = decayed(tally, now, options.windowMs);
  const hasCost = outcome.cost !== undefined;
  const sign = weight;
  let next = {
    converted: Math.max(0, aged.converted + (outcome.converted ? sign : 0)),
    notConverted: Math.max(0, aged.notConverted + (outcome.converted ? 0 : sign)),
    cost: Math.max(0, aged.cost + (hasCost ? sign * outcome.cost! : 0)),
    costed: Math.max(0, aged.costed + (hasCost ? sign : 0)),
  };
  const total = next.converted + next.notConverted;
  if (total > options.maxOutcomes) {
    const scale = options.maxOutcomes / total;
    next = { converted: next.converted * scale, notConverted: next.notConverted * scale, cost: next.cost * scale, costed: next.costed * scale };
  }
  return { ...next, at: now };
}

/** The decay options with their defaults. */
export function decayOptions(options: DecayOptions = {}): Required<DecayOptions> {
  return { windowMs: options.windowMs ?? 7 * 86_400_000, maxOutcomes: options.maxOutcomes ?? 500 };
}
