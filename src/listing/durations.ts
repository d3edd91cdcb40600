/**
 * Durations in whole seconds, counted in a fixed set of bins so that any number of them takes the
 * same memory: one bin per second up to 10 minutes, per 10 seconds up to an hour, per minute up
 * to a day, and one bin beyond. Vendors stamp times to the second, so below 10 minutes the
 * quantiles are exact; above, they are the lower edge of their bin (at most 10 s, then 60 s off).
 */

const SECOND_BINS = 600; // 0 … 599 s
const TEN_SECOND_BINS = 300; // 600 … 3 599 s
const MINUTE_BINS = 1_380; // 3 600 … 86 399 s
const BINS = SECOND_BINS + TEN_SECOND_BINS + MINUTE_BINS + 1;
const DAY = 86_400;

function binOf(seconds: number): number {
  if (seconds < 600) return seconds;
  if (seconds < 3_600) return SECOND_BINS + Math.floor((seconds - 600) / 10);
  if (seconds < DAY) return SECOND_BINS + TEN_SECOND_BINS + Math.floor((seconds - 3_600) / 60);
  return BINS - 1;
}

function lowerEdge(bin: number): number {
  if (bin < SECOND_BINS) return bin;
  if (bin < SECOND_BINS + TEN_SECOND_BINS) return 600 + (bin - SECOND_BINS) * 10;
  if (bin < BINS - 1) return 3_600 + (bin - SECOND_BINS - TEN_SECOND_BINS) * 60;
  return DAY;
}

/** A histogram of durations in seconds, of fixed size. */
export class DurationHistogram {
  readonly #counts = new Uint32Array(BINS);
  #count = 0;

  /** Counts one duration (negative ones, from clock skew, as 0). */
  add(seconds: number): void {
    this.#counts[binOf(Math.max(0, Math.floor(seconds)))]!++;
    this.#count++;
  }

  /** Adds every duration of `other`. */
  merge(other: DurationHistogram): void {
    for (let i = 0; i < BINS; i++) this.#counts[i]! += other.#counts[i]!;
    this.#count += other.#count;
  }

  get count(): number {
    return this.#count;
  }

  /** The nearest-rank quantile (`q` in (0, 1]) in seconds, or null when empty. */
  quantile(q: number): number | null {
    if (this.#count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return lowerEdge(i);
    }
    return DAY;
  }

  /** How many durations fall in each range `[edges[i], edges[i+1])`, the last one open-ended (one below `edges[0]` counts in the first). */
  countsBetween(edges: readonly number[]): number[] {
    const counts = edges.map(() => 0);
    for (let i = 0; i < BINS; i++) {
      const n = this.#counts[i]!;
      if (n === 0) continue;
      const at = lowerEdge(i);
      let slot = edges.length - 1;
      while (slot > 0 && at < edges[slot]!) slot--;
      counts[slot]! += n;
    }
    return counts;
  }
}
