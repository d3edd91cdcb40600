/**
 * LOX24 against its documented JSON, with nock: the exact requests sent and the exact
 * results and errors produced.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConnectionError,
  InsufficientFundsError,
  InvalidResponseError,
  MemoryCodeStore,
  NotFoundError,
  PermissionError,
  ProviderUnavailableError,
  RateLimitError,
  RejectedError,
  TimeoutError,
  UnsupportedError,
  ValidationError,
  type Verification,
} from '../../../providers/index.js';
import { lox24, type Lox24Options } from '../../../providers/lox24/index.js';
import { VERSION } from '../../../src/version.js';
import { fastBackoff, fixture, rejectionOf, useNock } from '../../helpers.js';
import { LOX24_BASE_URL } from '../../../providers/lox24/config.js';

const TOKEN = '1234567:e3f3a759b6677959b6ebfcxxxxxxxxxx';
const SECRET = 'test-secret-0123456789';
const createRequest = fixture('lox24/create-request.json');
const createResponse = fixture('lox24/create-response.json');
const listResponse = fixture('lox24/list-response.json');
const ID = createResponse.id as string;
const CREATED_MS = createResponse.created_at * 1000;

function provider(options: Partial<Lox24Options> = {}) {
  return lox24({ token: TOKEN, secret: SECRET, backoff: fastBackoff, now: () => CREATED_MS, ...options });
}

/** The StartRequest equivalent to LOX24's documented create example. */
const documentedStart = {
  to: '+491701234567',
  code: '1234',
  locale: 'en',
  reference: 'yours payload here',
  channels: [
    { channel: 'telegram', timeoutSec: 30 },
    { channel: 'voice', sender: 'LOX24', template: 'Your code is {{code}}' },
    { channel: 'sms', sender: 'LOX24', template: 'Your code is {{code}}' },
  ],
} as const;

const { code: _documentedCode, ...rawWithoutCode } = createResponse;

/** The documented read example, mapped: telegram and voice failed, sms delivered, 1.20 EUR. */
const documentedVerification: Verification = {
  id: ID,
  provider: 'lox24',
  to: '+491701234567',
  status: 'pending',
  channels: documentedStart.channels,
  attempts: [
    { channel: 'telegram', status: 'failed', at: new Date(1779903478000), messageId: 'tg_msg_001', raw: 20 },
    { channel: 'voice', status: 'failed', at: new Date(1779903490000), messageId: 'voice_msg_002', raw: 20 },
    { channel: 'sms', status: 'delivered', at: new Date(1779903510000), messageId: 'sms_msg_003', raw: 10 },
  ],
  deliveredChannel: 'sms',
  maxAttempts: 5,
  failedAttempts: 0,
  cost: { amount: '1.20', currency: 'EUR' },
  reference: 'yours payload here',
  country: undefined,
  createdAt: new Date(1779903448000),
  updatedAt: new Date(1779903510000),
  expiresAt: new Date(CREATED_MS + 600_000),
  finishedAt: undefined,
  raw: rawWithoutCode,
};

useNock();

describe('start', () => {
  it('sends exactly the documented create example for the equivalent StartRequest', async () => {
    let sentBody = '';
    let sentHeaders: Record<string, unknown> = {};
    nock(LOX24_BASE_URL)
      .post('/verify_codes')
      .reply(function (_uri, body) {
        sentBody = JSON.stringify(body);
        sentHeaders = this.req.headers;
        return [201, createResponse, { 'X-LOX24-REQUEST-ID': 'a'.repeat(32) }];
      });
    const verify = provider({ deleteCodeAfterSend: false });
    const verification = await verify.start(documentedStart);
    // Same keys, same order, same values as the documentation's example.
    expect(sentBody).toBe(JSON.stringify(createRequest));
    expect(sentHeaders['x-lox24-auth-token']).toBe(TOKEN);
    expect(sentHeaders['content-type']).toBe('application/json');
    expect(sentHeaders['accept']).toBe('application/json');
    expect(sentHeaders['user-agent']).toBe(`polyverify/${VERSION} node/${process.version}`);
    expect(verification).toStrictEqual(documentedVerification);
  });

  it('generates a 6-digit code, asks LOX24 to delete it after sending, and defaults to one sms step', async () => {
    let sent: any;
    nock(LOX24_BASE_URL)
      .post('/verify_codes', (body) => ((sent = body), true))
      .reply(201, createResponse);
    await provider().start({ to: '+491701234567' });
    expect(Object.keys(sent)).toEqual(['phone', 'code', 'is_code_deleted', 'lang', 'routing_strategy']);
    expect(sent.lang).toBe('DE'); // a German number: German, by polyverify's rule, not LOX24's default
    expect(sent.code).toMatch(/^\d{6}$/);
    expect(sent.is_code_deleted).toBe(true);
    expect(sent.routing_strategy).toEqual([{ channel: 'sms' }]);
  });

  it('maps BCP 47 locales to the documented lang codes', async () => {
    const langs: string[] = [];
    nock(LOX24_BASE_URL)
      .post('/verify_codes', (body) => (langs.push(body.lang), true))
      .times(3)
      .reply(201, createResponse);
    const verify = provider();
    for (const locale of ['de-AT', 'uk', 'PT-br']) await verify.start({ to: '+491701234567', locale });
    expect(langs).toEqual(['DE', 'UK', 'PT']);
  });

  it('without a locale: the language of the number, else defaultLocale; one LOX24 lacks falls back to English', async () => {
    const langs: string[] = [];
    nock(LOX24_BASE_URL)
      .post('/verify_codes', (body) => (langs.push(body.lang), true))
      .times(7)
      .reply(201, createResponse);
    const verify = provider();
    for (const to of ['+447700900123', '+491701234567', '+48601234567', '+81312345678', '+302101234567']) await verify.start({ to });
    await verify.start({ to: '+447700900123', locale: 'ja' });
    await provider({ defaultLocale: 'fr-CH' }).start({ to: '+447700900123' });
    expect(langs).toEqual(['EN', 'DE', 'PL', 'EN', 'EN', 'EN', 'FR']);
  });

  it('honours vendor.deleteCodeAfterSend per request', async () => {
    let sent: any;
    nock(LOX24_BASE_URL)
      .post('/verify_codes', (body) => ((sent = body), true))
      .reply(201, createResponse);
    await provider().start({ to: '+491701234567', vendor: { deleteCodeAfterSend: false } });
    expect(sent.is_code_deleted).toBe(false);
  });

  it('stores the hash before sending and drops it when LOX24 rejects the request', async () => {
    const store = new MemoryCodeStore({ now: () => CREATED_MS });
    let sizeWhileSending = -1;
    nock(LOX24_BASE_URL)
      .post('/verify_codes')
      .reply(() => {
        sizeWhileSending = store.size;
        return [422, fixture('lox24/error-400-violations.json')];
      });
    const error = await rejectionOf(provider({ codeStore: store }).start({ to: '+491701234567' }));
    expect(error).toBeInstanceOf(RejectedError);
    expect(sizeWhileSending).toBe(1);
    expect(store.size).toBe(0);
  });

  it('files the hash under the vendor id once created', async () => {
    const store = new MemoryCodeStore({ now: () => CREATED_MS });
    nock(LOX24_BASE_URL).post('/verify_codes').reply(201, createResponse);
    await provider({ codeStore: store }).start(documentedStart);
    expect(store.size).toBe(1);
    expect(await store.get(ID)).toMatchObject({ state: 'pending', maxAttempts: 5, failedAttempts: 0, expiresAt: CREATED_MS + 600_000 });
  });
});

describe('options', () => {
  it('warns through onEvent when no secret is given', () => {
    const events: unknown[] = [];
    lox24({ token: TOKEN, onEvent: (e) => events.push(e) });
    expect(events).toEqual([
      { type: 'warning', provider: 'lox24', operation: 'config', message: 'no `secret` given: codes cannot be checked after a restart or by another instance' },
    ]);
  });

  it('refuses a default channel plan that breaks LOX24 rules', () => {
    expect(() => lox24({ token: TOKEN, secret: SECRET, channels: [{ channel: 'sms' }, { channel: 'telegram' }] })).toThrow(
      'Invalid LOX24 options: options.channels.0.channel: sms must be the last step (LOX24 rule)',
    );
  });

  it('takes a name that errors and results carry', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').reply(201, createResponse);
    const verification = await provider({ name: 'lox24-eu' }).start({ to: '+491701234567' });
    expect(verification.provider).toBe('lox24-eu');
    const error = await rejectionOf(provider({ name: 'lox24-eu' }).get('x'));
    expect(error.provider).toBe('lox24-eu');
  });
});

describe('start: LOX24 rules checked before anything is sent', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['email recipient', { to: { email: 'a@example.com' } }, 'to', 'LOX24 delivers to phone numbers only'],
    ['viber channel', { channels: [{ channel: 'viber' }] }, 'channels.0.channel', 'LOX24 delivers on telegram, voice and sms only'],
    ['duplicate channel', { channels: [{ channel: 'voice' }, { channel: 'voice' }] }, 'channels.1.channel', 'appears twice; LOX24 allows each channel once'],
    ['sms not last', { channels: [{ channel: 'sms' }, { channel: 'voice' }] }, 'channels.0.channel', 'sms must be the last step (LOX24 rule)'],
    ['telegram timeout too short', { channels: [{ channel: 'telegram', timeoutSec: 29 }] }, 'channels.0.timeoutSec', 'must be 30 to 3600 seconds for telegram'],
    ['telegram timeout too long', { channels: [{ channel: 'telegram', timeoutSec: 3601 }] }, 'channels.0.timeoutSec', 'must be 30 to 3600 seconds for telegram'],
    ['timeout on sms', { channels: [{ channel: 'sms', timeoutSec: 60 }] }, 'channels.0.timeoutSec', 'applies to telegram only'],
    ['sender on telegram', { channels: [{ channel: 'telegram', sender: 'X' }] }, 'channels.0.sender', 'applies to voice and sms only'],
    ['template on telegram', { channels: [{ channel: 'telegram', template: '{{code}}' }] }, 'channels.0.template', 'applies to voice and sms only'],
    ['template without placeholder', { channels: [{ channel: 'sms', template: 'Your code' }] }, 'channels.0.template', 'must contain {{code}}'],
    ['template too long', { channels: [{ channel: 'sms', template: `{{code}}${'x'.repeat(63)}` }] }, 'channels.0.template', 'must be at most 70 characters'],
    ['code too short', { code: '123' }, 'code', 'must be 4 to 8 characters'],
    ['code too long', { code: '123456789' }, 'code', 'must be 4 to 8 characters'],
    ['codeLength out of range', { codeLength: 9 }, 'codeLength', 'must be 4 to 8 for LOX24'],
    ['locale not a language tag', { locale: 'english!' }, 'locale', "must be a BCP 47 language tag such as 'en' or 'de-AT'"],
    ['reference too long', { reference: 'r'.repeat(129) }, 'reference', 'must be at most 128 characters (LOX24 payload)'],
    ['ttl too short', { ttlSeconds: 10 }, 'ttlSeconds', 'must be 30 to 86400 for LOX24'],
    ['unknown vendor extra', { vendor: { isCodeDeleted: true } }, 'vendor', 'LOX24 takes deleteCodeAfterSend only'],
    ['not E.164', { to: '0170 1234567' }, 'to', 'must be an E.164 phone number such as +491701234567'],
    ['neither phone nor email', { to: 42 }, 'to', 'must be an E.164 phone number such as +491701234567, or { email }'],
    ['unknown field', { ttl: 30 }, 'ttl', 'is not a known field (must be an object with to, channels, code, codeLength, locale, ttlSeconds, maxAttempts, reference, vendor only)'],
  ];
  it.each(cases)('%s', async (_name, change, field, message) => {
    const error = await rejectionOf(provider().start({ to: '+491701234567', ...change } as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toContainEqual({ field, message });
    expect(error.sent).toBe('no');
    expect(error.operation).toBe('start');
  });

  it('names every bad field at once', async () => {
    const error = await rejectionOf(provider().start({ to: '+491701234567', code: '1', channels: [{ channel: 'sms' }, { channel: 'sms' }] }));
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(['code', 'channels.0.channel', 'channels.1.channel']);
  });
});

describe('get', () => {
  it('maps the documented read example exactly (no code record: delivery and the default TTL decide)', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(200, createResponse);
    const verification = await provider({ now: () => CREATED_MS + 100_000 }).get(ID);
    expect(verification).toStrictEqual({
      ...documentedVerification,
      maxAttempts: undefined,
      failedAttempts: undefined,
      expiresAt: new Date(CREATED_MS + 600_000),
    });
  });

  it('is expired without a record once the default TTL has passed', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(200, createResponse);
    const verification = await provider({ now: () => CREATED_MS + 600_000 }).get(ID);
    expect(verification.status).toBe('expired');
    expect(verification.finishedAt).toEqual(new Date(CREATED_MS + 600_000));
  });

  it('is failed when every step failed, with no cost until LOX24 sets one', async () => {
    const failed = { ...createResponse, status: 20, delivered_channel: null, cost: null, currency: null };
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(200, failed);
    const verification = await provider().get(ID);
    expect(verification.status).toBe('failed');
    expect(verification.cost).toBeNull();
    expect(verification.finishedAt).toEqual(new Date(1779903510000));
  });

  it('checks the id is a UUID before any request', async () => {
    const error = await rejectionOf(provider().get('../sms'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: 'id', message: 'must be a LOX24 verify code id (UUID)' }]);
  });

  it('rejects a read model that does not fit the documented format', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(200, { id: ID, status: 'done' });
    const error = await rejectionOf(provider().get(ID));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe("lox24 get: the verify code in the response does not fit LOX24's documented format (phone)");
  });

  it.each([
    ['a negative cost', { cost: -5 }, 'cost'],
    ['a cost past 2^53', { cost: 2 ** 53 }, 'cost'],
    ['a creation time outside the Date range', { created_at: 9e15 }, 'created_at'],
    ['a negative creation time', { created_at: -1 }, 'created_at'],
    ['a history time outside the Date range', { history: [{ id: 'h', channel: 'sms', status: 10, processed_at: 1e16, external_id: null }] }, 'history.0.processed_at'],
    ['an id that is no UUID', { id: '../../admin' }, 'id'],
  ])('refuses %s, naming the field, never a RangeError or an Invalid Date', async (_why, change, field) => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(200, { ...createResponse, ...change });
    const error = await rejectionOf(provider().get(ID));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe(`lox24 get: the verify code in the response does not fit LOX24's documented format (${field})`);
    nock(LOX24_BASE_URL).post('/verify_codes').reply(201, { ...createResponse, ...change });
    expect(await rejectionOf(provider().start({ to: '+491701234567' }))).toMatchObject({ name: 'InvalidResponseError', sent: 'maybe' });
  });
});

describe('list', () => {
  it('asks for newest first and the window in the filter syntax of LOX24\'s other collections', async () => {
    const from = new Date(CREATED_MS - 60_500);
    const to = new Date(CREATED_MS + 1_000);
    nock(LOX24_BASE_URL)
      .get('/verify_codes')
      .query({ page: '1', '_order[created_at]': 'desc', 'created_at[gte]': String(Math.ceil(from.getTime() / 1000)), 'created_at[lte]': String(CREATED_MS / 1000) })
      .reply(200, listResponse);
    nock(LOX24_BASE_URL).get('/verify_codes').query({ page: '2', '_order[created_at]': 'desc', 'created_at[gte]': String(Math.ceil(from.getTime() / 1000)), 'created_at[lte]': String(CREATED_MS / 1000) }).reply(200, []);
    const items: Verification[] = [];
    for await (const item of provider().list({ from, to })) items.push(item);
    expect(items.map((v) => v.id)).toEqual([ID]);
  });

  it('reads the documented bare-array page and stops at a short page', async () => {
    nock(LOX24_BASE_URL).get('/verify_codes').query({ page: '1', '_order[created_at]': 'desc' }).reply(200, listResponse);
    nock(LOX24_BASE_URL).get('/verify_codes').query({ page: '2', '_order[created_at]': 'desc' }).reply(200, []);
    const items: Verification[] = [];
    for await (const item of provider({ now: () => CREATED_MS + 100_000 }).list()) items.push(item);
    expect(items).toStrictEqual([{ ...documentedVerification, maxAttempts: undefined, failedAttempts: undefined }]);
  });

  it('reads hydra:last of a JSON-LD collection and walks back from it', async () => {
    const older = { ...listResponse[0], id: '11111111-2222-4333-8444-555555555555', created_at: listResponse[0].created_at - 60 };
    nock(LOX24_BASE_URL)
      .get('/verify_codes')
      .query({ page: '1', '_order[created_at]': 'desc' })
      .reply(200, { 'hydra:member': [older], 'hydra:view': { 'hydra:last': '/verify_codes?page=2', 'hydra:next': '/verify_codes?page=2' } });
    nock(LOX24_BASE_URL).get('/verify_codes').query({ page: '2', '_order[created_at]': 'desc' }).reply(200, { 'hydra:member': listResponse, 'hydra:view': {} });
    const ids: string[] = [];
    for await (const item of provider().list()) ids.push(item.id);
    expect(ids).toEqual([ID, older.id]);
  });

  it('applies filters client-side and pages newest first with a cursor', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      ...listResponse[0],
      id: `00000000-0000-4000-8000-00000000000${i}`,
      created_at: listResponse[0].created_at + i,
      payload: i % 2 === 0 ? 'even' : 'odd',
    }));
    // Pages too short to trust their order: the window is read whole and sorted, for each page asked.
    nock(LOX24_BASE_URL).get('/verify_codes').query({ page: '1', '_order[created_at]': 'desc' }).times(2).reply(200, rows.slice(0, 3));
    nock(LOX24_BASE_URL).get('/verify_codes').query({ page: '2', '_order[created_at]': 'desc' }).times(2).reply(200, rows.slice(3));
    const verify = provider();
    const first = await verify.listPage({ reference: 'even', limit: 2 });
    expect(first.items.map((v) => v.id)).toEqual([rows[4]!.id, rows[2]!.id]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await verify.listPage({ reference: 'even', limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((v) => v.id)).toEqual([rows[0]!.id]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('refuses a damaged cursor', async () => {
    const error = await rejectionOf(provider().listPage({ cursor: 'eyJ2IjoxfQ.AAAAAAAAAA' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: 'cursor', message: 'is damaged or was altered' }]);
  });
});

describe('errors', () => {
  it('maps a violation body to RejectedError naming the fields', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').reply(400, fixture('lox24/error-400-violations.json'), { 'X-LOX24-REQUEST-ID': 'r'.repeat(32) });
    const error = await rejectionOf(provider().start({ to: '+491701234567' }));
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.message).toBe("lox24 start: HTTP 400: service_code: Service's code is invalid or unavailable.");
    expect(error.issues).toEqual([{ field: 'service_code', message: "Service's code is invalid or unavailable." }]);
    expect(error).toMatchObject({ status: 400, sent: 'no', retryable: false, requestId: 'r'.repeat(32), provider: 'lox24', operation: 'start' });
  });

  const statuses: [number, string, new (...args: never[]) => Error][] = [
    [401, "Client ID or API key isn't active or invalid!", AuthenticationError],
    [402, 'There are not enough funds on your account!', InsufficientFundsError],
    [403, "Account isn't activated. Please wait or contact to support!", PermissionError],
    [404, 'Not Found', NotFoundError],
  ];
  it.each(statuses)('maps HTTP %i to its typed error, without retrying', async (status, detail, type) => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(status, { type: 'https://tools.ietf.org/html/rfc2616#section-10', title: 'An error occurred', detail });
    const error = await rejectionOf(provider().get(ID));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(`lox24 get: HTTP ${status}: ${detail}`);
    expect(error.retryable).toBe(false);
  });

  it('never retries 429, the 10-minute IP block', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).once().reply(429, { detail: 'IP address was temporary blocked' }, { 'Retry-After': '1' });
    const error = await rejectionOf(provider({ retries: 3 }).get(ID));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryable).toBe(false);
    expect(error.retryAfterMs).toBe(1000);
  });

  it('retries reads on 5xx, then reports ProviderUnavailableError', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).times(3).reply(503, 'upstream down');
    const error = await rejectionOf(provider({ retries: 2 }).get(ID));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.message).toBe('lox24 get: HTTP 503: upstream down');
  });

  it('recovers when a retried read succeeds', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(502).get(`/verify_codes/${ID}`).reply(200, createResponse);
    expect((await provider().get(ID)).id).toBe(ID);
  });

  it('never retries a create that reached LOX24 (5xx): sent is maybe', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').once().reply(500, { detail: 'Internal Server Error' });
    const error = await rejectionOf(provider({ retries: 3 }).start({ to: '+491701234567' }));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ sent: 'maybe', retryable: true });
  });

  it('retries a create refused before it was sent (ECONNREFUSED)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 1.2.3.4:443'), { code: 'ECONNREFUSED' });
    nock(LOX24_BASE_URL).post('/verify_codes').replyWithError(refused).post('/verify_codes').reply(201, createResponse);
    expect((await provider().start({ to: '+491701234567' })).id).toBe(ID);
  });

  it('does not retry a create whose connection was reset: sent is maybe', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    nock(LOX24_BASE_URL).post('/verify_codes').once().replyWithError(reset);
    const error = await rejectionOf(provider({ retries: 3 }).start({ to: '+491701234567' }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe('lox24 start: connection failed (ECONNRESET); the message may have been sent');
    expect(error.sent).toBe('maybe');
  });

  it('reports a create timeout as TimeoutError with sent maybe, once', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').once().delay(500).reply(201, createResponse);
    const error = await rejectionOf(provider({ timeoutMs: 50, retries: 3 }).start({ to: '+491701234567' }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('lox24 start: no response within 50 ms; the message may have been sent');
    expect(error.sent).toBe('maybe');
  });

  it('rejects resend and failover as unsupported', async () => {
    const verify = provider();
    for (const call of [verify.resend(ID), verify.failover(ID)]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(UnsupportedError);
      expect(error.sent).toBe('no');
    }
  });
});
