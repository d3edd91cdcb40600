/**
 * The vendor scorecard: how well each provider does, per country and channel — conversion,
 * time to verify, delivery failures and what one verified user costs — from any stream of
 * verifications (`listAcross`, a provider's `list()`, an export read back), in memory that does
 * not grow with the stream's length.
 */
import { CostAccumulator, divideMoney, type CostTotals, type Money } from '../money.js';
import type { Verification, VerificationStatus } from '../model.js';
import { countryParser } from '../numbers.js';
import { DurationHistogram } from './durations.js';
import { channelOf } from './summary.js';

/** The width of the volume series' buckets (UTC). */
export type ScoreBucket = 'day' | 'hour';

/** Options of {@link scorecard}. */
export interface ScorecardOptions {
  /** Buckets of the volume series: `'day'` (default) or `'hour'`, in UTC. */
  readonly bucket?: ScoreBucket;
  /**
   * The country of a number, for verifications whose vendor reports none (LOX24 and Bird do
   * not). Default: libphonenumber-js's metadata, loaded once. Return undefined for unknown.
   */
  readonly countryOf?: (phone: string) => string | undefined;
  /** Decimal places of the cost per verified user (a rounded quotient; 6 by default). */
  readonly costDecimals?: number;
}

/** How long the users who verified took, created → verified. */
export interface TimeToVerify {
  /** Verified verifications whose vendor gave the time it finished. */
  readonly measured: number;
  /** Verified ones without that time (the vendor does not give it): left out of the quantiles. */
  readonly unknown: number;
  /** Median, seconds; null when none was measured. */
  readonly medianSeconds: number | null;
  /** 90th percentile, seconds; null when none was measured. */
  readonly p90Seconds: number | null;
}

/** The figures of one group of verifications. */
export interface ScoreFigures {
  /** Every verification in the group. */
  readonly started: number;
  /** How many are in each status. */
  readonly byStatus: Readonly<Record<VerificationStatus, number>>;
  /** Started ones that are finished (every status but `pending`). */
  readonly finished: number;
  /** `verified / finished`: the not-yet-finished (`byStatus.pending`) are counted apart. Null when nothing finished. */
  readonly conversion: number | null;
  /** How long verified users took. */
  readonly timeToVerify: TimeToVerify;
  /** Exact totals per currency; costs not final yet are counted in `unpriced`, never as zero. */
  readonly cost: CostTotals;
  /**
   * Total final cost ÷ verified users, per currency (rounded to `costDecimals`). When some
   * costs are not final (`cost.unpriced > 0`) it is a lower bound; empty when none verified.
   */
  readonly costPerVerified: readonly Money[];
}

/** One provider × country × channel group (or a roll-up of them, where country or channel is `'*'`). */
export interface ScoreRow extends ScoreFigures {
  /** The provider instance's name. */
  readonly provider: string;
  /** ISO 3166-1 alpha-2 from the vendor, else from the number; `'unknown'` when neither says; `'*'` in roll-ups. */
  readonly country: string;
  /** The channel that delivered the code, else the plan's first; `'*'` in roll-ups. */
  readonly channel: string;
}

/** Delivery attempts of one provider on one channel. */
export interface ChannelDelivery {
  /** The provider instance's name. */
  readonly provider: string;
  /** The channel attempted. */
  readonly channel: string;
  /** Attempts on it. */
  readonly attempts: number;
  /** Attempts the vendor reports delivered. */
  readonly delivered: number;
  /** Attempts the vendor reports `failed` or `error`. */
  readonly failed: number;
  /** Attempts still `queued` or `sending`. */
  readonly inFlight: number;
  /** `failed / (delivered + failed)`; null when none has an outcome yet. */
  readonly failureRate: number | null;
}

/** Verifications started in one time bucket, per provider. */
export interface VolumePoint {
  /** The bucket's start, ISO 8601 (UTC). */
  readonly bucket: string;
  /** The provider instance's name. */
  readonly provider: string;
  /** Verifications started in the bucket. */
  readonly started: number;
  /** Of those, verified. */
  readonly verified: number;
  /** Of those, still pending. */
  readonly pending: number;
}

/** What {@link scorecard} returns. */
export interface Scorecard {
  /** How many verifications were scored. */
  readonly count: number;
  /** The first and last creation times seen (ISO 8601), or null when empty. */
  readonly firstCreatedAt: string | null;
  /** The last creation time seen (ISO 8601), or null when empty. */
  readonly lastCreatedAt: string | null;
  /** The width of the volume series' buckets. */
  readonly bucket: ScoreBucket;
  /** Per provider × country × channel, sorted by provider, country, channel. */
  readonly rows: readonly ScoreRow[];
  /** Per provider × country (channel `'*'`). */
  readonly byProviderCountry: readonly ScoreRow[];
  /** Per provider (country and channel `'*'`). */
  readonly byProvider: readonly ScoreRow[];
  /** Delivery attempts per provider × channel, from every verification's `attempts`. */
  readonly delivery: readonly ChannelDelivery[];
  /** Started, verified and pending per time bucket and provider, oldest first. */
  readonly volume: readonly VolumePoint[];
  /**
   * The distribution of time to verify per provider: `counts[provider][i]` users verified in
   * `[edgesSeconds[i], edgesSeconds[i+1])` seconds, the last range open-ended.
   */
  readonly timeToVerifyHistogram: {
    /** The ranges' lower edges, seconds: 0, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600. */
    readonly edgesSeconds: readonly number[];
    /** Per provider, users verified in each range. */
    readonly counts: Readonly<Record<string, readonly number[]>>;
  };
}

/** The ranges of the time-to-verify distribution, seconds. */
export const TIME_TO_VERIFY_EDGES: readonly number[] = [0, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600];

const STATUSES: readonly VerificationStatus[] = ['pending', 'verified', 'failed', 'expired', 'canceled'];

class Group {
  readonly byStatus: Record<VerificationStatus, number> = { pending: 0, verified: 0, failed: 0, expired: 0, canceled: 0 };
  started = 0;
  unknownTime = 0;
  readonly durations = new DurationHistogram();
  readonly cost = new CostAccumulator();

  add(verification: Verification): void {
    this.started++;
    this.byStatus[verification.status]++;
    this.cost.add(verification.cost);
    if (verification.status !== 'verified') return;
    if (verification.finishedAt === undefined) this.unknownTime++;
    else this.durations.add((verification.finishedAt.getTime() - verification.createdAt.getTime()) / 1000);
  }

  merge(other: Group): void {
    this.started += other.started;
    for (const status of STATUSES) this.byStatus[status] += other.byStatus[status];
    this.unknownTime += other.unknownTime;
    this.durations.merge(other.durations);
    this.cost.merge(other.cost);
  }

  figures(costDecimals: number): ScoreFigures {
    const finished = this.started - this.byStatus.pending;
    const cost = this.cost.result();
    const verified = this.byStatus.verified;
    return {
      started: this.started,
      byStatus: { ...this.byStatus },
      finished,
      conversion: finished === 0 ? null : verified / finished,
      timeToVerify: {
        measured: this.durations.count,
        unknown: this.unknownTime,
        medianSeconds: this.durations.quantile(0.5),
        p90Seconds: this.durations.quantile(0.9),
      },
      cost,
      costPerVerified: verified === 0 ? [] : cost.totals.map((total) => divideMoney(total, verified, costDecimals)),
    };
  }
}

class Delivery {
  attempts = 0;
  delivered = 0;
  failed = 0;
  inFlight = 0;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Scores verifications one at a time; `result()` is the scorecard so far. Memory grows with
 * the number of groups (providers × countries × channels) and time buckets, not with the
 * number of verifications. Make one with {@link createScorer}.
 */
export class Scorer {
  readonly #countryOf: (phone: string) => string | undefined;
  readonly #bucket: ScoreBucket;
  readonly #costDecimals: number;
  readonly #groups = new Map<string, { provider: string; country: string; channel: string; group: Group }>();
  readonly #delivery = new Map<string, { provider: string; channel: string; delivery: Delivery }>();
  readonly #volume = new Map<string, { bucket: string; provider: string; started: number; verified: number; pending: number }>();
  #count = 0;
  #first: number | undefined;
  #last: number | undefined;

  /** @param countryOf - the country of a number the vendor gave none for */
  constructor(countryOf: (phone: string) => string | undefined, options: Omit<ScorecardOptions, 'countryOf'> = {}) {
    this.#countryOf = countryOf;
    this.#bucket = options.bucket ?? 'day';
    if (this.#bucket !== 'day' && this.#bucket !== 'hour') throw new RangeError("bucket must be 'day' or 'hour'");
    this.#costDecimals = options.costDecimals ?? 6;
  }

  /** Counts one verification. */
  add(verification: Verification): void {
    // A test number's verification is no vendor's: it says nothing of conversion or cost.
    if (verification.test) return;
    this.#count++;
    const created = verification.createdAt.getTime();
    if (this.#first === undefined || created < this.#first) this.#first = created;
    if (this.#last === undefined || created > this.#last) this.#last = created;
    const country = verification.country ?? (verification.to.startsWith('+') ? this.#countryOf(verification.to) : undefined) ?? 'unknown';
    const channel = channelOf(verification);
    const key = `${verification.provider}\u0000${country}\u0000${channel}`;
    let entry = this.#groups.get(key);
    if (!entry) this.#groups.set(key, (entry = { provider: verification.provider, country, channel, group: new Group() }));
    entry.group.add(verification);

    for (const attempt of verification.attempts) {
      const dKey = `${verification.provider}\u0000${attempt.channel}`;
      let d = this.#delivery.get(dKey);
      if (!d) this.#delivery.set(dKey, (d = { provider: verification.provider, channel: attempt.channel, delivery: new Delivery() }));
      d.delivery.attempts++;
      if (attempt.status === 'delivered') d.delivery.delivered++;
      else if (attempt.status === 'failed' || attempt.status === 'error') d.delivery.failed++;
      else d.delivery.inFlight++;
    }

    const bucket = bucketStart(created, this.#bucket);
    const vKey = `${bucket}\u0000${verification.provider}`;
    let point = this.#volume.get(vKey);
    if (!point) this.#volume.set(vKey, (point = { bucket, provider: verification.provider, started: 0, verified: 0, pending: 0 }));
    point.started++;
    if (verification.status === 'verified') point.verified++;
    else if (verification.status === 'pending') point.pending++;
  }

  /** The scorecard of everything added so far. */
  result(): Scorecard {
    const entries = [...this.#groups.values()].sort((a, b) => compare(a.provider, b.provider) || compare(a.country, b.country) || compare(a.channel, b.channel));
    const rollUp = (keyOf: (e: (typeof entries)[number]) => string, shape: (e: (typeof entries)[number]) => { provider: string; country: string; channel: string }) => {
      const merged = new Map<string, { label: { provider: string; country: string; channel: string }; group: Group }>();
      for (const entry of entries) {
        const key = keyOf(entry);
        let m = merged.get(key);
        if (!m) merged.set(key, (m = { label: shape(entry), group: new Group() }));
        m.group.merge(entry.group);
      }
      return [...merged.values()].map(({ label, group }) => ({ ...label, ...group.figures(this.#costDecimals) }));
    };
    const byProvider = rollUp((e) => e.provider, (e) => ({ provider: e.provider, country: '*', channel: '*' }));
    const histogram: Record<string, number[]> = {};
    const durationsByProvider = new Map<string, DurationHistogram>();
    for (const entry of entries) {
      let h = durationsByProvider.get(entry.provider);
      if (!h) durationsByProvider.set(entry.provider, (h = new DurationHistogram()));
      h.merge(entry.group.durations);
    }
    for (const [provider, h] of durationsByProvider) histogram[provider] = h.countsBetween(TIME_TO_VERIFY_EDGES);
    return {
      count: this.#count,
      firstCreatedAt: this.#first === undefined ? null : new Date(this.#first).toISOString(),
      lastCreatedAt: this.#last === undefined ? null : new Date(this.#last).toISOString(),
      bucket: this.#bucket,
      rows: entries.map((e) => ({ provider: e.provider, country: e.country, channel: e.channel, ...e.group.figures(this.#costDecimals) })),
      byProviderCountry: rollUp((e) => `${e.provider}\u0000${e.country}`, (e) => ({ provider: e.provider, country: e.country, channel: '*' })),
      byProvider,
      delivery: [...this.#delivery.values()]
        .sort((a, b) => compare(a.provider, b.provider) || compare(a.channel, b.channel))
        .map(({ provider, channel, delivery: d }) => ({
          provider,
          channel,
          attempts: d.attempts,
          delivered: d.delivered,
          failed: d.failed,
          inFlight: d.inFlight,
          failureRate: d.delivered + d.failed === 0 ? null : d.failed / (d.delivered + d.failed),
        })),
      volume: [...this.#volume.values()].sort((a, b) => compare(a.bucket, b.bucket) || compare(a.provider, b.provider)).map((p) => ({ ...p })),
      timeToVerifyHistogram: { edgesSeconds: TIME_TO_VERIFY_EDGES, counts: histogram },
    };
  }
}

function bucketStart(ms: number, bucket: ScoreBucket): string {
  const size = bucket === 'day' ? 86_400_000 : 3_600_000;
  return new Date(Math.floor(ms / size) * size).toISOString();
}

/** A {@link Scorer} with the options' country lookup (libphonenumber-js's, loaded once, by default). */
export async function createScorer(options: ScorecardOptions = {}): Promise<Scorer> {
  const countryOf = options.countryOf ?? (await countryParser());
  return new Scorer(countryOf, options);
}

/**
 * The scorecard of a stream of verifications, read once, in flat memory.
 *
 * @example
 * ```ts
 * const card = await scorecard(listAcross([lox, notificore, bird], { from, to }));
 * for (const row of card.byProvider) console.log(row.provider, row.conversion, row.costPerVerified);
 * ```
 */
export async function scorecard(verifications: Iterable<Verification> | AsyncIterable<Verification>, options: ScorecardOptions = {}): Promise<Scorecard> {
  const scorer = await createScorer(options);
  // An array or a generator is walked without a promise per item.
  if (Symbol.iterator in verifications) for (const verification of verifications) scorer.add(verification);
  else for await (const verification of verifications) scorer.add(verification);
  return scorer.result();
}
