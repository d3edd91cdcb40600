import { describe, expect, it } from 'vitest';
import { DurationHistogram } from '../../src/listing/durations.js';
import { scorecard, type Verification, type Money, type VerificationStatus } from '../../src/index.js';
import { Scorer } from '../../src/listing/scorecard.js';
import { createScorer } from '../../src/listing/scorecard.js';
import { divideMoney } from '../../src/money.js';
import type { DeliveryAttempt } from '../../src/model.js';

const T0 = Date.parse('2026-11-10T08:00:00Z');

interface Spec {
  provider?: string;
  to?: string;
  country?: string;
  status?: VerificationStatus;
  channel?: Verification['deliveredChannel'];
  createdAt?: number;
  /** Seconds from creation to finish; undefined: no finish time. */
  tookSeconds?: number;
  cost?: Money | null;
  attempts?: Pick<DeliveryAttempt, 'channel' | 'status'>[];
}

let n = 0;
function verification(spec: Spec): Verification {
  const createdAt = new Date(spec.createdAt ?? T0);
  const status = spec.status ?? 'verified';
  return {
    id: `v${n++}`,
    provider: spec.provider ?? 'lox24',
    to: spec.to ?? '+491701234567',
    status,
    channels: [{ channel: spec.channel ?? 'sms' }],
    attempts: (spec.attempts ?? []).map((a) => ({ ...a, at: undefined, messageId: undefined, raw: null })),
    deliveredChannel: status === 'verified' ? (spec.channel ?? 'sms') : undefined,
    maxAttempts: 3,
    failedAttempts: 0,
    cost: spec.cost === undefined ? { amount: '0.05', currency: 'EUR' } : spec.cost,
    reference: undefined,
    country: spec.country,
    createdAt,
    updatedAt: undefined,
    expiresAt: undefined,
    finishedAt: spec.tookSeconds === undefined ? undefined : new Date(createdAt.getTime() + spec.tookSeconds * 1000),
    raw: null,
  };
}

const eur = (amount: string): Money => ({ amount, currency: 'EUR' });

describe('scorecard', () => {
  it('counts statuses and conversion per provider × country × channel, the unfinished apart', async () => {
    const card = await scorecard([
      verification({ status: 'verified', tookSeconds: 12 }),
      verification({ status: 'verified', tookSeconds: 30 }),
      verification({ status: 'failed' }),
      verification({ status: 'expired' }),
      verification({ status: 'pending', cost: null }),
      verification({ provider: 'bird', to: '+31612345678', status: 'canceled', cost: null }),
      verification({ provider: 'bird', to: '+31612345678', status: 'verified', tookSeconds: 5, cost: null }),
    ]);
    expect(card.count).toBe(7);
    expect(card.rows.map((r) => [r.provider, r.country, r.channel, r.started, r.finished, r.conversion])).toEqual([
      ['bird', 'NL', 'sms', 2, 2, 0.5],
      ['lox24', 'DE', 'sms', 5, 4, 0.5],
    ]);
    const lox = card.rows[1]!;
    expect(lox.byStatus).toEqual({ pending: 1, verified: 2, failed: 1, expired: 1, canceled: 0 });
    expect(lox.cost).toEqual({ totals: [eur('0.20')], priced: 4, unpriced: 1 });
    expect(lox.costPerVerified).toEqual([eur('0.100000')]);
    const bird = card.rows[0]!;
    expect(bird.cost).toEqual({ totals: [], priced: 0, unpriced: 2 });
    expect(bird.costPerVerified).toEqual([]); // no final cost: never shown as zero
  });

  it('gives no conversion when nothing has finished', async () => {
    const card = await scorecard([verification({ status: 'pending' }), verification({ status: 'pending' })]);
    expect(card.byProvider[0]).toMatchObject({ started: 2, finished: 0, conversion: null, costPerVerified: [] });
  });

  it('takes the median and 90th percentile of created → verified, exact to the second', async () => {
    const took = [100, 10, 90, 20, 80, 30, 70, 40, 60, 50];
    const card = await scorecard([...took.map((s) => verification({ tookSeconds: s })), verification({ tookSeconds: undefined }), verification({ status: 'failed', tookSeconds: 999 })]);
    expect(card.byProvider[0]!.timeToVerify).toEqual({ measured: 10, unknown: 1, medianSeconds: 50, p90Seconds: 90 });
  });

  it('counts the time-to-verify distribution per provider in the documented ranges', async () => {
    const card = await scorecard([0, 9, 10, 59, 60, 299, 600, 7200].map((s) => verification({ tookSeconds: s })));
    expect(card.timeToVerifyHistogram.edgesSeconds).toEqual([0, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600]);
    expect(card.timeToVerifyHistogram.counts).toEqual({ lox24: [2, 1, 0, 0, 1, 1, 0, 0, 1, 0, 2] });
  });

  it('sums costs exactly per currency and divides once per verified user', async () => {
    const card = await scorecard([
      verification({ cost: eur('0.0642918') }),
      verification({ cost: eur('0.0357082') }),
      verification({ cost: eur('0.10'), status: 'failed' }),
      verification({ cost: { amount: '0.07', currency: 'USD' } }),
    ]);
    const row = card.byProvider[0]!;
    expect(row.cost).toEqual({ totals: [eur('0.2000000'), { amount: '0.07', currency: 'USD' }], priced: 4, unpriced: 0 });
    expect(row.costPerVerified).toEqual([eur('0.066667'), { amount: '0.023333', currency: 'USD' }]);
    const two = await scorecard([verification({ cost: eur('0.05') })], { costDecimals: 2 });
    expect(two.byProvider[0]!.costPerVerified).toEqual([eur('0.05')]);
  });

  it('takes the country from the vendor, else from the number, else unknown', async () => {
    const card = await scorecard([
      verification({ to: '+491701234567', country: 'AT' }), // the vendor's word wins
      verification({ to: '+12125550123' }),
      verification({ to: '+14165550123' }),
      verification({ to: '+61401629754' }),
      verification({ to: 'user@example.com', channel: 'email' }),
      verification({ to: '+999123456789' }),
    ]);
    expect(card.rows.map((r) => `${r.country}/${r.channel}`)).toEqual(['AT/sms', 'AU/sms', 'CA/sms', 'US/sms', 'unknown/email', 'unknown/sms']);
  });

  it('uses a country lookup of the caller', async () => {
    const card = await scorecard([verification({ to: '+491701234567' })], { countryOf: () => 'XX' });
    expect(card.rows[0]!.country).toBe('XX');
  });

  it('rates delivery failures per provider and channel from the attempts', async () => {
    const card = await scorecard([
      verification({ attempts: [{ channel: 'telegram', status: 'failed' }, { channel: 'sms', status: 'delivered' }] }),
      verification({ attempts: [{ channel: 'telegram', status: 'delivered' }] }),
      verification({ attempts: [{ channel: 'telegram', status: 'error' }, { channel: 'sms', status: 'sending' }] }),
      verification({ provider: 'bird', attempts: [{ channel: 'sms', status: 'queued' }] }),
    ]);
    expect(card.delivery).toEqual([
      { provider: 'bird', channel: 'sms', attempts: 1, delivered: 0, failed: 0, inFlight: 1, failureRate: null },
      { provider: 'lox24', channel: 'sms', attempts: 2, delivered: 1, failed: 0, inFlight: 1, failureRate: 0 },
      { provider: 'lox24', channel: 'telegram', attempts: 3, delivered: 1, failed: 2, inFlight: 0, failureRate: 2 / 3 },
    ]);
  });

  it('counts volume per UTC day or hour and provider, oldest first', async () => {
    const items = [
      verification({ createdAt: Date.parse('2026-11-11T23:59:59Z') }),
      verification({ createdAt: Date.parse('2026-11-10T00:00:00Z'), status: 'pending' }),
      verification({ createdAt: Date.parse('2026-11-11T00:30:00Z'), status: 'failed' }),
      verification({ createdAt: Date.parse('2026-11-11T00:10:00Z'), provider: 'bird' }),
    ];
    const daily = await scorecard(items);
    expect(daily.volume).toEqual([
      { bucket: '2026-11-10T00:00:00.000Z', provider: 'lox24', started: 1, verified: 0, pending: 1 },
      { bucket: '2026-11-11T00:00:00.000Z', provider: 'bird', started: 1, verified: 1, pending: 0 },
      { bucket: '2026-11-11T00:00:00.000Z', provider: 'lox24', started: 2, verified: 1, pending: 0 },
    ]);
    expect(daily.firstCreatedAt).toBe('2026-11-10T00:00:00.000Z');
    expect(daily.lastCreatedAt).toBe('2026-11-11T23:59:59.000Z');
    const hourly = await scorecard(items, { bucket: 'hour' });
    expect(hourly.volume.map((p) => `${p.bucket} ${p.provider} ${p.started}`)).toEqual([
      '2026-11-10T00:00:00.000Z lox24 1',
      '2026-11-11T00:00:00.000Z bird 1',
      '2026-11-11T00:00:00.000Z lox24 1',
      '2026-11-11T23:00:00.000Z lox24 1',
    ]);
    await expect(scorecard(items, { bucket: 'week' as never })).rejects.toThrow("bucket must be 'day' or 'hour'");
  });

  it('rolls rows up per provider × country and per provider with the same figures', async () => {
    const card = await scorecard([
      verification({ channel: 'sms', tookSeconds: 10, cost: eur('0.05') }),
      verification({ channel: 'telegram', tookSeconds: 20, cost: eur('0.01') }),
      verification({ channel: 'telegram', status: 'failed', cost: null }),
      verification({ to: '+31612345678', tookSeconds: 40, cost: eur('0.07') }),
    ]);
    expect(card.byProviderCountry.map((r) => [r.country, r.channel, r.started, r.conversion, r.cost.totals, r.cost.unpriced, r.costPerVerified])).toEqual([
      ['DE', '*', 3, 2 / 3, [eur('0.06')], 1, [eur('0.030000')]],
      ['NL', '*', 1, 1, [eur('0.07')], 0, [eur('0.070000')]],
    ]);
    expect(card.byProvider).toHaveLength(1);
    expect(card.byProvider[0]).toMatchObject({
      provider: 'lox24',
      country: '*',
      channel: '*',
      started: 4,
      finished: 4,
      conversion: 0.75,
      timeToVerify: { measured: 3, unknown: 0, medianSeconds: 20, p90Seconds: 40 },
      cost: { totals: [eur('0.13')], priced: 3, unpriced: 1 },
      costPerVerified: [eur('0.043333')],
    });
  });

  it('reads async streams and adds one at a time', async () => {
    async function* stream() {
      yield verification({});
      yield verification({ status: 'failed' });
    }
    expect((await scorecard(stream())).byProvider[0]!.conversion).toBe(0.5);
    const scorer = await createScorer();
    expect(scorer).toBeInstanceOf(Scorer);
    scorer.add(verification({}));
    expect(scorer.result().count).toBe(1);
    expect((await scorecard([])).byProvider).toEqual([]);
    expect((await scorecard([])).firstCreatedAt).toBeNull();
  });
});

describe('scorecard, at its edges', () => {
  it('keeps providers apart in the roll-ups, and sums a provider’s groups', async () => {
    const card = await scorecard([
      verification({ provider: 'a', to: '+491701234567', tookSeconds: 5, status: 'verified' }),
      verification({ provider: 'a', to: '+33612345678', tookSeconds: 15, status: 'pending' }),
      verification({ provider: 'a', to: '+33612345678', status: 'failed' }),
      verification({ provider: 'a', to: '+33612345678', status: 'expired' }),
      verification({ provider: 'a', to: '+33612345678', status: 'canceled' }),
      verification({ provider: 'a', to: '+33612345679', tookSeconds: 25 }),
      verification({ provider: 'b', to: '+491701234567', tookSeconds: 35 }),
    ]);
    expect(card.byProvider.map((r) => [r.provider, r.started])).toEqual([
      ['a', 6],
      ['b', 1],
    ]);
    expect(card.byProvider[0]!.byStatus).toEqual({ pending: 1, verified: 2, failed: 1, expired: 1, canceled: 1 });
    expect(card.byProviderCountry.find((r) => r.provider === 'a' && r.country === 'FR')!.byStatus).toEqual({ pending: 1, verified: 1, failed: 1, expired: 1, canceled: 1 });
    // The distribution of a provider sums all its groups (DE and FR here).
    expect(card.timeToVerifyHistogram.counts).toEqual({ a: [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], b: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0] });
  });

  it('finds the first and last creation whatever the order', async () => {
    const at = (iso: string) => verification({ createdAt: Date.parse(iso) });
    const card = await scorecard([at('2026-11-05T00:00:00Z'), at('2026-11-01T00:00:00Z'), at('2026-11-09T00:00:00Z'), at('2026-11-07T00:00:00Z')]);
    expect([card.firstCreatedAt, card.lastCreatedAt]).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-09T00:00:00.000Z']);
  });

  it('asks the country lookup only for phone numbers', async () => {
    const asked: string[] = [];
    await scorecard([verification({ to: 'user@example.com', channel: 'email' }), verification({ to: '+491701234567' })], { countryOf: (phone) => (asked.push(phone), 'DE') });
    expect(asked).toEqual(['+491701234567']);
  });

  it('rates one failure in two attempts with an outcome as a half', async () => {
    const card = await scorecard([verification({ attempts: [{ channel: 'sms', status: 'failed' }, { channel: 'sms', status: 'delivered' }] })]);
    expect(card.delivery[0]!.failureRate).toBe(0.5);
  });
});

describe('DurationHistogram', () => {
  it('counts a duration below the first edge in the first range, and keeps the last minute before a day', () => {
    const h = new DurationHistogram();
    h.add(5);
    h.add(86_399);
    expect(h.countsBetween([10, 60])).toEqual([1, 1]);
    expect(h.quantile(1)).toBe(86_340); // the lower edge of its minute
    expect(h.countsBetween([0, 86_340, 86_400])).toEqual([1, 1, 0]);
  });

  it('counts a day or more in the last range, and merges exactly', () => {
    const a = new DurationHistogram();
    for (const s of [5, 59, 60, 3_600, 2 * 86_400]) a.add(s);
    expect(a.countsBetween([0, 60])).toEqual([2, 3]);
    expect(a.countsBetween([0, 60, 86_400])).toEqual([2, 2, 1]);
    expect(a.quantile(1)).toBe(86_400);
    const b = new DurationHistogram();
    b.add(7);
    b.merge(a);
    expect(b.count).toBe(6);
    expect(b.countsBetween([0, 10, 86_400])).toEqual([2, 3, 1]);
    expect(b.quantile(0.5)).toBe(59);
  });

  it('is exact below 10 minutes and gives bin edges above', () => {
    const h = new DurationHistogram();
    for (const s of [599.9, 1005, 4000, 100_000, -3]) h.add(s);
    expect(h.count).toBe(5);
    expect([0.2, 0.4, 0.6, 0.8, 1].map((q) => h.quantile(q))).toEqual([0, 599, 1000, 3960, 86_400]);
    expect(new DurationHistogram().quantile(0.5)).toBeNull();
  });
});

describe('divideMoney', () => {
  it('rounds half away from zero at the decimals asked', () => {
    expect(divideMoney(eur('1.00'), 3)).toEqual(eur('0.333333'));
    expect(divideMoney(eur('2.00'), 3)).toEqual(eur('0.666667'));
    expect(divideMoney(eur('0.05'), 2, 2)).toEqual(eur('0.03'));
    expect(divideMoney(eur('-0.05'), 2, 2)).toEqual(eur('-0.03'));
    expect(divideMoney(eur('-0.0001'), 3, 2)).toEqual(eur('0.00'));
    expect(divideMoney(eur('7'), 2, 0)).toEqual(eur('4'));
    expect(divideMoney(eur('123456789012345678.90'), 10)).toEqual(eur('12345678901234567.890000'));
  });

  it('refuses a divisor that is not a positive whole number', () => {
    expect(() => divideMoney(eur('1'), 0)).toThrow(RangeError);
    expect(() => divideMoney(eur('1'), 1.5)).toThrow('the divisor must be a positive whole number');
    expect(() => divideMoney(eur('1'), 2, 21)).toThrow('decimals must be 0 to 20');
  });
});
