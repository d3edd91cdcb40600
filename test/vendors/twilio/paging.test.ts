/**
 * Twilio's time-slice walk, read by read (the paging spec alone, over real HTTP to the simulator,
 * without the kit that would mask a slice's mistakes by dropping repeats): which verifications a
 * slice keeps, where the next slice is and how long, when the walk ends, and its errors.
 */
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/http/client.js';
import { Redactor } from '../../../src/redact.js';
import { foldAttempts, toTwilioError } from '../../../providers/twilio/map.js';
import { FIRST_SLICE_MS, MAX_SLICE_MS, MIN_SLICE_MS, twilioPaging, twilioTime, type Position } from '../../../providers/twilio/paging.js';
import { attemptSchema } from '../../../providers/twilio/wire.js';
import type { TwilioSimulator } from '../../../providers/twilio/simulator.js';
import { startHostileServer, startSimulator } from '../../../testing/index.js';
import type { ListQuery } from '../../../src/model.js';
import * as v from 'valibot';
import { rejectionOf } from '../../helpers.js';

const MIN = 60_000;
const LIFE = 10 * MIN;
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

function spec(url: string, sim: Pick<TwilioSimulator, 'accountSid' | 'authToken' | 'serviceSid'>, now: number, options: { pageSize?: number; maxAttempts?: number } = {}) {
  const basic = `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`;
  const http = new HttpClient({ provider: 'tw', baseUrl: url, authorize: (request) => request.headers.set('authorization', basic), redactor: new Redactor([]), toError: (failure, redactor) => toTwilioError(failure, redactor, 'tw'), retries: 0 });
  return twilioPaging({
    name: 'tw',
    http,
    serviceSid: sim.serviceSid,
    now: () => now,
    pageSize: options.pageSize ?? 1000,
    maxAttempts: options.maxAttempts ?? 50_000,
    parse: (raw) => v.parse(attemptSchema, raw),
    fold: async (attempts, raws) => foldAttempts(attempts, raws, { provider: 'tw', now, warn: () => undefined, failedOf: () => undefined }),
  });
}

async function seeded(times: readonly number[]) {
  const sim = await startSimulator('twilio');
  closers.push(() => sim.close());
  const ids = times.map((at, i) => sim.seed({ to: `+4477009${String(i).padStart(5, '0')}`, createdAt: new Date(at) }));
  return { sim, ids };
}

const read = (paging: ReturnType<typeof spec>, at: Position | undefined, query: ListQuery = {}, limit?: number) => paging.read(at, { query, limit, options: undefined });
const windows = (sim: TwilioSimulator) => sim.requests.filter((r) => r.path === '/v2/Attempts').map((r) => [r.query.get('DateCreatedAfter'), r.query.get('DateCreatedBefore'), r.query.get('PageSize')]);

describe('one slice', () => {
  it('keeps exactly the verifications first attempted in [s, e), and sizes the next slice for about 50', async () => {
    const T = Date.parse('2026-12-06T12:00:00Z');
    // One a minute for 100 minutes before T, and one 9 minutes after the slice's end would be.
    const { sim, ids } = await seeded(Array.from({ length: 100 }, (_, k) => T - (k + 1) * MIN));
    const paging = spec(sim.url, sim, T);
    const page = await read(paging, undefined);
    // e = T + 1 ms, s = e − 1 h: the verifications of the last 59 minutes (the one at T − 60 min is older than s).
    expect(page.items.map((item) => item.id)).toEqual(ids.slice(0, 59));
    expect(page.at).toEqual({ e: T + 1, d: FIRST_SLICE_MS });
    expect(page.next).toEqual({ e: T + 1 - FIRST_SLICE_MS, d: Math.round((50 / 59) * FIRST_SLICE_MS) });
    // The attempts of [s − life, e + life), to the second; no probe: older attempts were seen.
    expect(windows(sim)).toEqual([[twilioTime(T + 1 - FIRST_SLICE_MS - LIFE), twilioTime(T + 1 + LIFE + 999), '1000']]);
    expect(twilioTime(T + 1 - FIRST_SLICE_MS - LIFE)).toBe('2026-12-06T10:50:00Z');
  });

  it('a listPage limit sizes it, at least 25; growth and shrinking are at most 4× a step, within 1 minute and 30 days', async () => {
    const T = Date.parse('2026-12-06T12:00:00Z');
    // 400 in the last 40 minutes (one every 6 s), and one three days before.
    const { sim } = await seeded([...Array.from({ length: 400 }, (_, k) => T - k * 6_000 - 3_000), T - 3 * 86_400_000]);
    const paging = spec(sim.url, sim, T);
    // 400 in the first slice: the next is 4× shorter at most (not 16×).
    expect((await read(paging, undefined, {}, 10)).next).toEqual({ e: T + 1 - FIRST_SLICE_MS, d: FIRST_SLICE_MS / 4 });
    // 40 in the last 4 minutes: sized for the limit, or for 25 under it.
    expect((await read(paging, { e: T + 1, d: 4 * MIN }, {}, 100)).next).toEqual({ e: T + 1 - 4 * MIN, d: Math.round((100 / 40) * 4 * MIN) });
    expect((await read(paging, { e: T + 1, d: 4 * MIN }, {}, 10)).next).toEqual({ e: T + 1 - 4 * MIN, d: Math.round((25 / 40) * 4 * MIN) });
    expect((await read(paging, { e: T + 1, d: MIN }, {}, 10_000)).next).toEqual({ e: T + 1 - MIN, d: 4 * MIN });
    // One in a slice of 15 days: 4× would pass 30 days.
    expect((await read(paging, { e: T - 100 * MIN, d: MAX_SLICE_MS / 2 }, { from: new Date(T - 400 * 86_400_000) })).next).toEqual({ e: T - 100 * MIN - MAX_SLICE_MS / 2, d: MAX_SLICE_MS });
  });

  it('ends at from: the slice stops there, and nothing is probed', async () => {
    const T = Date.parse('2026-12-06T12:00:00Z');
    const { sim, ids } = await seeded([T - 10 * MIN, T - 20 * MIN, T - 30 * MIN]);
    const paging = spec(sim.url, sim, T);
    const from = new Date(T - 20 * MIN);
    const page = await read(paging, undefined, { from });
    expect(page.items.map((item) => item.id)).toEqual(ids.slice(0, 2));
    expect(page.next).toBeUndefined();
    expect(windows(sim)).toEqual([[twilioTime(from.getTime() - LIFE), twilioTime(T + 1 + LIFE + 999), '1000']]);
    const later = await read(paging, undefined, { from: new Date(T - 2 * FIRST_SLICE_MS) });
    expect(later.next).toEqual({ e: T + 1 - FIRST_SLICE_MS, d: 4 * FIRST_SLICE_MS });
  });

  it('without from, a one-item probe below the window decides whether the walk goes on; empty slices grow 4×', async () => {
    const T = Date.parse('2026-12-06T12:00:00Z');
    const { sim, ids } = await seeded([T - 5 * MIN, T - 270 * MIN, T - 72 * 3_600_000]);
    const paging = spec(sim.url, sim, T);
    const H = FIRST_SLICE_MS;
    const first = await read(paging, undefined);
    expect([first.items.map((item) => item.id), first.next]).toEqual([[ids[0]], { e: T + 1 - H, d: 4 * H }]);
    expect(windows(sim).at(-1)).toEqual([null, twilioTime(T + 1 - H - LIFE + 999), '1']);
    const second = await read(paging, first.next);
    expect([second.items.map((item) => item.id), second.next]).toEqual([[ids[1]], { e: T + 1 - 5 * H, d: 16 * H }]);
    const third = await read(paging, second.next);
    expect([third.items, third.next]).toEqual([[], { e: T + 1 - 21 * H, d: 64 * H }]);
    const fourth = await read(paging, third.next);
    expect(fourth).toEqual({ at: third.next, items: [expect.objectContaining({ id: ids[2] })] });
    expect(windows(sim).filter(([, , size]) => size === '1')).toHaveLength(4);
  });

  it('a slice over maxAttempts is halved until it fits; at a minute it is an error', async () => {
    const T = Date.parse('2026-12-06T12:00:00Z');
    const { sim } = await seeded(Array.from({ length: 60 }, (_, k) => T - (k + 1) * MIN));
    const halved = await read(spec(sim.url, sim, T, { maxAttempts: 40 }), undefined);
    // 1 h reads 70 minutes of attempts (60 > 40); 30 minutes read 40 minutes (39).
    expect(halved.at).toEqual({ e: T + 1, d: FIRST_SLICE_MS / 2 });
    expect(halved.items).toHaveLength(29);
    const error = await rejectionOf(read(spec(sim.url, sim, T, { maxAttempts: 5 }), undefined));
    expect(error).toMatchObject({ name: 'InvalidResponseError', provider: 'tw', operation: 'list', sent: 'no', message: 'tw list: more than 5 attempts in one minute; raise the listMaxAttempts option' });
    expect(MIN_SLICE_MS).toBe(MIN);
  });
});

describe('errors of a walk', () => {
  it('a page that is not an Attempts list, and a next_page_url that is not a URL, are InvalidResponseErrors', async () => {
    const sim = { accountSid: `AC${'0'.repeat(32)}`, authToken: 't', serviceSid: `VA${'0'.repeat(32)}` };
    const wrong = await startHostileServer({ kind: 'answer', status: 200, body: '{"results":[]}' });
    const bad = await startHostileServer({ kind: 'answer', status: 200, body: '{"attempts":[],"meta":{"next_page_url":"http://[broken"}}' });
    closers.push(() => wrong.close(), () => bad.close());
    expect(await rejectionOf(read(spec(wrong.url, sim, Date.now()), undefined))).toMatchObject({ name: 'InvalidResponseError', operation: 'list', sent: 'no', message: "tw list: the page does not fit Twilio's Attempts list" });
    expect(await rejectionOf(read(spec(bad.url, sim, Date.now()), undefined))).toMatchObject({ name: 'InvalidResponseError', message: 'tw list: next_page_url is not a URL' });
  });

  it('next_page_url is followed on the Attempts path only (a path that merely contains it is refused)', async () => {
    const sim = { accountSid: `AC${'0'.repeat(32)}`, authToken: 't', serviceSid: `VA${'0'.repeat(32)}` };
    const server = await startHostileServer({ kind: 'answer', status: 200, body: '{"attempts":[],"meta":{"next_page_url":"https://verify.twilio.com/v2/Attempts/evil?PageToken=x"}}' });
    closers.push(() => server.close());
    expect((await rejectionOf(read(spec(server.url, sim, Date.now()), undefined))).message).toBe('tw list: next_page_url points outside the Attempts list');
  });

  it('empty pages that each point to a new page end the read after three, not never', async () => {
    const sim = { accountSid: `AC${'0'.repeat(32)}`, authToken: 't', serviceSid: `VA${'0'.repeat(32)}` };
    let served = 0;
    const server = createServer((_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ attempts: [], meta: { next_page_url: `/v2/Attempts?PageToken=t${served}` } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    expect(await rejectionOf(read(spec(url, sim, Date.now()), undefined))).toMatchObject({ name: 'InvalidResponseError', sent: 'no', message: 'tw list: Twilio answered 3 empty pages in a row that each point to another' });
    expect(served).toBe(3);
  });

  it('positions from a cursor are range-checked', () => {
    const paging = spec('http://127.0.0.1:9', { accountSid: 'AC', authToken: 't', serviceSid: 'VA' }, 0);
    expect(v.safeParse(paging.position, { e: 1, d: MIN }).success).toBe(true);
    for (const bad of [{ e: -1, d: MIN }, { e: 1, d: MIN - 1 }, { e: 1, d: MAX_SLICE_MS + 1 }, { e: 1.5, d: MIN }, { e: 1 }, {}]) expect(v.safeParse(paging.position, bad).success, JSON.stringify(bad)).toBe(false);
  });
});
