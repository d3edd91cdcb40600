/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `polyverify report` as a subprocess of the built command against seeded simulators, and its HTML
 * opened in a real headless Chromium (Debian's package; `.ci/run` installs it): no console
 * errors, no request leaving the file, every chart drawn, and every number on the page equal to
 * the JSON report of the same run. A screenshot is kept in test/artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runCli, type Run } from '../cli-run.js';
import { startAll, type RunningSimulators } from '../../cli/simulate.js';
import type { Scorecard } from '../../src/listing/scorecard.js';
import type { SeedInput } from '../../testing/base.js';

const CHROMIUM = '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'polyverify-report-'));

const run = (...args: string[]): Promise<Run> => runCli(args, { timeoutMs: 60_000 });

const DAY = 86_400_000;
const start = Date.parse('2026-11-20T00:00:00Z');
let sims: RunningSimulators;
let config: string;
let browser: Browser;
const NO_STORE_NOTE = 'note: the verified status of codes polyverify checks itself (LOX24) lives in your application’s store; without --redis (or POLYVERIFY_REDIS_URL) they read as pending, then expired';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the report tests need a real browser at ${CHROMIUM}: apt-get install -y chromium`);
  sims = await startAll();
  config = join(dir, 'all.json');
  writeFileSync(config, JSON.stringify(sims.configs));
  const [lox, nc, bird] = ['lox24', 'notificore', 'messagebird'].map((name) => sims.simulators.find((s) => s.config().provider === name)!) as unknown as [
    { seed(i: SeedInput): string },
    { seed(i: SeedInput): string },
    { seed(i: SeedInput): string },
  ];
  const at = (day: number, seconds = 0) => new Date(start + day * DAY + 10 * 3_600_000 + seconds * 1000);
  // Notificore, DE: 3 verified (20, 40, 60 s), 1 failed; FR: 1 verified (10 s), 1 expired.
  for (const [day, took] of [[0, 20], [1, 40], [2, 60]] as const) nc.seed({ to: '+491701234567', createdAt: at(day), status: 'verified', finishedAt: at(day, took), price: '0.02' });
  nc.seed({ to: '+491701234568', createdAt: at(1), status: 'failed', finishedAt: at(1, 30), price: '0' });
  nc.seed({ to: '+33612345678', createdAt: at(2), status: 'verified', finishedAt: at(2, 10), channel: 'viber', price: '0.03' });
  nc.seed({ to: '+33612345679', createdAt: at(3), status: 'expired', finishedAt: at(3, 300), price: '0' });
  // Bird, NL: 2 verified, 1 expired; no prices.
  bird.seed({ to: '+31612345678', createdAt: at(0), status: 'verified', finishedAt: at(0, 12) });
  bird.seed({ to: '+31612345679', createdAt: at(1), status: 'verified', finishedAt: at(1, 14) });
  bird.seed({ to: '+31612345670', createdAt: at(3), status: 'expired', finishedAt: at(3, 600) });
  // LOX24, GB: delivered codes (LOX24 does not know which verified: without polyverify's store they are expired) and a failed delivery.
  lox.seed({ to: '+447400123456', createdAt: at(0), status: 'verified', price: '0.05' });
  lox.seed({ to: '+447400123457', createdAt: at(2), status: 'failed', price: '0.025' });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sims?.close();
});

describe('polyverify report', () => {
  let card: Scorecard;
  const html = join(dir, 'report.html');

  it('scores the window: JSON on stdout, the page written, a note on stderr', async () => {
    const r = await run('report', '--config', config, '--from', '2026-11-19', '--to', '2026-11-25', '--json', '--html', html);
    expect(r.code).toBe(0);
    // LOX24's verified status is in the application's store, which this run does not have: it says so.
    expect(r.stderr).toBe(`${NO_STORE_NOTE}\nreport written to ${html}\n`);
    card = JSON.parse(r.stdout) as Scorecard;
    expect(card.count).toBe(11);
    const row = (provider: string, country: string) => card.byProviderCountry.find((x) => x.provider === provider && x.country === country);
    expect(row('notificore', 'DE')).toMatchObject({
      started: 4,
      finished: 4,
      conversion: 0.75,
      timeToVerify: { measured: 3, unknown: 0, medianSeconds: 40, p90Seconds: 60 },
    });
    // Notificore's cost is the authentication's price plus its message's.
    expect(row('notificore', 'FR')!.byStatus).toEqual({ pending: 0, verified: 1, failed: 0, expired: 1, canceled: 0 });
    expect(row('messagebird', 'NL')).toMatchObject({ started: 3, conversion: 2 / 3, cost: { totals: [], priced: 0, unpriced: 3 }, costPerVerified: [] });
    expect(row('messagebird', 'NL')!.timeToVerify).toEqual({ measured: 2, unknown: 0, medianSeconds: 12, p90Seconds: 14 });
    expect(row('lox24', 'GB')).toMatchObject({ started: 2, conversion: 0, byStatus: { pending: 0, verified: 0, failed: 1, expired: 1, canceled: 0 }, cost: { totals: [{ amount: '0.08', currency: 'EUR' }], priced: 2, unpriced: 0 } });
    expect(card.volume.filter((p) => p.provider === 'notificore').map((p) => [p.bucket.slice(0, 10), p.started])).toEqual([
      ['2026-11-20', 1],
      ['2026-11-21', 2],
      ['2026-11-22', 2],
      ['2026-11-23', 1],
    ]);
  });

  it('prints tables for people without --json', async () => {
    const r = await run('report', '--config', config, '--from', '2026-11-19', '--to', '2026-11-25');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`${NO_STORE_NOTE}\n`);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('11 verifications, created 2026-11-20T10:00:00.000Z to 2026-11-23T10:00:00.000Z');
    expect(lines).toContainEqual(expect.stringMatching(/^notificore +DE +4 +3 +0 +75\.0 % +40 s +1 min +0\.\d+ EUR +0 +0\.\d{6} EUR$/));
    expect(lines).toContainEqual(expect.stringMatching(/^messagebird +NL +3 +2 +0 +66\.7 % +12 s +14 s +— +3 +—$/));
  });

  it('shows progress on stderr when it is a terminal, and keeps stdout for the report', async () => {
    const { main } = await import('../../cli/main.js');
    const { Writable } = await import('node:stream');
    const out: string[] = [];
    const err: string[] = [];
    const stdout = new Writable({ write: (_chunk, _enc, done) => done() });
    const code = await main(['report', '--config', config, '--from', '2026-11-19', '--to', '2026-11-25', '--json'], { out: (l) => out.push(l), err: (l) => err.push(l), stdout, stderrIsTty: true, env: {} });
    expect(code).toBe(0);
    expect(err.at(-1)).toMatch(/^\r11 records, \d+ pages, \d+\/s\n$/);
    expect(out).toHaveLength(1);
    expect((JSON.parse(out[0]!) as Scorecard).count).toBe(11);
  });

  it('refuses bad arguments with exit 2 before listing', async () => {
    expect(await run('report', '--config', config)).toMatchObject({ code: 2, stderr: expect.stringContaining('--from is required') });
    expect(await run('report', '--config', config, '--from', '2026-11-19', '--bucket', 'week')).toMatchObject({ code: 2, stderr: expect.stringContaining('--bucket must be day or hour') });
    expect(await run('report', '--config', config, '--from', 'yesterday')).toMatchObject({ code: 2, stderr: expect.stringContaining('--from must be a date') });
  });

  it('opens in Chromium with no console errors and no request, every chart drawn, every number equal to the JSON', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.setViewport({ width: 1540, height: 1000 });
    const url = pathToFileURL(html).href;
    await page.goto(url, { waitUntil: 'load' });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]); // self-contained: nothing but the file itself

    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const box = f.querySelector('svg')!.getBoundingClientRect();
        const bars = [...f.querySelectorAll('rect.bar')].map((r) => r.getBoundingClientRect());
        return { id: f.id, width: box.width, height: box.height, bars: bars.length, drawn: bars.filter((b) => b.width > 0 && b.height > 0).length };
      }),
    );
    expect(charts.map((c) => c.id)).toEqual(['chart-conversion', 'chart-cost', 'chart-volume', 'chart-time-to-verify', 'chart-failures']);
    for (const c of charts) {
      expect(c.width, c.id).toBeGreaterThan(300);
      expect(c.bars, c.id).toBeGreaterThan(0);
      expect(c.drawn, c.id).toBe(c.bars);
    }

    const read = (selector: string): Promise<Record<string, string | undefined>[]> =>
      page.$$eval(selector, (nodes) => nodes.map((n) => ({ ...(n as HTMLElement).dataset, text: n.textContent ?? '' })));
    // Charts: each bar's number is the JSON's.
    const conversionBars = await read('#chart-conversion rect.bar');
    for (const bar of conversionBars) {
      const row = card.byProviderCountry.find((r) => r.provider === bar['provider'] && r.country === bar['country'])!;
      expect(Number(bar['value'])).toBe(row.conversion);
    }
    expect(conversionBars).toHaveLength(card.byProviderCountry.filter((r) => r.conversion !== null).length);
    for (const bar of await read('#chart-cost rect.bar')) {
      const row = card.byProviderCountry.find((r) => r.provider === bar['provider'] && r.country === bar['country'])!;
      expect(bar['value']).toBe(String(Number(row.costPerVerified.find((m) => m.currency === 'EUR')!.amount)));
    }
    const volumeBars = await read('#chart-volume rect.bar');
    expect(volumeBars.map((b) => [b['bucket'], b['provider'], Number(b['value'])]).sort()).toEqual(card.volume.map((p) => [p.bucket, p.provider, p.started]).sort());
    for (const bar of await read('#chart-time-to-verify rect.bar')) {
      const counts = card.timeToVerifyHistogram.counts[bar['provider']!]!;
      const index = card.timeToVerifyHistogram.edgesSeconds.indexOf(Number(bar['range']));
      expect(Number(bar['count'])).toBe(counts[index]);
      expect(Number(bar['value'])).toBe(counts[index]! / counts.reduce((a, b) => a + b, 0));
    }
    for (const bar of await read('#chart-failures rect.bar')) {
      expect(Number(bar['value'])).toBe(card.delivery.find((d) => d.provider === bar['provider'] && d.channel === bar['channel'])!.failureRate);
    }

    // Tables: every row of the JSON, every figure.
    for (const [table, rows] of [['#provider-table', card.byProvider], ['#country-table', card.byProviderCountry], ['#rows-table', card.rows]] as const) {
      const cells = await page.$$eval(`${table} tr[data-provider]`, (trs) =>
        trs.map((tr) => ({ key: `${(tr as HTMLElement).dataset['provider']}/${(tr as HTMLElement).dataset['country']}/${(tr as HTMLElement).dataset['channel']}`, cells: Object.fromEntries([...tr.querySelectorAll('td[data-metric]')].map((td) => [(td as HTMLElement).dataset['metric'], (td as HTMLElement).dataset['value'] ?? null])) })),
      );
      expect(cells.map((c) => c.key)).toEqual(rows.map((r) => `${r.provider}/${r.country}/${r.channel}`));
      cells.forEach(({ cells: c }, i) => {
        const r = rows[i]!;
        expect(c).toEqual({
          started: String(r.started),
          verified: String(r.byStatus.verified),
          failed: String(r.byStatus.failed),
          expired: String(r.byStatus.expired),
          canceled: String(r.byStatus.canceled),
          pending: String(r.byStatus.pending),
          conversion: r.conversion === null ? null : String(r.conversion),
          median: r.timeToVerify.medianSeconds === null ? null : String(r.timeToVerify.medianSeconds),
          p90: r.timeToVerify.p90Seconds === null ? null : String(r.timeToVerify.p90Seconds),
          'time-unknown': String(r.timeToVerify.unknown),
          cost: r.cost.totals.map((m) => `${m.amount} ${m.currency}`).join(' + '),
          unpriced: String(r.cost.unpriced),
          'cost-per-verified': r.costPerVerified.map((m) => `${m.amount} ${m.currency}`).join(' + '),
        });
      });
    }
    const delivery = await read('#delivery-table td[data-metric="failure-rate"]');
    expect(delivery.map((d) => (d['value'] === undefined ? null : Number(d['value'])))).toEqual(card.delivery.map((d) => d.failureRate));
    expect(await page.$eval('#summary', (n) => (n as HTMLElement).dataset['count'])).toBe(String(card.count));

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report.png') });
    expect(readFileSync(join(artifacts, 'report.png')).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  }, 60_000);

  it('renders names as text, never as markup', async () => {
    const { scorecardHtml: reportHtml } = await import('../../providers/index.js');
    const { scorecard } = await import('../../src/listing/scorecard.js');
    const evil = '<img src=x onerror=alert(1)>';
    const page = reportHtml(await scorecard([{ id: '1', provider: evil, to: '+491701234567', status: 'verified', channels: [{ channel: 'sms' }], attempts: [], deliveredChannel: 'sms', maxAttempts: 3, failedAttempts: 0, cost: null, reference: undefined, country: undefined, createdAt: new Date(start), updatedAt: undefined, expiresAt: undefined, finishedAt: new Date(start + 5000), raw: null }]), { from: undefined, to: undefined, generatedAt: new Date(start) });
    expect(page).not.toContain(evil);
    expect(page).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});
