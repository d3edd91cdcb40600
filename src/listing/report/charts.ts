/**
 * The report's charts, rendered to SVG here (d3-scale for scales and ticks, d3-shape for the
 * stacked volume): the HTML file needs no script, no network and no charting runtime, stays
 * small, and prints as it shows. Every mark carries its number in `data-value` (and a `<title>`
 * tooltip), which is what the browser test compares with the JSON report.
 */
import { scaleBand, scaleLinear } from 'd3-scale';
import { stack } from 'd3-shape';
import { escapeHtml } from './escape.js';

/** One color per provider, in the order providers are first shown. */
const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#ca8a04'];

export function colorsOf(providers: readonly string[]): Map<string, string> {
  return new Map(providers.map((p, i) => [p, PALETTE[i % PALETTE.length]!]));
}

const WIDTH = 720;
const MARGIN = { top: 12, right: 16, bottom: 56, left: 56 };

/** A value of one series in one category (a bar). */
export interface Bar {
  readonly category: string;
  readonly series: string;
  /** null: no value (nothing finished, nothing priced) — no bar, a mark in the table instead. */
  readonly value: number | null;
  /** Attributes naming what the bar shows, for the test and for readers of the markup. */
  readonly data: Readonly<Record<string, string>>;
}

const attrs = (data: Readonly<Record<string, string>>) =>
  Object.entries(data)
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join('');

function frame(id: string, title: string, height: number, body: string, legend: string): string {
  return `<figure class="chart" id="${id}"><figcaption>${escapeHtml(title)}</figcaption>${legend}<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">${body}</svg></figure>`;
}

export function legendOf(colors: Map<string, string>): string {
  return `<ul class="legend">${[...colors].map(([name, color]) => `<li><span style="background:${color}"></span>${escapeHtml(name)}</li>`).join('')}</ul>`;
}

function yAxis(y: (v: number) => number, ticks: number[], format: (v: number) => string, width: number): string {
  return ticks
    .map((t) => `<g class="tick"><line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(t)}" y2="${y(t)}"/><text x="${MARGIN.left - 6}" y="${y(t)}" dy="0.32em" text-anchor="end">${escapeHtml(format(t))}</text></g>`)
    .join('');
}

/** Grouped vertical bars: one group per category, one bar per series. */
export function groupedBars(options: {
  id: string;
  title: string;
  bars: readonly Bar[];
  colors: Map<string, string>;
  format: (v: number) => string;
  max?: number;
}): string {
  const { bars, colors, format } = options;
  const height = 300;
  const categories = [...new Set(bars.map((b) => b.category))];
  const series = [...colors.keys()].filter((s) => bars.some((b) => b.series === s));
  const values = bars.map((b) => b.value).filter((v): v is number => v !== null);
  const x = scaleBand().domain(categories).range([MARGIN.left, WIDTH - MARGIN.right]).paddingInner(0.2).paddingOuter(0.1);
  const inner = scaleBand().domain(series).range([0, x.bandwidth()]).padding(0.08);
  const y = scaleLinear()
    .domain([0, options.max ?? (Math.max(...values, 0) || 1)])
    .nice()
    .range([height - MARGIN.bottom, MARGIN.top]);
  const marks = bars
    .filter((b) => b.value !== null)
    .map((b) => {
      const top = y(b.value!);
      const h = Math.max(1, height - MARGIN.bottom - top); // a zero still shows as a hairline
      return `<rect class="bar" x="${(x(b.category)! + inner(b.series)!).toFixed(1)}" y="${(height - MARGIN.bottom - h).toFixed(1)}" width="${inner.bandwidth().toFixed(1)}" height="${h.toFixed(1)}" fill="${colors.get(b.series)}" data-value="${b.value}"${attrs(b.data)}><title>${escapeHtml(`${b.series} · ${b.category}: ${format(b.value!)}`)}</title></rect>`;
    })
    .join('');
  const labels = categories
    .map((c) => `<text class="category" x="${(x(c)! + x.bandwidth() / 2).toFixed(1)}" y="${height - MARGIN.bottom + 18}" text-anchor="middle">${escapeHtml(c)}</text>`)
    .join('');
  const body = `${yAxis(y, y.ticks(5), format, WIDTH)}${marks}${labels}`;
  return frame(options.id, options.title, height, body, legendOf(new Map(series.map((s) => [s, colors.get(s)!]))));
}

/** Stacked bars over time: one bar per bucket, one segment per series. */
export function stackedVolume(options: {
  id: string;
  title: string;
  buckets: readonly string[];
  /** `counts.get(bucket)?.get(series)` verifications started. */
  counts: Map<string, Map<string, number>>;
  colors: Map<string, string>;
  label: (bucket: string) => string;
}): string {
  const { buckets, counts, colors } = options;
  const height = 280;
  const series = [...colors.keys()];
  const rows = buckets.map((bucket) => Object.fromEntries([['bucket', 0], ...series.map((s) => [s, counts.get(bucket)?.get(s) ?? 0])]) as Record<string, number>);
  const layers = stack<Record<string, number>>().keys(series)(rows);
  const x = scaleBand().domain(buckets).range([MARGIN.left, WIDTH - MARGIN.right]).padding(0.15);
  const top = Math.max(1, ...layers.flatMap((layer) => layer.map((point) => point[1])));
  const y = scaleLinear().domain([0, top]).nice().range([height - MARGIN.bottom, MARGIN.top]);
  const marks = layers
    .flatMap((layer) =>
      layer.map((point, i) => {
        const value = point[1] - point[0];
        if (value === 0) return '';
        const bucket = buckets[i]!;
        return `<rect class="bar" x="${x(bucket)!.toFixed(1)}" y="${y(point[1]).toFixed(1)}" width="${x.bandwidth().toFixed(1)}" height="${(y(point[0]) - y(point[1])).toFixed(1)}" fill="${colors.get(layer.key)}" data-value="${value}" data-provider="${escapeHtml(layer.key)}" data-bucket="${escapeHtml(bucket)}" data-metric="started"><title>${escapeHtml(`${layer.key} · ${options.label(bucket)}: ${value} started`)}</title></rect>`;
      }),
    )
    .join('');
  // Label at most ~12 buckets so the axis stays readable.
  const every = Math.max(1, Math.ceil(buckets.length / 12));
  const labels = buckets
    .map((b, i) => (i % every === 0 ? `<text class="category" x="${(x(b)! + x.bandwidth() / 2).toFixed(1)}" y="${height - MARGIN.bottom + 18}" text-anchor="middle">${escapeHtml(options.label(b))}</text>` : ''))
    .join('');
  return frame(options.id, options.title, height, `${yAxis(y, y.ticks(5), (v) => String(v), WIDTH)}${marks}${labels}`, legendOf(colors));
}
