/**
 * How the CLI shows results: human lines, tables, CSV (RFC 4180 quoting) and plain JSON.
 */
import type { Summary } from '../src/listing/summary.js';
import type { CheckResult, Verification } from '../src/model.js';
import type { Money } from '../src/money.js';

const iso = (date: Date | undefined) => (date ? date.toISOString() : '');
export const money = (cost: Money | null) => (cost ? `${cost.amount} ${cost.currency}` : 'not final');

/** A verification as plain JSON (dates as ISO strings, without the vendor's raw object). */
export function plain(v: Verification): Record<string, unknown> {
  const { raw: _raw, ...rest } = v;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** A verification for people, one `label  value` line each. */
export function describe(v: Verification): string[] {
  const rows: [string, string][] = [
    ['id', v.id],
    ['provider', v.provider],
    ['to', v.to],
    ['status', v.status],
    ['channels', v.channels.map((s) => s.channel).join(' → ')],
    ['attempts', v.attempts.map((a) => `${a.channel} ${a.status}`).join(', ') || 'none yet'],
    ['delivered by', v.deliveredChannel ?? '-'],
    ['wrong codes', v.failedAttempts === undefined ? '-' : `${v.failedAttempts} of ${v.maxAttempts ?? '?'}`],
    ['cost', money(v.cost)],
    ['reference', v.reference ?? '-'],
    ['created', iso(v.createdAt)],
    ['expires', iso(v.expiresAt) || '-'],
    ['finished', iso(v.finishedAt) || '-'],
  ];
  return rows.map(([label, value]) => `${label.padEnd(13)}${value}`);
}

export function describeCheck(r: CheckResult): string[] {
  const lines = [`verified     ${r.verified}`, `status       ${r.status}`];
  if (r.reason) lines.push(`reason       ${r.reason}`);
  if (r.attemptsRemaining !== undefined) lines.push(`tries left   ${r.attemptsRemaining}`);
  return lines;
}

/** Columns of list exports. */
export const COLUMNS = ['created_at', 'provider', 'id', 'to', 'status', 'channel', 'delivered_channel', 'cost_amount', 'cost_currency', 'reference', 'country', 'finished_at'] as const;

export function row(v: Verification): string[] {
  return [
    iso(v.createdAt),
    v.provider,
    v.id,
    v.to,
    v.status,
    v.channels[0]?.channel ?? '',
    v.deliveredChannel ?? '',
    v.cost?.amount ?? '',
    v.cost?.currency ?? '',
    v.reference ?? '',
    v.country ?? '',
    iso(v.finishedAt),
  ];
}

/** One CSV record: fields with a comma, quote, CR or LF are quoted, quotes doubled (RFC 4180). */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\r\n`;
}

/** Fixed-width columns; cell line breaks shown as ⏎ so each record stays on one line. */
export function tableLines(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const clean = rows.map((r) => r.map((cell) => cell.replace(/\r?\n|\r/g, '⏎')));
  const widths = headers.map((h, i) => Math.max(h.length, ...clean.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...clean.map(line)];
}

/** A cost summary for people. */
export function describeSummary(summary: Summary): string[] {
  const totals = (t: { totals: readonly Money[]; priced: number; unpriced: number }) =>
    `${t.totals.map((m) => `${m.amount} ${m.currency}`).join(' + ') || '0'}  (${t.priced} priced, ${t.unpriced} not final)`;
  const lines = [`verifications  ${summary.count}`, `total          ${totals(summary.cost)}`, '', 'by provider'];
  for (const [name, t] of Object.entries(summary.costByProvider)) lines.push(`  ${name.padEnd(14)}${String(summary.byProvider[name]).padStart(7)}  ${totals(t)}`);
  lines.push('', 'by channel');
  for (const [name, t] of Object.entries(summary.costByChannel)) lines.push(`  ${name.padEnd(14)}${String(summary.byChannel[name]).padStart(7)}  ${totals(t)}`);
  lines.push('', 'by status');
  for (const [status, count] of Object.entries(summary.byStatus)) if (count) lines.push(`  ${status.padEnd(14)}${String(count).padStart(7)}`);
  return lines;
}
