/**
 * Notificore over loopback against its simulator: token renewal, list paging and every
 * filter, prefetching, pages shifted by new authentications, costs, and the spec check.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationError, listAcross, type VerifyEvent, type Verification } from '../../../providers/index.js';
import { notificore, type NotificoreOptions } from '../../../providers/notificore/index.js';
import { startSimulator } from '../../../testing/index.js';

import { fastBackoff, rejectionOf } from '../../helpers.js';
import { expectConformingRequests, specProblems } from '../../openapi.js';
import type { NotificoreSimulator } from '../../../providers/notificore/simulator.js';
import type { NotificoreSimulatorOptions } from '../../../providers/notificore/simulator.js';

let sim: NotificoreSimulator;
const TO = '+61401629754';

async function setup(options: NotificoreSimulatorOptions = {}) {
  sim = await startSimulator('notificore', { templates: [{ id: 12, text: 'Code {code2fa}' }], ...options });
}
function provider(options: Partial<NotificoreOptions> = {}) {
  return notificore({ apiKey: sim.apiKey, sender: 'MyApp', templateId: 12, baseUrl: sim.url, backoff: fastBackoff, now: () => sim.now(), ...options });
}
const logins = () => sim.requests.filter((r) => r.path === '/api/auth/login').length;
const refreshes = () => sim.requests.filter((r) => r.path === '/api/auth/refresh').length;

afterEach(async () => {
  await expectConformingRequests(sim.requests);
  await sim.close();
});

describe('token', () => {
  it('20 concurrent calls share one login', async () => {
    await setup();
    const verify = provider();
    await Promise.all(Array.from({ length: 20 }, () => verify.start({ to: TO })));
    expect(logins()).toBe(1);
  });

  it('renews an expiring token once (refresh while valid, login once expired)', async () => {
    await setup({ tokenTtlSeconds: 600 });
    const verify = provider();
    await verify.start({ to: TO });
    sim.advance(550_000); // within a minute of exp: refreshed
    await Promise.all(Array.from({ length: 5 }, () => verify.listPage()));
    expect([logins(), refreshes()]).toEqual([1, 1]);
    sim.advance(700_000); // past exp: a new login
    await Promise.all(Array.from({ length: 5 }, () => verify.listPage()));
    expect([logins(), refreshes()]).toEqual([2, 1]);
  });

  it('logs in again once after a 401 and retries the call', async () => {
    await setup();
    const verify = provider();
    await verify.start({ to: TO });
    sim.fault({ method: 'GET', path: '/api/2fa/authentications', status: 401, body: { message: 'Unauthenticated.' } });
    expect(await verify.listPage()).toMatchObject({ items: [expect.anything()] });
    expect(logins()).toBe(2);
  });

  it('a wrong API key is an AuthenticationError, and neither key nor token shows anywhere', async () => {
    await setup();
    const events: VerifyEvent[] = [];
    const error = await rejectionOf(provider({ apiKey: 'live_wrong_key_000000', onEvent: (e) => events.push(e) }).start({ to: TO }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.operation).toBe('auth');
    const views = [error.message, JSON.stringify(error), inspect(error, { depth: 10 }), JSON.stringify(events)].join('\n');
    expect(views).not.toContain('live_wrong_key_000000');

    const good = provider({ onEvent: (e) => events.push(e) });
    const v = await good.start({ to: TO });
    const bearer = (sim.requests.at(-1)!.headers['authorization'] as string).slice('Bearer '.length);
    sim.fault({ method: 'GET', status: 500, body: { message: `boom ${bearer} ${sim.apiKey}` }, times: 3 });
    const failure = await rejectionOf(good.get(v.id));
    const all = [failure.message, JSON.stringify(failure), inspect(failure, { depth: 10 }), inspect(good, { depth: 10 }), JSON.stringify(events)].join('\n');
    expect(all).not.toContain(bearer);
    expect(all).not.toContain(sim.apiKey);
    expect(failure.message).toBe('notificore get: HTTP 500: boom [redacted] [redacted]');
  });
});

describe('list', () => {
  async function seeded(count: number, startMs: number, stepMs = 1000) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(sim.seed({ to: i % 2 ? '+61401629754' : '+4915112345678', createdAt: new Date(startMs + i * stepMs), status: i % 3 ? 'verified' : 'expired', channel: i % 4 ? 'sms' : 'viber' }));
    }
    return ids;
  }
  const collect = async (iterable: AsyncIterable<Verification>) => {
    const out: Verification[] = [];
    for await (const v of iterable) out.push(v);
    return out;
  };

  it('walks many pages newest first, each item once, fetching ahead within the bound', async () => {
    await setup({ latencyMs: 5 });
    const now = sim.now();
    const ids = await seeded(230, now - 10 * 86_400_000);
    let inFlight = 0;
    let most = 0;
    const onEvent = (e: VerifyEvent) => {
      if (e.operation !== 'list') return;
      if (e.type === 'request') most = Math.max(most, ++inFlight);
      if (e.type === 'response') inFlight--;
    };
    const items = await collect(provider({ listPageSize: 50, listPrefetch: 2, onEvent }).list());
    expect(items.map((v) => v.id)).toEqual([...ids].reverse());
    expect(most).toBe(2);
    const pages = sim.requests.filter((r) => r.path === '/api/2fa/authentications').map((r) => r.query.get('page[offset]'));
    expect(pages).toEqual(['0', '50', '100', '150', '200']);
  });

  it('pages with cursors at every limit give what full iteration gives', async () => {
    await setup();
    await seeded(23, sim.now() - 86_400_000, 0); // equal timestamps everywhere
    const verify = provider();
    const all = (await collect(verify.list())).map((v) => v.id);
    expect(new Set(all).size).toBe(23);
    for (const limit of [1, 2, 3, 7, 10, 50]) {
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await verify.listPage({ limit, ...(cursor && { cursor }) });
        paged.push(...page.items.map((v) => v.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all);
    }
  });

  it('skips what new authentications push onto the next page', async () => {
    await setup();
    await seeded(12, sim.now() - 3_600_000);
    const verify = provider();
    const first = await verify.listPage({ limit: 10 });
    await verify.start({ to: TO }); // lands on top and shifts every offset by one
    await verify.start({ to: TO });
    const second = await verify.listPage({ limit: 10, cursor: first.nextCursor! });
    const ids = [...first.items, ...second.items].map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(12);
  });

  it('applies each filter, server-side where Notificore can and client-side otherwise, with the same result', async () => {
    await setup();
    const base = Math.floor((sim.now() - 5 * 86_400_000) / 1000) * 1000;
    const ids = await seeded(40, base, 3_600_000);
    const verify = provider();
    const all = await collect(verify.list({ from: new Date(base - 1) }));
    expect(all).toHaveLength(40);
    const from = new Date(base + 10 * 3_600_000);
    const to = new Date(base + 30 * 3_600_000 + 1);
    const cases: [Parameters<typeof verify.list>[0], (v: Verification) => boolean][] = [
      [{ from: new Date(base - 1), status: 'expired' }, (v) => v.status === 'expired'],
      [{ from: new Date(base - 1), channel: 'viber' }, (v) => v.channels[0]!.channel === 'viber'],
      [{ from: new Date(base - 1), phone: '+4915112345678' }, (v) => v.to === '+4915112345678'],
      [{ from, to }, (v) => v.createdAt >= from && v.createdAt < to],
      [{ from: new Date(base - 1), ids: ids.slice(0, 3) }, (v) => ids.slice(0, 3).includes(v.id)],
      [{ from: new Date(base - 1), ids: ids.slice(0, 5) }, (v) => ids.slice(0, 5).includes(v.id)],
      [{ from: new Date(base - 1), status: 'verified', channel: 'sms', phone: TO }, (v) => v.status === 'verified' && v.channels[0]!.channel === 'sms' && v.to === TO],
    ];
    for (const [query, keep] of cases) {
      const expected = all.filter(keep).map((v) => v.id);
      expect(expected.length).toBeGreaterThan(0);
      expect((await collect(verify.list(query))).map((v) => v.id)).toEqual(expected);
    }
  });

  it('a filter Notificore cannot match answers empty without a request', async () => {
    await setup();
    const before = sim.requestCount;
    expect(await collect(provider().list({ channel: 'telegram' }))).toEqual([]);
    expect(sim.requestCount).toBe(before);
  });
});

describe('costs and delivery', () => {
  it('cost is the authentication price plus message prices, exact, once finished; null while pending', async () => {
    await setup({ outcomes: { viber: 'undelivered' }, authenticationPrice: '0.02', messagePrices: { viber: '0.0321459', sms: '0.0642918' }, priceFormat: 'comma-string' });
    const verify = provider();
    const v = await verify.start({ to: TO, channels: [{ channel: 'viber' }, { channel: 'sms', sender: 'MyAppSMS' }] });
    const pending = await verify.get(v.id);
    expect(pending.cost).toBeNull();
    expect(pending.attempts.map((a) => [a.channel, a.status])).toEqual([['viber', 'failed'], ['sms', 'delivered']]);
    expect(pending.deliveredChannel).toBe('sms');
    await verify.check(v.id, sim.lastCode(v.id)!);
    expect((await verify.get(v.id)).cost).toEqual({ amount: '0.1164377', currency: 'EUR' });
  });
});

describe('the spec check itself', () => {
  it('catches requests outside the spec', async () => {
    await setup();
    expect(await specProblems({ method: 'GET', path: '/api/2fa/authentications', query: new URLSearchParams('page[limit]=5&filter[from]=2022-12-01T10:00&filter[to]=2022-12-31&extra=1'), body: undefined })).toEqual([
      '/query must NOT have additional properties',
      '/query/page[limit] must be >= 10',
      '/query/filter[from] must match format "date"',
    ]);
    expect(await specProblems({ method: 'POST', path: '/api/2fa/authentications/otp', query: new URLSearchParams(), body: { recipient: '61401629754', channel: 'sms', sender: 'S', template_id: '12', code_lifetime: 300, code_max_tries: 3, code_digits: 5, extra: 1 } })).toEqual([
      '/requestBody/template_id must be integer',
      '/requestBody/extra is not in the spec',
    ]);
    expect(await specProblems({ method: 'DELETE', path: '/api/2fa/authentications/otp', query: new URLSearchParams(), body: undefined })).toEqual([
      'no operation DELETE /api/2fa/authentications/otp in the spec',
    ]);
  });
});

describe('behaviours the docs leave open', () => {
  const seedMany = (count: number, status: 'verified' | 'expired' = 'verified') => {
    const base = Math.floor((sim.now() - 2 * 86_400_000) / 1000) * 1000;
    return Array.from({ length: count }, (_, i) => sim.seed({ to: TO, createdAt: new Date(base + i * 1000), status }));
  };
  const collect = async (items: AsyncIterable<Verification>) => {
    const out: Verification[] = [];
    for await (const v of items) out.push(v);
    return out;
  };

  it('a server that caps pages (asked 100, serves 50) while total says 250: every item, once, by list() and by cursors', async () => {
    await setup({ maxPageSize: 50 });
    const ids = seedMany(250);
    const verify = provider({ listPageSize: 100 });
    const listed = (await collect(verify.list())).map((v) => v.id);
    expect(listed).toEqual([...ids].reverse());
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await verify.listPage({ limit: 100, ...(cursor && { cursor }) });
      paged.push(...page.items.map((v) => v.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(listed);
    const across: string[] = [];
    for await (const v of listAcross([verify])) across.push(v.id);
    expect(across).toEqual(listed);
  });

  it('an item leaving the status filter during a walk makes no other item that matched throughout go missing', async () => {
    let flips = 0;
    await setup({
      afterList: (s) => {
        // After each page, the newest authentication that is still verified expires.
        const next = s.newestFirst().find((id) => !flipped.has(id));
        if (next && flips++ < 5) {
          flipped.add(next);
          s.setStatus(next, 'expired');
        }
      },
    });
    const flipped = new Set<string>();
    const ids = seedMany(120);
    const listed = (await collect(provider({ listPageSize: 20, listPrefetch: 0 }).list({ status: 'verified' }))).map((v) => v.id);
    const throughout = ids.filter((id) => !flipped.has(id));
    expect(throughout.length).toBe(115);
    for (const id of throughout) expect(listed).toContain(id);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('a total that keeps growing is followed, and bounded', async () => {
    let added = 0;
    await setup({
      afterList: (s) => {
        if (added++ < 3) s.seed({ to: TO, createdAt: new Date(s.now()) }); // new ones arrive during the walk
      },
    });
    const ids = seedMany(60);
    const listed = (await collect(provider({ listPageSize: 20, listPrefetch: 0 }).list())).map((v) => v.id);
    for (const id of ids) expect(listed).toContain(id);
    expect(new Set(listed).size).toBe(listed.length);

    await sim.close();
    await setup({ afterList: (s) => void Array.from({ length: 40 }, () => s.seed({ to: TO, createdAt: new Date(s.now()) })) });
    seedMany(30);
    const error = await rejectionOf(collect(provider({ listPageSize: 20, listPrefetch: 0 }).list()));
    expect(error.name).toBe('InvalidResponseError');
    expect(error.message).toMatch(/^notificore list: Notificore's total kept growing during the walk \(past \d+ at offset \d+\); list a narrower window$/);
  });

  it('up to three ids are read one by one, none sent as filter[ids]; more walk the window', async () => {
    await setup();
    const ids = seedMany(30);
    const verify = provider();
    const three = (await collect(verify.list({ ids: [ids[3]!, ids[7]!, '00000000-0000-4000-8000-000000000000'] }))).map((v) => v.id);
    expect(three).toEqual([ids[7], ids[3]]);
    expect(sim.requests.some((r) => [...r.query.keys()].some((k) => k.startsWith('filter[ids]')))).toBe(false);
    const five = (await collect(verify.list({ ids: ids.slice(0, 5) }))).map((v) => v.id);
    expect(five).toEqual(ids.slice(0, 5).reverse());
  });
});

describe('a refused token under load', () => {
  it('200 concurrent calls after the vendor drops its sessions: one new login, no failure', async () => {
    await setup({ latencyMs: 50 });
    const verify = provider();
    await verify.listPage();
    expect(logins()).toBe(1);
    sim.revokeTokens();
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => verify.listPage()));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(logins()).toBe(2);
  });
});
