// The scorecard over 100 000 and 1 000 000 verifications: are its memory and rate flat in the
// stream's length? Records are made one at a time by a generator (never held), across three
// providers, 24 countries (numbers only, so every record's country is looked up in
// libphonenumber's metadata, as for LOX24 and Bird) and three channels. The anchor is the same
// generator walked by a plain loop that only counts, measured in the same run.
import { scorecard } from '../dist/index.js';

const QUICK = Boolean(process.env.BENCH_QUICK);
const SIZES = QUICK ? [10_000, 20_000] : [100_000, 1_000_000];
const PREFIXES = ['+49170', '+336', '+447400', '+316', '+346', '+12125', '+55119', '+9198', '+3932', '+4369', '+4179', '+4670', '+4790', '+4540', '+3580', '+4850', '+3519', '+3069', '+3620', '+4072', '+6140', '+8190', '+8210', '+5255'];
const PROVIDERS = ['lox24', 'notificore', 'messagebird'];
const CHANNELS = ['sms', 'viber', 'telegram'];
const STATUSES = ['verified', 'verified', 'verified', 'failed', 'expired', 'pending'];
const T0 = Date.parse('2026-10-01T00:00:00Z');

function* verifications(count) {
  for (let i = 0; i < count; i++) {
    const status = STATUSES[i % STATUSES.length];
    const createdAt = new Date(T0 + i * 2_000); // 1M records span ~23 days
    yield {
      id: `v${i}`,
      provider: PROVIDERS[i % 3],
      to: `${PREFIXES[i % PREFIXES.length]}${String(1_000_000 + (i % 8_999_999)).slice(-7)}`,
      status,
      channels: [{ channel: CHANNELS[i % 3] }],
      attempts: [{ channel: CHANNELS[i % 3], status: status === 'failed' ? 'failed' : 'delivered', at: undefined, messageId: undefined, raw: null }],
      deliveredChannel: status === 'verified' ? CHANNELS[i % 3] : undefined,
      maxAttempts: 3,
      failedAttempts: 0,
      cost: i % 7 === 0 ? null : { amount: `0.0${(i % 90) + 10}`, currency: 'EUR' },
      reference: undefined,
      country: undefined,
      createdAt,
      updatedAt: undefined,
      expiresAt: undefined,
      finishedAt: status === 'pending' ? undefined : new Date(createdAt.getTime() + (5 + (i % 120)) * 1000),
      raw: null,
    };
  }
}

const mb = (bytes) => Math.round((bytes / 1_048_576) * 10) / 10;

async function measure(count, score) {
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  let peak = rss0;
  let seen = 0;
  let index = 0;
  // The generator samples the RSS every 10 000 records, whoever walks it.
  function* sampled() {
    for (const v of verifications(count)) {
      if (++index % 10_000 === 0) {
        const rss = process.memoryUsage().rss;
        if (rss > peak) peak = rss;
      }
      yield v;
    }
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  let card;
  if (score) card = await scorecard(sampled());
  else for (const v of sampled()) seen += v.status.length;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  globalThis.gc?.();
  return {
    records: count,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(count / seconds),
    cpuSeconds: Math.round(((used.user + used.system) / 1e6) * 100) / 100,
    peakRssGrowthMb: mb(peak - rss0),
    heapRetainedMb: mb(process.memoryUsage().heapUsed - heap0),
    groups: card ? card.rows.length : undefined,
    checksum: card ? card.count : seen,
  };
}

export async function runScorecard() {
  await measure(SIZES[0] / 10, true); // warm-up, and libphonenumber's metadata loaded
  const rows = [];
  for (const size of SIZES) {
    rows.push({ way: 'plain loop over the same records (anchor)', ...(await measure(size, false)) });
    rows.push({ way: 'scorecard', ...(await measure(size, true)) });
  }
  const [small, large] = [rows[1], rows[3]];
  const markdown = [
    `Scorecard over ${SIZES.map((s) => s.toLocaleString('en')).join(' and ')} generated verifications (three providers, 24 countries from the numbers, three channels)`,
    '',
    '| way | records | seconds | records/s | CPU s | peak RSS growth | heap retained after GC | groups |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.way} | ${r.records} | ${r.seconds} | ${r.perSecond} | ${r.cpuSeconds} | ${r.peakRssGrowthMb} MB | ${r.heapRetainedMb} MB | ${r.groups ?? ''} |`),
    '',
    `scorecard rate / anchor: ${(small.perSecond / rows[0].perSecond).toFixed(2)}× at ${SIZES[0]}, ${(large.perSecond / rows[2].perSecond).toFixed(2)}× at ${SIZES[1]}; peak RSS growth ${large.peakRssGrowthMb} MB at ${SIZES[1]} against ${small.peakRssGrowthMb} MB at ${SIZES[0]}`,
  ].join('\n');
  return { rows, markdown };
}
