/**
 * The pick of `adaptive()`: a cost-subsidy bandit in its explore-then-commit form (Sinha et al.,
 * "Multi-armed bandits with cost subsidy", AISTATS 2021 — written for choosing among SMS
 * vendors). Each member is an arm whose reward is conversion and whose cost is its price per
 * start. The goal is not the best conversion but the cheapest member whose conversion is within
 * a share α of the best: "balanced" gives up at most 5 % of conversion to save money. The paper
 * shows plain UCB and Thompson sampling do badly on this objective and an explore-then-commit
 * policy is near-optimal; this is that policy, per destination country, with
 *
 * - exploration until each member has `minOutcomes` outcomes in the country (chosen uniformly
 *   among those that have fewer);
 * - estimates shrunk toward wider levels (prefix → country → all destinations), so a prefix or a
 *   country with few outcomes borrows what the member does elsewhere (empirical Bayes; a prefix
 *   counts only once it has `minOutcomes` outcomes of its own);
 * - a floor: with probability `floor` per other member, one of them is picked, so that the
 *   estimates of members out of favour stay fresh and a drift shows (with the decay of the
 *   counters, which forgets the distant past).
 */
import type { ArmFigures } from '../events.js';
import type { Tally } from '../outcomes/store.js';

/** What the policy knows of one member at one destination. */
export interface Arm {
  /** The member's name. */
  readonly member: string;
  /** Its outcomes everywhere, in the destination's country, and in its prefix. */
  readonly all: Tally;
  readonly country: Tally;
  readonly prefix: Tally;
  /** Its price of one start here, or null when unknown. */
  readonly price: number | null;
}

/** The policy's parameters for one pick. */
export interface PolicyParameters {
  /** The conversion a cheaper member may give up, as a share of the best (0: none). */
  readonly alpha: number;
  /** Outcomes a member needs in a country before it can win there. */
  readonly minOutcomes: number;
  /** The chance, per other member, that the pick goes to it anyway. */
  readonly floor: number;
}

/** A pick: every member in the order to try, and why the first. */
export interface Pick {
  /** Members in the order to try (the next on a failure that sent nothing). */
  readonly order: readonly string[];
  /** Whether the first was picked to learn (`explore`) or as the best (`exploit`). */
  readonly mode: 'explore' | 'exploit';
  /** Why, in a few words. */
  readonly reason: string;
  /** Each member as the policy saw it. */
  readonly figures: readonly ArmFigures[];
}

const outcomesOf = (t: Tally): number => t.converted + t.notConverted;

/**
 * A member's conversion at the destination: the country's, shrunk toward the member's everywhere
 * (a pseudo-count of `minOutcomes / 2`), itself shrunk toward an even chance (Laplace); where the
 * prefix has `minOutcomes` outcomes of its own, the prefix's, shrunk toward that (a pseudo-count
 * of `minOutcomes`). A prefix with fewer outcomes adds noise, not knowledge, and is left out.
 */
export function estimate(arm: Arm, minOutcomes: number): number {
  const k = Math.max(1, minOutcomes / 2);
  const all = (arm.all.converted + 1) / (outcomesOf(arm.all) + 2);
  const country = (arm.country.converted + k * all) / (outcomesOf(arm.country) + k);
  if (outcomesOf(arm.prefix) < minOutcomes) return country;
  return (arm.prefix.converted + minOutcomes * country) / (outcomesOf(arm.prefix) + minOutcomes);
}

/** The order of members by the policy, and the first one's reason. */
export function pick(arms: readonly Arm[], parameters: PolicyParameters, random: () => number): Pick {
  const figures = arms.map((arm) => ({ member: arm.member, outcomes: round(outcomesOf(arm.country)), conversion: outcomesOf(arm.all) + outcomesOf(arm.country) > 0 ? round(estimate(arm, parameters.minOutcomes)) : null, price: arm.price }));
  const estimates = new Map(arms.map((arm) => [arm.member, estimate(arm, parameters.minOutcomes)]));
  const best = Math.max(...estimates.values());
  const within = (arm: Arm) => estimates.get(arm.member)! >= (1 - parameters.alpha) * best;
  // The policy's preference: within α of the best, cheapest first (unknown prices last), better conversion on ties; then the rest by conversion.
  const preferred = [...arms].sort((a, b) => {
    const [inA, inB] = [within(a), within(b)];
    if (inA !== inB) return inA ? -1 : 1;
    if (inA) {
      const byPrice = (a.price ?? Infinity) - (b.price ?? Infinity);
      if (byPrice !== 0 && !Number.isNaN(byPrice)) return byPrice;
    }
    return estimates.get(b.member)! - estimates.get(a.member)!;
  });
  const first = (member: Arm, mode: Pick['mode'], reason: string): Pick => ({ order: [member.member, ...preferred.filter((arm) => arm !== member).map((arm) => arm.member)], mode, reason, figures });

  const learning = arms.filter((arm) => outcomesOf(arm.country) < parameters.minOutcomes);
  if (learning.length > 0) return first(learning[Math.floor(random() * learning.length)]!, 'explore', `fewer than ${parameters.minOutcomes} outcomes here`);
  const others = preferred.slice(1);
  if (others.length > 0 && random() < parameters.floor * others.length) return first(others[Math.floor(random() * others.length)]!, 'explore', 'floor');
  const chosen = preferred[0]!;
  return first(chosen, 'exploit', parameters.alpha === 0 ? 'best conversion' : `cheapest within ${Math.round(parameters.alpha * 100)} % of the best conversion`);
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;
