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

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A cell a spreadsheet would not run as a formula: one starting with `=`, `+`, `-`, `@`, a tab
 * or a CR gets a leading `'` (OWASP's advice against CSV injection). An E.164 phone number is
 * left as it is: `+491701234567` is a number to a spreadsheet, not a formula, and a phone
 * column must stay machine-readable.
 */
export function safeCell(field: string): string {
  return /^[=+\-@\t\r]/.test(field) && !E164.test(field) ? `'${field}` : field;
}

/** One CSV record (RFC 4180: fields with a comma, quote, CR or LF quoted, quotes doubled), each cell made safe. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields
    .map(safeCell)
    .map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f))
    .join(',')}\r\n`;
}

/** A column of a streamed table: its title, its width, and whether a longer cell is cut (with …) or shown whole. */
export interface TableColumn {
  readonly title: string;
  readonly width: number;
  readonly whole?: boolean;
}

/**
 * A table written a row at a time, in columns of fixed width (so nothing is held: the widths are
 * known before the first row). Cells longer than their column end in `…`, except `whole` ones
 * (ids, which must stay copyable); line breaks show as ⏎.
 */
export class TableStream {
  readonly #columns: readonly TableColumn[];

  constructor(columns: readonly TableColumn[]) {
    this.#columns = columns;
  }

  #line(cells: readonly string[]): string {
    return cells
      .map((raw, i) => {
        const { width, whole } = this.#columns[i]!;
        const cell = raw.replace(/\r?\n|\r/g, '⏎');
        return (cell.length > width && !whole ? `${cell.slice(0, width - 1)}…` : cell).padEnd(width);
      })
      .join('  ')
      .trimEnd();
  }

  /** The title line and the rule beneath it. */
  head(): string {
    return `${this.#line(this.#columns.map((c) => c.title))}\n${this.#line(this.#columns.map((c) => '-'.repeat(c.width)))}\n`;
  }

  row(cells: readonly string[]): string {
    return `${this.#line(cells)}\n`;
  }
}

/** The columns of `list --format table` (the CSV and JSON exports have every field). */
export function listTable(idWidth: number): TableStream {
  return new TableStream([
    { title: 'created', width: 20 },
    { title: 'provider', width: 11 },
    { title: 'id', width: idWidth, whole: true },
    { title: 'to', width: 16 },
    { title: 'status', width: 9 },
    { title: 'channel', width: 8 },
    { title: 'cost', width: 15 },
    { title: 'reference', width: 14 },
  ]);
}

/** A verification's cells in {@link listTable}. */
export function tableRow(v: Verification): string[] {
  return [`${v.createdAt.toISOString().slice(0, 19).replace('T', ' ')}Z`, v.provider, v.id, v.to, v.status, v.channels[0]?.channel ?? '', money(v.cost), v.reference ?? ''];
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
    `${t.totals.map((m) => `${m.amount} ${m.currency}`).join(' + ') || 'no final cost'}  (${t.priced} priced, ${t.unpriced} not final)`;
  const lines = [`verifications  ${summary.count}`, `total          ${totals(summary.cost)}`, '', 'by provider'];
  for (const [name, t] of Object.entries(summary.costByProvider)) lines.push(`  ${name.padEnd(14)}${String(summary.byProvider[name]).padStart(7)}  ${totals(t)}`);
  lines.push('', 'by channel');
  for (const [name, t] of Object.entries(summary.costByChannel)) lines.push(`  ${name.padEnd(14)}${String(summary.byChannel[name]).padStart(7)}  ${totals(t)}`);
  lines.push('', 'by status');
  for (const [status, count] of Object.entries(summary.byStatus)) if (count) lines.push(`  ${status.padEnd(14)}${String(count).padStart(7)}`);
  return lines;
}
