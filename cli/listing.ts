/**
 * `polyverify list` (exports in four formats, progress on a terminal) and `polyverify costs`.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { VerifyEvent } from '../src/events.js';
import type { Channel, ListQuery, VerificationStatus } from '../src/model.js';
import { Summarizer } from '../src/listing/summary.js';
import { COMMON_OPTIONS, UsageError, idWidth, listingProvider, parse, type Io } from './context.js';
import { COLUMNS, csvRecord, describeSummary, listTable, plain, row, tableRow } from './format.js';
import type { Command } from './operations.js';

export const FILTER_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  status: { type: 'string' },
  channel: { type: 'string' },
  phone: { type: 'string' },
  reference: { type: 'string' },
  id: { type: 'string', multiple: true },
  provider: { type: 'string' },
} as const;

export function date(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`--${name} must be a date (ISO 8601, e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`);
  return parsed;
}

export function query(values: { from?: string; to?: string; status?: string; channel?: string; phone?: string; reference?: string; id?: string[] }): ListQuery {
  return {
    ...(values.from !== undefined && { from: date('from', values.from) }),
    ...(values.to !== undefined && { to: date('to', values.to) }),
    ...(values.status !== undefined && { status: values.status as VerificationStatus }),
    ...(values.channel !== undefined && { channel: values.channel as Channel }),
    ...(values.phone !== undefined && { phone: values.phone }),
    ...(values.reference !== undefined && { reference: values.reference }),
    ...(values.id !== undefined && { ids: values.id }),
  };
}

/** Records, pages and rate on stderr while an export runs on a terminal. */
export function progress(io: Io) {
  let records = 0;
  let pages = 0;
  let last = 0;
  const started = performance.now();
  const draw = (final = false) => {
    const seconds = (performance.now() - started) / 1000;
    io.err(`\r${records} records, ${pages} pages, ${Math.round(records / Math.max(seconds, 0.001))}/s${final ? '\n' : ''}`);
  };
  return {
    onEvent: (e: VerifyEvent) => {
      if (e.type === 'response' && e.operation === 'list') pages++;
    },
    record() {
      records++;
      if (io.stderrIsTty && performance.now() - last > 250) {
        last = performance.now();
        draw();
      }
    },
    done: () => io.stderrIsTty && draw(true),
  };
}

/** The flags of `list`. */
export const LIST_OPTIONS = { ...COMMON_OPTIONS, ...FILTER_OPTIONS, format: { type: 'string' }, out: { type: 'string' } } as const;
/** The flags of `costs`. */
export const COSTS_OPTIONS = { ...COMMON_OPTIONS, ...FILTER_OPTIONS } as const;

export const list: Command = async (args, io) => {
  const { values } = parse(args, LIST_OPTIONS, 0);
  const format = values.format ?? (values.json ? 'json' : 'table');
  if (!['table', 'json', 'ndjson', 'csv'].includes(format)) throw new UsageError('--format must be table, json, ndjson or csv');
  const filters = query(values);
  const meter = progress(io);
  const provider = await listingProvider(values, values.provider, io, meter.onEvent);
  const sink = values.out === undefined ? io.stdout : createWriteStream(values.out);
  const write = async (text: string) => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  const table = listTable(idWidth(provider));
  let first = true;
  if (format === 'csv') await write(csvRecord(COLUMNS));
  if (format === 'json') await write('[');
  if (format === 'table') await write(table.head());
  for await (const v of provider.list(filters)) {
    meter.record();
    if (format === 'table') await write(table.row(tableRow(v)));
    else if (format === 'csv') await write(csvRecord(row(v)));
    else if (format === 'ndjson') await write(`${JSON.stringify(plain(v))}\n`);
    else {
      await write(`${first ? '\n' : ',\n'}${JSON.stringify(plain(v))}`);
      first = false;
    }
  }
  if (format === 'json') await write(first ? ']\n' : '\n]\n');
  meter.done();
  if (sink !== io.stdout) {
    (sink as NodeJS.WritableStream & { end: () => void }).end();
    await once(sink, 'finish');
  }
  return 0;
};

export const costs: Command = async (args, io) => {
  const { values } = parse(args, COSTS_OPTIONS, 0);
  if (values.from === undefined) throw new UsageError('--from is required: the period to total starts there');
  const provider = await listingProvider(values, values.provider, io);
  const summarizer = new Summarizer();
  for await (const v of provider.list(query(values))) summarizer.add(v);
  const summary = summarizer.result();
  if (values.json) io.out(JSON.stringify(summary));
  else for (const line of describeSummary(summary)) io.out(line);
  return 0;
};
