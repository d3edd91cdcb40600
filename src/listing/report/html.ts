/**
 * The scorecard as one self-contained HTML file: inline CSS, charts as inline SVG, no script,
 * nothing fetched when it opens. Every figure is in the markup with its exact value in
 * `data-value`, so what is drawn can be checked against the JSON report.
 */
import type { ScoreRow, Scorecard } from '../scorecard.js';
import type { Money } from '../../money.js';
import { colorsOf, groupedBars, stackedVolume, type Bar } from './charts.js';
import { escapeHtml } from './escape.js';
import { formatSeconds, percent, moneyText, mainCurrency } from './figures.js';

/** What the page says about itself: the window it covers and when it was made. */
export interface ScorecardHtmlOptions {
  /** The start of the window scored (the first verification's creation when absent). */
  readonly from?: Date | undefined;
  /** The end of the window scored (the last verification's creation when absent). */
  readonly to?: Date | undefined;
  /** When the page was made (now). */
  readonly generatedAt?: Date;
}

const STYLE = `
:root{color-scheme:light;--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1520px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px}
.meta{color:var(--muted);margin:0 0 16px}.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px;min-width:220px}
.card h3{margin:0 0 6px;font-size:15px;display:flex;align-items:center;gap:6px}.card h3 span{width:10px;height:10px;border-radius:2px;display:inline-block}
.card dl{display:grid;grid-template-columns:auto auto;gap:2px 14px;margin:0}.card dt{color:var(--muted)}.card dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
figure.chart{background:#fff;border:1px solid var(--line);border-radius:10px;margin:0;padding:12px}
figcaption{font-weight:600;margin-bottom:4px}svg{width:100%;height:auto;font-size:11px}
.tick line{stroke:var(--line)}.tick text,.category{fill:var(--muted)}
.legend{list-style:none;display:flex;gap:14px;padding:0;margin:0 0 4px;color:var(--muted)}.legend span{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
table{border-collapse:collapse;background:#fff;border:1px solid var(--line);font-variant-numeric:tabular-nums;width:100%}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}th{background:#f1f5f9;font-weight:600}
td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}.note{color:var(--muted);max-width:900px}
`;

const COUNTRIES_CHARTED = 10;

function figureRows(card: Scorecard): ScoreRow[] {
  return [...card.byProviderCountry];
}

/** Countries by volume, the largest first, at most `COUNTRIES_CHARTED`. */
function topCountries(card: Scorecard): string[] {
  const volume = new Map<string, number>();
  for (const row of card.byProviderCountry) volume.set(row.country, (volume.get(row.country) ?? 0) + row.started);
  return [...volume].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, COUNTRIES_CHARTED).map(([country]) => country);
}

const costValue = (row: ScoreRow, currency: string): number | null => {
  const money = row.costPerVerified.find((m) => m.currency === currency);
  return money ? Number(money.amount) : null;
};

function cell(metric: string, value: number | string | null, text: string): string {
  return `<td data-metric="${metric}"${value === null ? '' : ` data-value="${escapeHtml(String(value))}"`}>${escapeHtml(text)}</td>`;
}

function moneyCell(metric: string, list: readonly Money[], lowerBound: boolean): string {
  const text = list.length === 0 ? '—' : `${lowerBound ? '≥ ' : ''}${list.map(moneyText).join(' + ')}`;
  return `<td data-metric="${metric}" data-value="${escapeHtml(list.map((m) => `${m.amount} ${m.currency}`).join(' + '))}">${escapeHtml(text)}</td>`;
}

function scoreTable(id: string, rows: readonly ScoreRow[]): string {
  const head = '<tr><th>provider</th><th>country</th><th>channel</th><th>started</th><th>verified</th><th>failed</th><th>expired</th><th>canceled</th><th>pending</th><th>conversion</th><th>median time</th><th>p90 time</th><th>time unknown</th><th>total cost</th><th>not final</th><th>cost per verified</th></tr>';
  const body = rows
    .map((r) => {
      const key = `data-provider="${escapeHtml(r.provider)}" data-country="${escapeHtml(r.country)}" data-channel="${escapeHtml(r.channel)}"`;
      return `<tr ${key}><td>${escapeHtml(r.provider)}</td><td>${escapeHtml(r.country)}</td><td>${escapeHtml(r.channel)}</td>${cell('started', r.started, String(r.started))}${cell('verified', r.byStatus.verified, String(r.byStatus.verified))}${cell('failed', r.byStatus.failed, String(r.byStatus.failed))}${cell('expired', r.byStatus.expired, String(r.byStatus.expired))}${cell('canceled', r.byStatus.canceled, String(r.byStatus.canceled))}${cell('pending', r.byStatus.pending, String(r.byStatus.pending))}${cell('conversion', r.conversion, percent(r.conversion))}${cell('median', r.timeToVerify.medianSeconds, formatSeconds(r.timeToVerify.medianSeconds))}${cell('p90', r.timeToVerify.p90Seconds, formatSeconds(r.timeToVerify.p90Seconds))}${cell('time-unknown', r.timeToVerify.unknown, String(r.timeToVerify.unknown))}${moneyCell('cost', r.cost.totals, false)}${cell('unpriced', r.cost.unpriced, String(r.cost.unpriced))}${moneyCell('cost-per-verified', r.costPerVerified, r.cost.unpriced > 0)}</tr>`;
    })
    .join('');
  return `<table id="${id}">${head}${body}</table>`;
}

function deliveryTable(card: Scorecard): string {
  const head = '<tr><th>provider</th><th>channel</th><th></th><th>attempts</th><th>delivered</th><th>failed</th><th>in flight</th><th>failure rate</th></tr>';
  const body = card.delivery
    .map((d) => `<tr data-provider="${escapeHtml(d.provider)}" data-channel="${escapeHtml(d.channel)}"><td>${escapeHtml(d.provider)}</td><td>${escapeHtml(d.channel)}</td><td></td>${cell('attempts', d.attempts, String(d.attempts))}${cell('delivered', d.delivered, String(d.delivered))}${cell('failed', d.failed, String(d.failed))}${cell('in-flight', d.inFlight, String(d.inFlight))}${cell('failure-rate', d.failureRate, percent(d.failureRate))}</tr>`)
    .join('');
  return `<table id="delivery-table">${head}${body}</table>`;
}

function cards(card: Scorecard, colors: Map<string, string>): string {
  return `<div class="cards">${card.byProvider
    .map(
      (r) => `<section class="card" data-provider="${escapeHtml(r.provider)}"><h3><span style="background:${colors.get(r.provider)}"></span>${escapeHtml(r.provider)}</h3><dl>
<dt>started</dt><dd data-metric="started" data-value="${r.started}">${r.started}</dd>
<dt>conversion</dt><dd data-metric="conversion"${r.conversion === null ? '' : ` data-value="${r.conversion}"`}>${percent(r.conversion)}</dd>
<dt>median time to verify</dt><dd data-metric="median"${r.timeToVerify.medianSeconds === null ? '' : ` data-value="${r.timeToVerify.medianSeconds}"`}>${formatSeconds(r.timeToVerify.medianSeconds)}</dd>
<dt>cost per verified</dt><dd data-metric="cost-per-verified">${escapeHtml(r.costPerVerified.length ? `${r.cost.unpriced > 0 ? '≥ ' : ''}${r.costPerVerified.map(moneyText).join(' + ')}` : r.cost.unpriced > 0 ? 'not final' : '—')}</dd>
</dl></section>`,
    )
    .join('')}</div>`;
}

/**
 * A scorecard as one self-contained HTML page — what `polyverify report --html` writes: cards per
 * vendor, charts as inline SVG (conversion and cost per verified user by country, volume, time
 * to verify, delivery failures) and every table, with no script and nothing fetched when it
 * opens. Every figure carries its exact value in `data-value`. Serve it from an admin endpoint.
 *
 * @example
 * ```ts
 * const from = new Date(Date.now() - 7 * 86_400_000);
 * const card = await scorecard(verify.list({ from }));
 * return new Response(scorecardHtml(card, { from }), { headers: { 'content-type': 'text/html; charset=utf-8' } });
 * ```
 */
export function scorecardHtml(card: Scorecard, options: ScorecardHtmlOptions = {}): string {
  const context = { from: options.from, to: options.to, generatedAt: options.generatedAt ?? new Date() };
  const providers = card.byProvider.map((r) => r.provider);
  const colors = colorsOf(providers);
  const countries = topCountries(card);
  const charted = figureRows(card).filter((r) => countries.includes(r.country));
  const order = (bars: Bar[]) => bars.sort((a, b) => countries.indexOf(a.category) - countries.indexOf(b.category));
  const currency = mainCurrency(card);

  const conversion = groupedBars({
    id: 'chart-conversion',
    title: `Conversion (verified of finished) by vendor and country — the ${countries.length} largest countries`,
    bars: order(charted.map((r) => ({ category: r.country, series: r.provider, value: r.conversion, data: { provider: r.provider, country: r.country, metric: 'conversion' } }))),
    colors,
    format: (v) => percent(v, 0),
    max: 1,
  });
  const cost =
    currency === undefined
      ? ''
      : groupedBars({
          id: 'chart-cost',
          title: `Cost per verified user, ${currency}, by vendor and country`,
          bars: order(charted.map((r) => ({ category: r.country, series: r.provider, value: costValue(r, currency), data: { provider: r.provider, country: r.country, metric: 'cost-per-verified', currency } }))),
          colors,
          format: (v) => `${v.toFixed(3)}`,
        });
  const buckets = [...new Set(card.volume.map((p) => p.bucket))];
  const counts = new Map<string, Map<string, number>>();
  for (const p of card.volume) {
    let m = counts.get(p.bucket);
    if (!m) counts.set(p.bucket, (m = new Map()));
    m.set(p.provider, p.started);
  }
  const volume = stackedVolume({
    id: 'chart-volume',
    title: `Verifications started per ${card.bucket} (UTC)`,
    buckets,
    counts,
    colors,
    label: (b) => (card.bucket === 'day' ? b.slice(5, 10) : b.slice(5, 13).replace('T', ' ') + 'h'),
  });
  const edges = card.timeToVerifyHistogram.edgesSeconds;
  const short = (seconds: number) => (seconds < 60 ? `${seconds}s` : `${seconds / 60}m`);
  const ranges = edges.map((e, i) => (i === edges.length - 1 ? `≥${short(e)}` : `${short(e)}–${short(edges[i + 1]!)}`));
  const ttvBars: Bar[] = [];
  for (const provider of providers) {
    const list = card.timeToVerifyHistogram.counts[provider] ?? [];
    const total = list.reduce((a, b) => a + b, 0);
    list.forEach((n, i) => ttvBars.push({ category: ranges[i]!, series: provider, value: total === 0 ? null : n / total, data: { provider, range: String(edges[i]), metric: 'time-to-verify-share', count: String(n) } }));
  }
  const timeToVerify = groupedBars({ id: 'chart-time-to-verify', title: 'Time to verify: share of each vendor’s verified users per range', bars: ttvBars, colors, format: (v) => percent(v, 0) });
  const failures = groupedBars({
    id: 'chart-failures',
    title: 'Delivery failure rate per channel (failed of attempts with an outcome)',
    bars: card.delivery.map((d) => ({ category: d.channel, series: d.provider, value: d.failureRate, data: { provider: d.provider, channel: d.channel, metric: 'failure-rate' } })),
    colors,
    format: (v) => percent(v, 0),
  });

  const window = `${context.from ? context.from.toISOString() : card.firstCreatedAt ?? '—'} to ${context.to ? context.to.toISOString() : card.lastCreatedAt ?? '—'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>polyverify report — ${escapeHtml(window)}</title><style>${STYLE}</style></head>
<body><main>
<h1>Vendor scorecard</h1>
<p class="meta" id="summary" data-count="${card.count}">${card.count} verifications created ${escapeHtml(window)} · ${providers.length} providers · generated ${escapeHtml(context.generatedAt.toISOString())} by polyverify</p>
${cards(card, colors)}
<h2>Charts</h2>
<div class="charts">${conversion}${cost}${volume}${timeToVerify}${failures}</div>
<h2>By provider</h2>${scoreTable('provider-table', card.byProvider)}
<h2>By provider and country</h2>${scoreTable('country-table', card.byProviderCountry)}
<h2>Delivery per channel</h2>${deliveryTable(card)}
<h2>By provider, country and channel</h2>${scoreTable('rows-table', card.rows)}
<h2>How to read it</h2>
<p class="note">Conversion is verified ÷ finished: verifications still pending are counted apart, not as failures. Time to verify runs from creation to the vendor's finish time; where a vendor gives none it is counted under “time unknown” and left out of the median and 90th percentile. Costs are exact sums per currency; costs the vendor has not finalized are counted under “not final”, never as zero, and a cost per verified user shown with ≥ is a lower bound because some costs are not final yet (some vendors report no prices at all). Countries come from the vendor where it reports one, else from the phone number. Delivery failure rates count each channel attempt the vendor reports.</p>
</main></body></html>
`;
}
