/**
 * `polyverify report`: the vendor scorecard over a date window — a table (or `--json`) on stdout,
 * and with `--html FILE` one self-contained page with charts.
 */
import { writeFile } from 'node:fs/promises';
import { createScorer, type ScoreRow, type Scorecard } from '../src/listing/scorecard.js';
import { COMMON_OPTIONS, UsageError, listingProvider, ownedCodesNote, parse, type Io } from './context.js';
import { tableLines } from './format.js';
import { FILTER_OPTIONS, date, progress, query } from './listing.js';
import type { Command } from './operations.js';
import { scorecardHtml } from '../src/listing/report/html.js';
import { formatSeconds, moneyText, percent } from '../src/listing/report/figures.js';

const HEADERS = ['provider', 'country', 'started', 'verified', 'pending', 'conversion', 'median', 'p90', 'cost', 'not final', 'per verified'];

function line(r: ScoreRow): string[] {
  return [
    r.provider,
    r.country,
    String(r.started),
    String(r.byStatus.verified),
    String(r.byStatus.pending),
    percent(r.conversion),
    formatSeconds(r.timeToVerify.medianSeconds),
    formatSeconds(r.timeToVerify.p90Seconds),
    r.cost.totals.map(moneyText).join(' + ') || '—',
    String(r.cost.unpriced),
    r.costPerVerified.length ? `${r.cost.unpriced > 0 ? '≥ ' : ''}${r.costPerVerified.map(moneyText).join(' + ')}` : '—',
  ];
}

/** The scorecard for people: per provider, then per provider and country. */
export function describeScorecard(card: Scorecard): string[] {
  return [
    `${card.count} verifications, created ${card.firstCreatedAt ?? '—'} to ${card.lastCreatedAt ?? '—'}`,
    '',
    ...tableLines(HEADERS, card.byProvider.map(line)),
    '',
    ...tableLines(HEADERS, card.byProviderCountry.map(line)),
    '',
    ...tableLines(
      ['provider', 'channel', 'attempts', 'delivered', 'failed', 'failure rate'],
      card.delivery.map((d) => [d.provider, d.channel, String(d.attempts), String(d.delivered), String(d.failed), percent(d.failureRate)]),
    ),
  ];
}

/** The flags of `report`. */
export const REPORT_OPTIONS = { ...COMMON_OPTIONS, ...FILTER_OPTIONS, html: { type: 'string' }, bucket: { type: 'string' } } as const;

export const report: Command = async (args, io) => {
  const { values } = parse(args, REPORT_OPTIONS, 0);
  if (values.from === undefined) throw new UsageError('--from is required: the window to score starts there');
  const bucket = values.bucket ?? 'day';
  if (bucket !== 'day' && bucket !== 'hour') throw new UsageError('--bucket must be day or hour');
  const filters = query(values);
  const meter = progress(io);
  const provider = await listingProvider(values, values.provider, io, meter.onEvent);
  const note = ownedCodesNote(values, io, provider, date('from', values.from));
  if (note) io.err(note);
  const scorer = await createScorer({ bucket });
  for await (const v of provider.list(filters)) {
    meter.record();
    scorer.add(v);
  }
  meter.done();
  const card = scorer.result();
  if (values.html !== undefined) {
    await writeFile(values.html, scorecardHtml(card, { from: date('from', values.from), to: date('to', values.to), generatedAt: new Date() }));
  }
  if (values.json) io.out(JSON.stringify(card));
  else for (const text of describeScorecard(card)) io.out(text);
  if (values.html !== undefined) io.err(`report written to ${values.html}`);
  return 0;
};
