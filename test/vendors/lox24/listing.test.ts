/**
 * LOX24 lists right whatever order its `/verify_codes` comes in (oldest first, newest first,
 * by id), whether it honours `_order` and the date filters or not, in bare arrays or hydra
 * collections: each item exactly once, newest first, through list(), listPage() cursors and
 * listAcross, on the simulator playing each behaviour.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UnsupportedError, listAcross, listAcrossPage, type Verification } from '../../../providers/index.js';
import { lox24, type Lox24Options } from '../../../providers/lox24/index.js';
import { runConformance, startSimulator, type SimulatorOptions } from '../../../testing/index.js';

import { rejectionOf } from '../../helpers.js';
import type { Lox24Simulator } from '../../../providers/lox24/simulator.js';

const TO = '+491701234567';
const BASE = Date.parse('2026-11-20T10:00:00Z');

const MODES: [string, SimulatorOptions['lox24']][] = [
  ['oldest first', { order: 'asc' }],
  ['newest first', { order: 'desc' }],
  ['by id', { order: 'id' }],
  ['oldest first, honouring _order', { order: 'asc', honourOrder: true }],
  ['by id, honouring _order and the dates', { order: 'id', honourOrder: true, honourDateFilters: true }],
  ['newest first, in hydra collections', { order: 'desc', format: 'hydra' }],
  ['oldest first, in hydra collections', { order: 'asc', format: 'hydra' }],
  ['by id, in hydra collections, honouring the dates', { order: 'id', format: 'hydra', honourDateFilters: true }],
];

let sim: Lox24Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function provider(s: Lox24Simulator, options: Partial<Lox24Options> = {}) {
  return lox24({ token: s.token, secret: 'listing-secret-0123456', baseUrl: s.url, now: () => BASE + 3_600_000, ...options });
}

/** 23 verify codes a few seconds apart, some pairs at the same second; newest first as expected. */
function seed(s: Lox24Simulator): Verification['id'][] {
  const seeded = Array.from({ length: 23 }, (_, i) => ({ id: s.seed({ to: TO, createdAt: new Date(BASE + Math.floor(i / 2) * 3_000 + (i % 2) * 1_000 * (i % 4 === 1 ? 0 : 1)), reference: `r${i % 3}` }), i }));
  return seeded.map((x) => x.id);
}

async function collect(items: AsyncIterable<Verification>): Promise<Verification[]> {
  const out: Verification[] = [];
  for await (const v of items) out.push(v);
  return out;
}

function expectNewestFirstOnce(items: Verification[], ids: readonly string[]): void {
  expect([...items.map((v) => v.id)].sort()).toEqual([...ids].sort());
  const times = items.map((v) => v.createdAt.getTime());
  expect(times).toEqual([...times].sort((a, b) => b - a));
}

describe.each(MODES)('LOX24 listing %s', (_name, mode) => {
  it('list(), pages() and listPage() cursors give every item once, newest first', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, ...mode });
    const ids = seed(sim);
    const verify = provider(sim);
    const listed = await collect(verify.list());
    expectNewestFirstOnce(listed, ids);
    // One walk asks each page once (detection, the last-page search and the pages fetched ahead included).
    const asked = sim.requests.map((r) => r.query.get('page'));
    expect(asked).toEqual([...new Set(asked)]);
    const paged: Verification[] = [];
    let cursor: string | undefined;
    do {
      const page = await verify.listPage({ limit: 4, ...(cursor && { cursor }) });
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.map((v) => v.id)).toEqual(listed.map((v) => v.id));
    const batches: string[] = [];
    for await (const batch of verify.pages!()) batches.push(...batch.map((v) => v.id));
    expect(batches).toEqual(listed.map((v) => v.id));
  });

  it('filters a window and a reference, and merges across providers', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, ...mode });
    const ids = seed(sim);
    const verify = provider(sim);
    const all = await collect(verify.list());
    const from = new Date(BASE + 9_000);
    const to = new Date(BASE + 27_000);
    const window = await collect(verify.list({ from, to, reference: 'r1' }));
    expect(window.map((v) => v.id)).toEqual(all.filter((v) => v.createdAt >= from && v.createdAt < to && v.reference === 'r1').map((v) => v.id));
    const across = await collect(listAcross([verify]));
    expectNewestFirstOnce(across, ids);
    const first = await listAcrossPage([verify], { limit: 10 });
    const rest = await listAcrossPage([verify], { limit: 100, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((v) => v.id)).toEqual(across.map((v) => v.id));
  });
});

describe('LOX24 listing, more', () => {
  it('an unordered LOX24 with more verify codes in the window than listSortCap: a typed error that says what to do', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, order: 'id' });
    seed(sim);
    const error = await rejectionOf(collect(provider(sim, { listSortCap: 10 }).list()));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.message).toBe(
      'lox24 list: LOX24 lists verify codes in no time order here, and more than 10 fall in this window; narrow it with from/to, raise the adapter option listSortCap, or pin listOrder if you know how your account orders',
    );
    // A narrower window fits.
    expect((await collect(provider(sim, { listSortCap: 10 }).list({ from: new Date(BASE + 24_000) }))).length).toBeLessThanOrEqual(10);
  });

  it('oldest first: finds the last page in O(log pages) requests, then walks back', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, order: 'asc' });
    const ids = seed(sim); // pages 5, 5, 5, 5, 3
    const iterator = provider(sim).list()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value.id).toBe(ids[22]);
    const probes = sim.requests.map((r) => r.query.get('page'));
    expect(probes.slice(0, 4)).toEqual(['1', '2', '4', '8']); // detection reads 1 and 2; the search doubles to an empty page 8
    expect(new Set(probes).size).toBeLessThanOrEqual(7);
    while (!(await iterator.next()).done);
  });

  it('newest first: walks forward and stops at from without reading further pages', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, order: 'desc' });
    seed(sim);
    const items = await collect(provider(sim, { listOrder: 'desc' }).list({ from: new Date(BASE + 27_000) }));
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((v) => v.createdAt.getTime() >= BASE + 27_000)).toBe(true);
    const pages = sim.requests.map((r) => Number(r.query.get('page')));
    expect(Math.max(...pages)).toBeLessThanOrEqual(3);
  });

  const seedCount = (s: Lox24Simulator, count: number) => Array.from({ length: count }, (_, i) => s.seed({ to: TO, createdAt: new Date(BASE + i * 2_000) }));

  it('newest first over two pages: pages 1 and 2, each once, and nothing past the short one', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, order: 'desc' });
    const ids = seedCount(sim, 8);
    expect((await collect(provider(sim).list())).map((v) => v.id)).toEqual([...ids].reverse());
    expect(sim.requests.map((r) => r.query.get('page'))).toEqual(['1', '2']);
  });

  it('newest first, pages fetched ahead: each page once, at most one page past the last', async () => {
    for (const [count, last] of [[15, 4], [23, 5], [40, 9]] as const) {
      sim = await startSimulator('lox24', { pageSize: 5, order: 'desc' });
      const ids = seedCount(sim, count);
      expect((await collect(provider(sim).list())).map((v) => v.id)).toEqual([...ids].reverse());
      const asked = sim.requests.map((r) => Number(r.query.get('page')));
      expect(asked).toEqual([...new Set(asked)]);
      expect(Math.max(...asked)).toBeLessThanOrEqual(last + 1); // `last`: the empty or short page that ends the list
      await sim.close();
      sim = undefined;
    }
  });

  it('oldest first: the pages the last-page search read are not read again on the way back', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, order: 'asc' });
    const ids = seedCount(sim, 23);
    expect((await collect(provider(sim).list())).map((v) => v.id)).toEqual([...ids].reverse());
    const asked = sim.requests.map((r) => Number(r.query.get('page')));
    expect(asked).toEqual([...new Set(asked)]);
    expect([...asked].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 8]);
  });

  it('a pinned order that is wrong is an error, never a wrong list', async () => {
    sim = await startSimulator('lox24', { pageSize: 5, order: 'id' });
    seed(sim);
    const error = await rejectionOf(collect(provider(sim, { listOrder: 'desc' }).list()));
    expect(error.message).toBe('lox24 list: LOX24 did not list in creation order, so the list cannot be given newest first');
  });
});

for (const [name, mode] of MODES) {
  runConformance(
    {
      name: `lox24, ${name}`,
      async setup() {
        const s = await startSimulator('lox24', { pageSize: 2, ...mode });
        const verify = lox24({ token: s.token, secret: 'conformance-secret-123', baseUrl: s.url, now: () => s.now() });
        return {
          provider: verify,
          to: TO,
          request: { to: TO, channels: [{ channel: 'sms', sender: 'LOX24' }] },
          readCode: (v) => s.lastCode(v.id)!,
          language: (v) => s.lastMessage(v.id)?.language,
          advance: (ms) => s.advance(ms),
          requestCount: () => s.requestCount,
          unknownId: '00000000-0000-4000-8000-000000000000',
          wrongCode: (code) => (code === '000000' ? '111111' : '000000'),
          close: () => s.close(),
        };
      },
    },
    { describe, it },
  );
}
