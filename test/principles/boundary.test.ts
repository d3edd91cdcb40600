/**
 * The boundary against a hostile server on 127.0.0.1: redirects are never followed, so no
 * credential, code or body reaches another origin; a redirect is a typed error with the
 * right `sent`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidResponseError } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { messagebird } from '../../providers/messagebird/index.js';
import { rejectionOf } from '../helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

async function listen(handler: (req: IncomingMessage, body: string) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{ url: string; seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] }> {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const answer = handler(req, body);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe('redirects are never followed', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`HTTP ${status}: nothing reaches the other origin, and the error says whether a message may have gone out`, async () => {
      const elsewhere = await listen(() => ({ status: 200, body: '{}' }));
      const vendor = await listen((req) => ({ status, headers: { location: `${elsewhere.url}${req.url}` } }));
      const token = '7654321:secret-token-never-elsewhere';
      const verify = lox24({ token, secret: 'boundary-secret-0123456', baseUrl: vendor.url, retries: 2 });
      const start = await rejectionOf(verify.start({ to: '+491701234567', code: '482913' }));
      expect(start).toBeInstanceOf(InvalidResponseError);
      expect(start).toMatchObject({ status, sent: 'maybe', retryable: false });
      expect(start.message).toBe(`lox24 start: the vendor answered HTTP ${status} (a redirect), which is not followed; the message may have been sent`);
      const get = await rejectionOf(verify.get('00000000-0000-4000-8000-000000000000'));
      expect(get).toMatchObject({ name: 'InvalidResponseError', status, sent: 'no' });
      expect(vendor.seen).toHaveLength(2); // neither is retried
      expect(elsewhere.seen).toEqual([]);
    });
  }

  it("Notificore's login body (the API key) and Bird's access key never go elsewhere", async () => {
    const elsewhere = await listen(() => ({ status: 200, body: '{"bearer":"x"}' }));
    const vendor = await listen((req) => ({ status: 307, headers: { location: `${elsewhere.url}${req.url}` } }));
    const nc = notificore({ apiKey: 'live_never_elsewhere_0123', sender: 'MyApp', templateId: 1, baseUrl: vendor.url, retries: 0 });
    expect(await rejectionOf(nc.start({ to: '+61401629754' }))).toMatchObject({ name: 'InvalidResponseError', operation: 'auth', status: 307 });
    const ws = 'f0e1d2c3-b4a5-4968-8776-655443322110';
    const bird = messagebird({ accessKey: 'bird-key-never-elsewhere', workspaceId: ws, channels: { sms: { navigatorId: ws } }, baseUrl: vendor.url, retries: 0 });
    expect(await rejectionOf(bird.get(ws))).toMatchObject({ name: 'InvalidResponseError', status: 307 });
    expect(elsewhere.seen).toEqual([]);
  });
});

describe('one deadline per attempt, and a size cap', () => {
  /** A server whose answer starts and never ends. */
  async function endless() {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"');
      const drip = setInterval(() => res.write('a'), 20);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('a body that never ends fails with TimeoutError: sent no on a read, maybe on a send', async () => {
    const url = await endless();
    const verify = lox24({ token: 't0123456789', secret: 'boundary-secret-0123456', baseUrl: url, retries: 0, timeoutMs: 150 });
    const get = await rejectionOf(verify.get('00000000-0000-4000-8000-000000000000'));
    expect(get).toMatchObject({ name: 'TimeoutError', sent: 'no' });
    expect(get.message).toBe('lox24 get: no response within 150 ms');
    const start = await rejectionOf(verify.start({ to: '+491701234567' }));
    expect(start).toMatchObject({ name: 'TimeoutError', sent: 'maybe' });
  });

  it("the caller's signal ends the body read too", async () => {
    const url = await endless();
    const verify = lox24({ token: 't0123456789', secret: 'boundary-secret-0123456', baseUrl: url, retries: 0, timeoutMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await rejectionOf(verify.get('00000000-0000-4000-8000-000000000000', { signal: controller.signal }))).toMatchObject({ name: 'AbortedError', sent: 'no' });
  });

  it('an answer over maxResponseBytes is an InvalidResponseError, counted on decoded bytes (a gzip bomb too)', async () => {
    const { gzipSync } = await import('node:zlib');
    const big = `[${'"x",'.repeat(400_000)}"x"]`; // ~1.6 MB
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 32)); // 20 MiB of spaces, ~20 KB on the wire
    const plain = await listen(() => ({ status: 200, body: big }));
    const verify = lox24({ token: 't0123456789', secret: 'boundary-secret-0123456', baseUrl: plain.url, retries: 0, maxResponseBytes: 1_048_576 });
    const error = await rejectionOf(verify.get('00000000-0000-4000-8000-000000000000'));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe('lox24 get: the answer is larger than 1048576 bytes, and was not read');
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const bombed = lox24({ token: 't0123456789', secret: 'boundary-secret-0123456', baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, retries: 0 });
    const start = await rejectionOf(bombed.start({ to: '+491701234567' }));
    expect(start).toMatchObject({ name: 'InvalidResponseError', sent: 'maybe' });
    expect(start.message).toBe('lox24 start: the answer is larger than 4194304 bytes, and was not read; the message may have been sent');
  });
});

describe('redact, then cut', () => {
  it('a secret at the cut of a long vendor text leaves no part of itself; echoed phone numbers are masked', async () => {
    const token = '7654321:abcdefghijklmnopqrstuvwx'; // the API key part is 24 characters
    for (const offset of [190, 195, 199, 280, 290, 295, 299, 300, 305]) {
      const body = `${'x'.repeat(offset)}${token} for +491701234567 ${'y'.repeat(50)}`;
      const vendor = await listen(() => ({ status: 500, headers: { 'content-type': 'text/plain' }, body }));
      const error = await rejectionOf(lox24({ token, secret: 'boundary-secret-0123456', baseUrl: vendor.url, retries: 0 }).get('00000000-0000-4000-8000-000000000000'));
      const views = [error.message, error.stack, JSON.stringify(error), (await import('node:util')).inspect(error, { depth: 10 })].join('\n');
      for (let i = 0; i + 8 <= token.length; i++) expect(views).not.toContain(token.slice(i, i + 8));
      expect(views).not.toContain('+491701234567');
    }
  });
});

describe('every vendor value is range-checked', () => {
  const auth = { id: 'ea5db413-e368-4952-b745-cc2030210c49', recipient: '61401629754', status: 'verified', channel: 'sms', price: 0.02, currency: 'EUR', created_at: '2022-04-28 14:21:16', messages: [] };
  it.each([
    ['a negative price', { price: -0.5 }, 'price'],
    ['a negative price written as text', { price: '-0,5' }, 'price'],
    ['a negative try count', { code_max_tries: -1 }, 'code_max_tries'],
    ['an id that is no UUID', { id: 'nope' }, 'id'],
  ])('Notificore: %s is an InvalidResponseError naming the field', async (_why, change, field) => {
    const vendor = await listen((req) =>
      req.url === '/api/auth/login' ? { status: 200, body: JSON.stringify({ bearer: 'a.e30.b' }) } : { status: 200, body: JSON.stringify({ data: { ...auth, ...change } }) },
    );
    const nc = notificore({ apiKey: 'live_range_check_0123', sender: 'MyApp', templateId: 1, baseUrl: vendor.url, retries: 0 });
    const error = await rejectionOf(nc.get(auth.id));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe(`notificore get: the authentication in the response does not fit Notificore's documented format (${field})`);
  });

  it.each([
    ['a negative failedAttempts', { failedAttempts: -1 }, 'failedAttempts'],
    ['a fractional maxAttempts', { maxAttempts: 2.5 }, 'maxAttempts'],
    ['an id that is no UUID', { id: '../x' }, 'id'],
  ])('Bird: %s is an InvalidResponseError naming the field', async (_why, change, field) => {
    const ws = 'f0e1d2c3-b4a5-4968-8776-655443322110';
    const vendor = await listen(() => ({ status: 200, body: JSON.stringify({ id: ws, status: 'pending', steps: [], createdAt: '2026-01-01T00:00:00Z', ...change }) }));
    const bird = messagebird({ accessKey: 'bird-range-check-key', workspaceId: ws, channels: { sms: { navigatorId: ws } }, baseUrl: vendor.url, retries: 0 });
    const error = await rejectionOf(bird.get(ws));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe(`messagebird get: the verification does not fit Bird's documented format (${field})`);
  });
});

describe('walks that would never end', () => {
  it("LOX24's last-page search is bounded against pages that never end", async () => {
    const base = 1_700_000_000;
    let requests = 0;
    const vendor = await listen((req) => {
      requests++;
      const page = Number(new URL(req.url!, 'http://x').searchParams.get('page'));
      const items = Array.from({ length: 5 }, (_, k) => ({
        id: `00000000-0000-4000-8000-${String(page * 10 + k).padStart(12, '0')}`,
        phone: '+491701234567',
        status: 10,
        created_at: base + page * 10 + k,
      }));
      return { status: 200, body: JSON.stringify(items) };
    });
    const verify = lox24({ token: 't0123456789', secret: 'boundary-secret-0123456', baseUrl: vendor.url, retries: 0 });
    const error = await rejectionOf((async () => {
      for await (const _ of verify.list()) void _;
    })());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe("lox24 list: LOX24's pages do not end (page 1048576 still had verify codes)");
    expect(requests).toBeLessThanOrEqual(25);
  });
});

describe('signed, bounded cursors and walks', () => {
  it('a cursor is signed with a key from the credentials: another instance with them reads it; a forged or foreign one is refused', async () => {
    const { startSimulator } = await import('../../testing/index.js');
    const sim = await startSimulator('lox24', { pageSize: 5 });
    try {
      for (let i = 0; i < 12; i++) sim.seed({ to: '+491701234567', createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)) });
      const make = (options: { token?: string; cursorSecret?: string } = {}) => lox24({ token: sim.token, secret: 'boundary-secret-0123456', baseUrl: sim.url, ...options });
      const first = await make().listPage({ limit: 4 });
      expect((await make().listPage({ limit: 4, cursor: first.nextCursor! })).items).toHaveLength(4); // another instance
      const other = await rejectionOf(make({ cursorSecret: 'another-cursor-secret-0123' }).listPage({ limit: 4, cursor: first.nextCursor! }));
      expect(other.issues).toEqual([{ field: 'cursor', message: 'is damaged or was altered' }]);
      // A client that rewrites the position and recomputes an unkeyed checksum does not get through.
      const [body] = first.nextCursor!.split('.');
      const state = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'));
      state.s.p = { m: 'a', p: 2 ** 53 };
      const json = JSON.stringify(state);
      const { createHash, createHmac } = await import('node:crypto');
      const forged = `${Buffer.from(json).toString('base64url')}.${createHash('sha256').update(json).digest('base64url').slice(0, 22)}`;
      expect((await rejectionOf(make().listPage({ cursor: forged }))).issues).toEqual([{ field: 'cursor', message: 'is damaged or was altered' }]);
      // Even signed with the right key, a position out of range is refused before any request.
      const secret = 'known-cursor-secret-0123456';
      const signed = `${Buffer.from(json).toString('base64url')}.${createHmac('sha256', createHmac('sha256', secret).update('polyverify cursor lox24').digest()).update(json).digest('base64url').slice(0, 22)}`;
      const before = sim.requestCount;
      expect((await rejectionOf(make({ cursorSecret: secret }).listPage({ cursor: signed }))).issues).toEqual([{ field: 'cursor', message: 'has an invalid position' }]);
      expect(sim.requestCount).toBe(before);
    } finally {
      await sim.close();
    }
  });

  it('a walk that reads maxListPages pages without an item to give stops with a typed error', async () => {
    const { startSimulator } = await import('../../testing/index.js');
    const sim = await startSimulator('messagebird');
    try {
      for (let i = 0; i < 100; i++) sim.seed({ to: '+31612345678', createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)) });
      const bird = messagebird({ ...(sim.config() as unknown as Parameters<typeof messagebird>[0]), listPageSize: 5, maxListPages: 5 });
      const error = await rejectionOf((async () => {
        for await (const _ of bird.list({ phone: '+4915112345678' })) void _; // matches nothing, client-side
      })());
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.message).toBe('messagebird list: read 5 pages from Bird without an item to give; narrow the query, or raise the adapter option maxListPages');
    } finally {
      await sim.close();
    }
  });
});

describe('the hostile-server kit of polyverify/testing', () => {
  it('plays redirects, endless and huge bodies, gzip bombs, repeated pages and echoes, and each ends in a typed error', async () => {
    const { startHostileServer } = await import('polyverify/testing');
    const elsewhere = await startHostileServer({ kind: 'answer', status: 200, body: '{}' });
    const cases: [Parameters<typeof startHostileServer>[0], string][] = [
      [{ kind: 'redirect', status: 302, to: elsewhere.url }, 'InvalidResponseError'],
      [{ kind: 'endless', everyMs: 10 }, 'TimeoutError'],
      [{ kind: 'huge', bytes: 2 * 1024 * 1024 }, 'InvalidResponseError'],
      [{ kind: 'gzip-bomb', bytes: 8 * 1024 * 1024 }, 'InvalidResponseError'],
      [{ kind: 'repeating-page', body: '{"not":"a verify code"}' }, 'InvalidResponseError'],
      [{ kind: 'answer', status: 500, echo: true }, 'ProviderUnavailableError'],
    ];
    const token = '7654321:hostile-kit-token-0123456789';
    for (const [behaviour, name] of cases) {
      const server = await startHostileServer(behaviour);
      // A short deadline for the endless body only: on a loaded machine the others must end by their own rule, not the clock.
      const timeoutMs = behaviour.kind === 'endless' ? 300 : 10_000;
      const verify = lox24({ token, secret: 'boundary-secret-0123456', baseUrl: server.url, retries: 0, timeoutMs, maxResponseBytes: 1_048_576 });
      const error = await rejectionOf(verify.get('00000000-0000-4000-8000-000000000000'));
      expect(error.name).toBe(name);
      expect(`${error.message}${JSON.stringify(error)}`).not.toContain('hostile-kit-token');
      expect(server.requests.length).toBeGreaterThan(0);
      await server.close();
    }
    expect(elsewhere.requests).toEqual([]);
    await elsewhere.close();
  });
});

describe("listAcrossPage's cursor is signed too", () => {
  it('with a key derived from the providers: another instance reads it, a recomputed checksum or another secret does not', async () => {
    const { startVendors } = await import('../vendors.js');
    const { listAcrossPage, failover } = await import('../../providers/index.js');
    const vendors = await startVendors();
    try {
      vendors.seed(20, (i) => Date.UTC(2026, 10, 1) + i * 1000);
      const page = await listAcrossPage(vendors.providers, { limit: 5 });
      // Another instance: new providers with the same credentials.
      const again = await startVendorsLike(vendors);
      expect((await listAcrossPage(again, { limit: 5, cursor: page.nextCursor! })).items).toHaveLength(5);
      // A client that edits the envelope (mark a provider done, move an anchor) and recomputes an unkeyed checksum is refused.
      const [body] = page.nextCursor!.split('.');
      const state = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'));
      state.s.p.lox24 = { d: 1 };
      const json = JSON.stringify(state);
      const { createHash } = await import('node:crypto');
      const forged = `${Buffer.from(json).toString('base64url')}.${createHash('sha256').update(json).digest('base64url').slice(0, 22)}`;
      for (const [cursor, options] of [
        [forged, {}],
        [page.nextCursor!, { cursorSecret: 'a-secret-of-this-backend-0123' }],
      ] as const) {
        const error = await rejectionOf(listAcrossPage(vendors.providers, { limit: 5, cursor }, options));
        expect(error.issues).toEqual([{ field: 'cursor', message: 'is damaged or was altered' }]);
      }
      // An explicit secret signs and reads its own; composites (failover) are keyed from their members.
      const secret = { cursorSecret: 'a-secret-of-this-backend-0123' };
      const withSecret = await listAcrossPage(vendors.providers, { limit: 5 }, secret);
      expect((await listAcrossPage(again, { limit: 5, cursor: withSecret.nextCursor! }, secret)).items).toHaveLength(5);
      const chain = failover([vendors.lox, vendors.bird], { name: 'chain' });
      const merged = await listAcrossPage([chain, vendors.nc], { limit: 5 });
      expect((await listAcrossPage([failover([again[0]!, again[2]!], { name: 'chain' }), again[1]!], { limit: 5, cursor: merged.nextCursor! })).items).toHaveLength(5);
      expect((await rejectionOf(listAcrossPage(vendors.providers, { limit: 5 }, { cursorSecret: 'short' }))).issues).toEqual([
        { field: 'options.cursorSecret', message: 'must be a string of at least 16 characters' },
      ]);
    } finally {
      await vendors.close();
    }
  });
});

/** The same three providers as `vendors` builds, built anew: what another instance of a backend has. */
async function startVendorsLike(vendors: Awaited<ReturnType<typeof import('../vendors.js').startVendors>>) {
  const { sims } = vendors;
  return [
    lox24({ token: sims.lox24.token, secret: 'across-secret-0123456', baseUrl: sims.lox24.url }),
    notificore({ apiKey: sims.notificore.apiKey, sender: 'MyApp', templateId: 1, baseUrl: sims.notificore.url, listPageSize: 50 }),
    messagebird({ accessKey: sims.messagebird.accessKey, workspaceId: sims.messagebird.workspaceId, baseUrl: sims.messagebird.url, channels: { sms: { navigatorId: sims.messagebird.ids.smsNavigatorId } }, listPageSize: 50 }),
  ];
}

describe('each item once', () => {
  /** 12 items newest first, served 5 a page, each page starting with the last item of the one before. */
  const overlapping = <T>(items: T[], page: number): T[] => items.slice(Math.max(0, (page - 1) * 4), (page - 1) * 4 + 5);
  const base = 1_790_000_000;

  it('an item LOX24 or Bird repeats on the next page is listed, and its cost summed, once', async () => {
    const { listAcross, summarize } = await import('../../providers/index.js');
    const loxItems = Array.from({ length: 12 }, (_, k) => ({
      id: `00000000-0000-4000-8000-${String(100 - k).padStart(12, '0')}`,
      phone: '+491701234567',
      status: 10,
      cost: 5,
      currency: 'EUR',
      created_at: base - k * 60,
    }));
    const lox = await listen((req) => {
      const page = Number(new URL(req.url!, 'http://x').searchParams.get('page') ?? 1);
      return { status: 200, body: JSON.stringify(overlapping(loxItems, page)) };
    });
    const ws = 'f0e1d2c3-b4a5-4968-8776-655443322110';
    const birdItems = Array.from({ length: 12 }, (_, k) => ({
      id: `aaaaaaaa-0000-4000-8000-${String(100 - k).padStart(12, '0')}`,
      status: 'verified',
      steps: [],
      createdAt: new Date((base - k * 60 - 30) * 1000).toISOString(),
    }));
    const bird = await listen((req) => {
      const token = new URL(req.url!, 'http://x').searchParams.get('pageToken');
      const page = token ? Number(token.slice(1)) : 1;
      const results = overlapping(birdItems, page);
      return { status: 200, body: JSON.stringify({ results, ...(page * 4 + 1 < 12 && { nextPageToken: `T${page + 1}` }) }) };
    });
    const providers = [
      lox24({ token: 't0123456789', secret: 'boundary-secret-0123456', baseUrl: lox.url, retries: 0, listOrder: 'desc' }),
      messagebird({ accessKey: 'bird-key-0123456789', workspaceId: ws, channels: { sms: { navigatorId: ws } }, baseUrl: bird.url, retries: 0, listPageSize: 5 }),
    ];
    for (const provider of providers) {
      const listed: string[] = [];
      for await (const v of provider.list()) listed.push(v.id);
      expect(listed).toEqual((provider.name === 'lox24' ? loxItems : birdItems).map((item) => item.id));
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await provider.listPage({ limit: 3, ...(cursor && { cursor }) });
        paged.push(...page.items.map((v) => v.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(listed);
    }
    const all = [];
    for await (const v of listAcross(providers)) all.push(v);
    expect(all).toHaveLength(24);
    const summary = summarize(all);
    expect(summary.count).toBe(24);
    expect(summary.costByProvider['lox24']).toEqual({ totals: [{ amount: '0.60', currency: 'EUR' }], priced: 12, unpriced: 0 }); // 12 × 0.05, not 13 or 14
  });
});

describe('every vendor against the hostile-server kit', () => {
  const ws = 'f0e1d2c3-b4a5-4968-8776-655443322110';
  const login = { '/api/auth/login': { status: 200, body: JSON.stringify({ bearer: `a.${Buffer.from('{"exp":4000000000}').toString('base64url')}.b` }) } };
  const vendors = {
    lox24: (baseUrl: string, o: object) => lox24({ token: '7654321:hostile-token-0123456789', secret: 'boundary-secret-0123456', baseUrl, ...o }),
    notificore: (baseUrl: string, o: object) => notificore({ apiKey: 'live_hostile_key_0123456', sender: 'MyApp', templateId: 1, baseUrl, ...o }),
    messagebird: (baseUrl: string, o: object) => messagebird({ accessKey: 'bird-hostile-key-0123456', workspaceId: ws, channels: { sms: { navigatorId: ws } }, baseUrl, ...o }),
  };
  const ID = ws;

  describe.each(Object.entries(vendors))('%s', (_name, make) => {
    it('a body that never ends: TimeoutError within timeoutMs on start and get; the caller signal ends it too', async () => {
      const { startHostileServer } = await import('polyverify/testing');
      const server = await startHostileServer({ kind: 'endless', everyMs: 10 }, { routes: login });
      try {
        const verify = make(server.url, { retries: 0, timeoutMs: 200 });
        expect(await rejectionOf(verify.get(ID))).toMatchObject({ name: 'TimeoutError', sent: 'no', operation: 'get' });
        expect(await rejectionOf(verify.start({ to: '+491701234567' }))).toMatchObject({ name: 'TimeoutError', sent: 'maybe', operation: 'start' });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const patient = make(server.url, { retries: 0, timeoutMs: 60_000 });
        expect(await rejectionOf(patient.get(ID, { signal: controller.signal }))).toMatchObject({ name: 'AbortedError', sent: 'no' });
      } finally {
        await server.close();
      }
    });

    it.each([
      [{ kind: 'huge', bytes: 3 * 1024 * 1024 }],
      [{ kind: 'gzip-bomb', bytes: 64 * 1024 * 1024 }],
    ] as const)('%o: an InvalidResponseError past maxResponseBytes, sent maybe on a send', async (behaviour) => {
      const { startHostileServer } = await import('polyverify/testing');
      const server = await startHostileServer(behaviour, { routes: login });
      try {
        const verify = make(server.url, { retries: 0, maxResponseBytes: 1_048_576 });
        const get = await rejectionOf(verify.get(ID));
        expect(get).toBeInstanceOf(InvalidResponseError);
        expect(get.message).toMatch(/ get: the answer is larger than 1048576 bytes, and was not read$/);
        expect(await rejectionOf(verify.start({ to: '+491701234567' }))).toMatchObject({ name: 'InvalidResponseError', sent: 'maybe' });
      } finally {
        await server.close();
      }
    });

    it('a redirect on every call: nothing reaches the other origin', async () => {
      const { startHostileServer } = await import('polyverify/testing');
      const elsewhere = await startHostileServer({ kind: 'answer', status: 200, body: '{}' });
      const server = await startHostileServer({ kind: 'redirect', status: 307, to: elsewhere.url }, { routes: login });
      try {
        const verify = make(server.url, { retries: 2 });
        expect(await rejectionOf(verify.start({ to: '+491701234567' }))).toMatchObject({ name: 'InvalidResponseError', status: 307, sent: 'maybe' });
        expect(await rejectionOf(verify.get(ID))).toMatchObject({ name: 'InvalidResponseError', status: 307, sent: 'no' });
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await Promise.all([server.close(), elsewhere.close()]);
      }
    });

    it('a forged cursor makes no request', async () => {
      const { startHostileServer } = await import('polyverify/testing');
      const server = await startHostileServer({ kind: 'answer', status: 500 }, { routes: login });
      try {
        const state = JSON.stringify({ v: 2, k: _name, s: { p: 9_007_199_254_740_991, i: 0 } });
        const { createHash } = await import('node:crypto');
        const forged = `${Buffer.from(state).toString('base64url')}.${createHash('sha256').update(state).digest('base64url').slice(0, 22)}`;
        const error = await rejectionOf(make(server.url, { retries: 0 }).listPage({ cursor: forged }));
        expect(error).toMatchObject({ name: 'ValidationError', issues: [{ field: 'cursor', message: 'is damaged or was altered' }] });
        expect(server.requests).toEqual([]);
      } finally {
        await server.close();
      }
    });
  });
});
