/**
 * The adapter setup (src/adapter/options.ts) and what a transport failure says (src/http/failures.ts),
 * on their own: the instance name errors carry, warnings, the cursor key's derivation, the
 * redactor and decoder `setupVendor` builds, and the failures that prove nothing was sent.
 */
import { createHmac } from 'node:crypto';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { setupVendor } from '../../src/adapter/options.js';
import { errorForStatus } from '../../src/errors.js';
import type { VerifyEvent } from '../../src/events.js';
import { neverSent } from '../../src/http/failures.js';

const vendor = { name: 'acme', title: 'Acme' };
const entries = { apiKey: v.string('must be a string'), workspace: v.optional(v.string()) };
const facts = {
  baseUrl: 'https://api.acme.example',
  credentials: (c: { apiKey: string }) => [c.apiKey],
  account: (c: { workspace?: string | undefined }) => (c.workspace ? [c.workspace] : []),
  secrets: () => ['token-part-0123'],
  authorize: (request: Request, c: { apiKey: string }) => request.headers.set('Authorization', `Bearer ${c.apiKey}`),
  toError: (failure: Parameters<typeof errorForStatus>[0], _redactor: unknown, provider: string) => errorForStatus(failure, provider, { message: 'no' }),
};
const setup = (options: unknown) => setupVendor(options, vendor, entries, facts);
const refusal = (options: unknown) => {
  try {
    setup(options);
  } catch (error) {
    return error as { provider: string; operation: string; message: string };
  }
  throw new Error('not refused');
};

describe('setupVendor', () => {
  it('names a bad option in a ValidationError carrying the instance name, or the vendor name when the name itself is unusable', () => {
    expect(refusal({ apiKey: 1, name: 'signup' })).toMatchObject({ provider: 'signup', operation: 'config', message: 'Invalid Acme options: apiKey: must be a string' });
    expect(refusal({ apiKey: 1, name: '' })).toMatchObject({ provider: 'acme' });
    expect(refusal({ apiKey: 1, name: 42 })).toMatchObject({ provider: 'acme' });
    expect(refusal({ apiKey: 1 })).toMatchObject({ provider: 'acme' });
    expect(refusal(undefined)).toMatchObject({ provider: 'acme', operation: 'config' });
  });

  it('gives the shell its part of the spec: vendor, title, name, the API host, page budget, default locale', () => {
    const { shell, name } = setup({ apiKey: 'k'.repeat(20), name: 'signup', maxListPages: 7, defaultLocale: 'pl' });
    expect(name).toBe('signup');
    expect({ ...shell, cursorKey: undefined }).toEqual({ vendor: 'acme', title: 'Acme', name: 'signup', serverAddress: 'api.acme.example', cursorKey: undefined, maxListPages: 7, defaultLocale: 'pl' });
    expect(setup({ apiKey: 'k'.repeat(20), baseUrl: 'http://127.0.0.1:8080/v1' }).shell.serverAddress).toBe('127.0.0.1');
  });

  it('derives the cursor key from the credentials and the account, or from cursorSecret', () => {
    const key = (secret: string) => createHmac('sha256', secret).update('polyverify cursor acme').digest();
    expect(setup({ apiKey: 'key-one-0123456789' }).shell.cursorKey).toEqual(key('key-one-0123456789'));
    expect(setup({ apiKey: 'key-one-0123456789', workspace: 'w1' }).shell.cursorKey).toEqual(key('key-one-0123456789\u0000w1'));
    expect(setup({ apiKey: 'key-one-0123456789', cursorSecret: 'a-cursor-secret-of-16+' }).shell.cursorKey).toEqual(key('a-cursor-secret-of-16+'));
  });

  it('builds a redactor that removes the credentials and the extra secrets', () => {
    const { redactor } = setup({ apiKey: 'key-one-0123456789' });
    expect(redactor.text('key-one-0123456789 and token-part-0123 leaked')).not.toMatch(/key-one|token-part/);
  });

  it('decodes a body or names the field that broke, with the sent state given', () => {
    const { decode } = setup({ apiKey: 'key-one-0123456789', name: 'signup' });
    const schema = v.object({ id: v.string(), n: v.number() });
    expect(decode(schema, { id: 'a', n: 1 }, 'the thing', 'get', 'no')).toEqual({ id: 'a', n: 1 });
    let error: unknown;
    try {
      decode(schema, { id: 'a', n: 'x' }, 'the thing', 'start', 'maybe');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'InvalidResponseError', provider: 'signup', operation: 'start', sent: 'maybe', message: "signup start: the thing does not fit Acme's documented format (n)" });
  });

  describe('model: a body to a Verification', () => {
    const schema = v.object({ id: v.string(), at: v.string() });
    type Wire = v.InferOutput<typeof schema>;
    const toVerification = (wire: Wire, raw: unknown, extra: number | undefined) => {
      const createdAt = new Date(wire.at);
      if (Number.isNaN(createdAt.getTime())) throw new RangeError('at is not a date');
      return { id: wire.id, provider: 'signup', createdAt, failedAttempts: extra, raw } as never;
    };
    const build = (extras?: (wires: readonly Wire[], operation: string) => Promise<(number | undefined)[]>) => {
      const calls: string[][] = [];
      const { model } = setup({ apiKey: 'key-one-0123456789', name: 'signup' });
      const decoder = model<Wire, number>({
        schema,
        what: 'the thing',
        ...(extras && { extras: (wires: readonly Wire[], operation: string) => (calls.push(wires.map((w) => w.id)), extras(wires, operation)) }),
        map: (wire, raw, _operation, extra) => toVerification(wire, raw, extra),
      });
      return { decoder, calls };
    };
    const body = (id: string, at = '2026-12-04T10:00:00Z') => ({ id, at });

    it('one: parses, reads the extras of that body (unless given), maps', async () => {
      const { decoder, calls } = build(async (wires, operation) => wires.map((w) => (operation === 'get' ? w.id.length : 0)));
      await expect(decoder.one(body('abc'), 'get', 'no')).resolves.toMatchObject({ id: 'abc', failedAttempts: 3, createdAt: new Date('2026-12-04T10:00:00Z'), raw: body('abc') });
      await expect(decoder.one(body('abc'), 'get', 'no', 9)).resolves.toMatchObject({ failedAttempts: 9 });
      expect(calls).toEqual([['abc']]);
    });

    it('many: one extras call for the page, in order', async () => {
      const { decoder, calls } = build(async (wires) => wires.map((_w, k) => k + 1));
      const items = await decoder.many([body('a'), body('b')], 'list');
      expect(items.map((i) => [(i as { id: string }).id, (i as { failedAttempts: number }).failedAttempts])).toEqual([['a', 1], ['b', 2]]);
      expect(calls).toEqual([['a', 'b']]);
      const plain = build();
      await expect(plain.decoder.many([body('a')], 'list')).resolves.toMatchObject([{ id: 'a', failedAttempts: undefined }]);
      await expect(plain.decoder.one(body('a'), 'get', 'no')).resolves.toMatchObject({ id: 'a', failedAttempts: undefined });
    });

    it('a body that does not fit names the field; one that cannot be mapped says why; both keep the sent state', async () => {
      const { decoder } = build();
      await expect(decoder.one({ id: 'a' }, 'start', 'maybe')).rejects.toMatchObject({
        name: 'InvalidResponseError',
        provider: 'signup',
        operation: 'start',
        sent: 'maybe',
        message: "signup start: the thing does not fit Acme's documented format (at)",
      });
      await expect(decoder.one(body('a', 'yesterday'), 'get', 'maybe')).rejects.toMatchObject({
        name: 'InvalidResponseError',
        operation: 'get',
        sent: 'maybe',
        message: 'signup get: the thing cannot be read (at is not a date)',
      });
      await expect(decoder.many([body('a'), { id: 'b' }], 'list')).rejects.toMatchObject({ operation: 'list', sent: 'no', message: "signup list: the thing does not fit Acme's documented format (at)" });
      await expect(decoder.many([body('a', 'soon')], 'list')).rejects.toMatchObject({ operation: 'list', sent: 'no', message: 'signup list: the thing cannot be read (at is not a date)' });
      expect(() => decoder.parse({ id: 1 }, 'get', 'no')).toThrow("signup get: the thing does not fit Acme's documented format (id)");
      expect(decoder.parse(body('a'), 'get', 'no')).toEqual(body('a'));
      expect(decoder.map(body('a'), 'raw', 'get', 'no', 4)).toMatchObject({ id: 'a', failedAttempts: 4, raw: 'raw' });
    });

    it('maybe: the verification when the body is one, else undefined (an acknowledgement, an unreadable date)', () => {
      const { decoder } = build();
      expect(decoder.maybe(body('a'), 'resend', 2)).toMatchObject({ id: 'a', failedAttempts: 2 });
      expect(decoder.maybe(body('a'), 'resend')).toMatchObject({ id: 'a', failedAttempts: undefined });
      expect(decoder.maybe('accepted', 'resend')).toBeUndefined();
      expect(decoder.maybe(body('a', 'soon'), 'resend')).toBeUndefined();
    });
  });

  it('builds the HTTP client from the facts: base URL, authorization, the request-id header, the vendor error mapping under the instance name', async () => {
    const seen: Request[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init));
      return new Response('{"error":"boom"}', { status: 409, headers: { 'content-type': 'application/json', 'x-acme-request': 'req-7' } });
    };
    const mapped: string[] = [];
    const { http } = setupVendor({ apiKey: 'key-one-0123456789', name: 'signup', fetch, retries: 0 }, vendor, entries, {
      baseUrl: 'https://api.acme.example/v2/',
      credentials: (c) => [c.apiKey],
      authorize: (request, c) => request.headers.set('Authorization', `Bearer ${c.apiKey}`),
      requestIdHeader: 'X-Acme-Request',
      toError: (failure, _redactor, provider) => (mapped.push(provider), errorForStatus(failure, provider, { message: 'conflict' })),
    });
    const error = await http.request({ operation: 'get', method: 'GET', path: 'things/1', sends: false, options: undefined }).catch((e: unknown) => e);
    expect(seen[0]!.url).toBe('https://api.acme.example/v2/things/1');
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer key-one-0123456789');
    expect(seen[0]!.headers.get('accept')).toBe('application/json');
    expect(mapped).toEqual(['signup']);
    expect(error).toMatchObject({ provider: 'signup', status: 409, requestId: 'req-7' });
    // Without secrets, account or request-id facts, and without options at all to name the instance.
    const bare = setupVendor({ apiKey: 'key-one-0123456789', fetch, retries: 0 }, vendor, entries, { baseUrl: 'https://api.acme.example/', credentials: (c) => [c.apiKey], authorize: () => undefined, toError: (failure, _r, provider) => errorForStatus(failure, provider, { message: 'x' }) });
    const plain = await bare.http.request({ operation: 'get', method: 'GET', path: 'things/1', sends: false, options: undefined }).catch((e: unknown) => e);
    expect(plain).toMatchObject({ provider: 'acme', requestId: undefined });
    expect(bare.shell.cursorKey).toEqual(createHmac('sha256', 'key-one-0123456789').update('polyverify cursor acme').digest());
    expect(bare.redactor.text('key-one-0123456789')).not.toContain('key-one');
  });

  it('warns through onEvent, as a get unless told', () => {
    const events: VerifyEvent[] = [];
    const { warn } = setup({ apiKey: 'key-one-0123456789', onEvent: (e: VerifyEvent) => events.push(e) });
    warn('odd value');
    warn('odd list', 'list');
    expect(events).toEqual([
      { type: 'warning', provider: 'acme', operation: 'get', message: 'odd value' },
      { type: 'warning', provider: 'acme', operation: 'list', message: 'odd list' },
    ]);
  });

  it('its client sends with the vendor\'s authorization, to the base URL or the option', async () => {
    const seen: Request[] = [];
    const fetch = async (input: Request) => (seen.push(input), new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } }));
    const { http } = setup({ apiKey: 'key-one-0123456789', fetch });
    await http.request({ operation: 'get', method: 'GET', path: 'v1/x', sends: false });
    const other = setup({ apiKey: 'key-one-0123456789', fetch, baseUrl: 'http://127.0.0.1:9/base' });
    await other.http.request({ operation: 'get', method: 'GET', path: 'v1/y', sends: false });
    expect(seen.map((r) => [r.url, r.headers.get('authorization'), r.headers.get('accept')])).toEqual([
      ['https://api.acme.example/v1/x', 'Bearer key-one-0123456789', 'application/json'],
      ['http://127.0.0.1:9/base/v1/y', 'Bearer key-one-0123456789', 'application/json'],
    ]);
    expect(refusal({ apiKey: 'k', fetch: 5 })).toMatchObject({ message: 'Invalid Acme options: fetch: must be a function' });
  });
});

describe('neverSent', () => {
  it('is true for the codes of a connection that was never made, and for fetch refusing a port itself', () => {
    expect(neverSent(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(neverSent(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ENOTFOUND' }) }))).toBe(true);
    expect(neverSent(new TypeError('fetch failed', { cause: new Error('bad port') }))).toBe(true);
  });

  it('is false once the request may have left: a reset, another cause, no cause, not an Error', () => {
    expect(neverSent(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(neverSent(new TypeError('fetch failed', { cause: new Error('other socket error') }))).toBe(false);
    expect(neverSent(new TypeError('fetch failed'))).toBe(false);
    expect(neverSent({ cause: new Error('bad port') })).toBe(false);
    expect(neverSent(new TypeError('fetch failed', { cause: 'bad port' }))).toBe(false);
  });
});

describe('the client: answers whose status alone says it (statusAnswers)', () => {
  const text = (body: string, status = 202) => async () => new Response(body, { status, headers: { 'content-type': 'text/plain' } });

  it('hands a 2xx text over as its text, with the sent state of the call; without the flag it is an InvalidResponseError', async () => {
    const { http } = setup({ apiKey: 'key-one-0123456789', fetch: text('Accepted'), retries: 0 });
    expect(await http.request({ operation: 'resend', method: 'POST', path: 'v1/x/resend', sends: true, statusAnswers: true })).toMatchObject({ status: 202, body: 'Accepted', sent: 'maybe' });
    expect(await http.request({ operation: 'get', method: 'GET', path: 'v1/x', sends: false, statusAnswers: true })).toMatchObject({ status: 202, body: 'Accepted', sent: 'no' });
    let error: unknown;
    try {
      await http.request({ operation: 'resend', method: 'POST', path: 'v1/x/resend', sends: true });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'InvalidResponseError', sent: 'maybe', status: 202, message: 'acme resend: the response is not JSON (HTTP 202)' });
  });
});
