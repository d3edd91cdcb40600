/**
 * Notificore against its documented JSON, with nock: exact requests (each also checked
 * against the OpenAPI spec), exact results, exact errors.
 */
import { VERSION } from '../../../src/version.js';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InsufficientFundsError, RateLimitError, RejectedError, UnsupportedError, ValidationError, type Verification } from '../../../providers/index.js';
import { notificore, type NotificoreOptions } from '../../../providers/notificore/index.js';
import { fastBackoff, fixture, rejectionOf } from '../../helpers.js';
import { expectConformingRequests, type SeenRequest } from '../../openapi.js';
import { NOTIFICORE_BASE_URL } from '../../../providers/notificore/config.js';

const API_KEY = 'live_8JeF1mLckxI4QResuP6X';
const login = fixture('notificore/login-response.json');
const ID = 'ea5db413-e368-4952-b745-cc2030210c49';
// The spec's example token is valid from 2025-02-05 to 2025-03-07.
const NOW = Date.parse('2025-02-10T00:00:00Z');
let seen: SeenRequest[] = [];

function provider(options: Partial<NotificoreOptions> = {}) {
  return notificore({ apiKey: API_KEY, sender: 'SENDER', templateId: 12, backoff: fastBackoff, now: () => NOW, ...options });
}

/** Intercepts Notificore; every request is recorded for the spec check. */
function vendor() {
  return nock(NOTIFICORE_BASE_URL)
    .post('/api/auth/login', (body) => body.api_key === API_KEY)
    .reply(200, login);
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  seen = [];
  nock.emitter.on('request', record);
});
afterEach(async () => {
  nock.emitter.off('request', record);
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
  await expectConformingRequests(seen);
});

function record(req: { method: string; path: string; requestBodyBuffers?: Buffer[] }, _interceptor: unknown, body: string) {
  const url = new URL(req.path, NOTIFICORE_BASE_URL);
  seen.push({ method: req.method, path: url.pathname, query: url.searchParams, body: body ? JSON.parse(body) : undefined });
}

const listed: Verification = {
  id: ID,
  provider: 'notificore',
  to: '+792501403813',
  status: 'verified',
  channels: [{ channel: 'sms', sender: 'testsms' }],
  attempts: [{ channel: 'sms', status: 'queued', at: new Date('2022-04-18T11:00:30Z'), messageId: '1ed32701-5d4f-6cfa-ba06-9db3aa8bab68', raw: 'accepted' }],
  deliveredChannel: undefined,
  maxAttempts: 5,
  failedAttempts: undefined,
  cost: { amount: '50.3142918', currency: 'EUR' },
  reference: undefined,
  country: 'RU',
  createdAt: new Date('2022-04-28T14:21:16Z'),
  updatedAt: new Date('2022-04-28T14:21:16Z'),
  expiresAt: new Date('2022-04-28T14:21:16Z'),
  finishedAt: new Date('2022-04-28T14:21:16Z'),
  raw: fixture('notificore/list-response.json').data.list[0],
};

describe('auth', () => {
  it('logs in with the API key and sends the JWT as a Bearer token', async () => {
    let authorization: unknown;
    let userAgent: unknown;
    vendor()
      .get(`/api/2fa/authentications/${ID}`)
      .reply(function () {
        authorization = this.req.headers['authorization'];
        userAgent = this.req.headers['user-agent'];
        return [200, { data: fixture('notificore/list-response.json').data.list[0] }];
      });
    await provider().get(ID);
    expect(authorization).toBe(`Bearer ${login.bearer}`);
    expect(userAgent).toBe(`polyverify/${VERSION} node/${process.version}`);
  });
});

describe('start', () => {
  it('sends the documented viber example for the equivalent request (template_id as the schema types it: integer)', async () => {
    let sent = '';
    vendor()
      .post('/api/2fa/authentications/otp', (body) => ((sent = JSON.stringify(body)), true))
      .reply(201, fixture('notificore/create-response.json'));
    const verify = provider();
    const v = await verify.start({
      to: '+61401629754',
      channels: [{ channel: 'viber', sender: 'VIBER_SENDER' }, { channel: 'sms', sender: 'SMS_SENDER' }],
      ttlSeconds: 300,
      maxAttempts: 3,
      codeLength: 5,
    });
    expect(sent).toBe(JSON.stringify({ ...fixture('notificore/create-request-viber.json'), template_id: 12 }));
    expect(v).toMatchObject({ id: ID, status: 'pending', to: '+61401629754', cost: null, maxAttempts: 3, country: 'FR' });
  });

  it('sends the documented sms example, with adapter defaults filling what the request leaves out', async () => {
    let sent = '';
    vendor()
      .post('/api/2fa/authentications/otp', (body) => ((sent = JSON.stringify(body)), true))
      .reply(201, fixture('notificore/create-response.json'));
    await provider({ listWindowDays: 30 }).start({ to: '+61401629754', codeLength: 5 });
    expect(sent).toBe(JSON.stringify({ ...fixture('notificore/create-request-sms.json'), template_id: 12 }));
  });

  it('maps 422 "Insufficient funds" to InsufficientFundsError, nothing sent', async () => {
    vendor().post('/api/2fa/authentications/otp').reply(422, { message: 'The given data was invalid.', errors: ['Insufficient funds'] });
    const error = await rejectionOf(provider().start({ to: '+61401629754' }));
    expect(error).toBeInstanceOf(InsufficientFundsError);
    expect(error.message).toBe('notificore start: HTTP 422: The given data was invalid.: Insufficient funds');
    expect(error.sent).toBe('no');
  });

  it('maps a keyed validation body to RejectedError naming the field', async () => {
    vendor().post('/api/2fa/authentications/otp').reply(422, fixture('notificore/create-422-invalid-channel.json'));
    const error = await rejectionOf(provider().start({ to: '+61401629754' }));
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.issues).toEqual([{ field: 'channel', message: 'The value you selected is not a valid choice.' }]);
  });

  it('maps 429 "Too many duplicate request detected" to RateLimitError with sent no, not retried', async () => {
    vendor().post('/api/2fa/authentications/otp').once().reply(429, fixture('notificore/error-429.json'));
    const error = await rejectionOf(provider({ retries: 3 }).start({ to: '+61401629754' }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ sent: 'no', message: 'notificore start: HTTP 429: Too many duplicate request detected' });
  });

  it('refuses before sending: no template id, no sender, a code of your own', async () => {
    const error = await rejectionOf(notificore({ apiKey: API_KEY }).start({ to: '+61401629754', code: '1234' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(['code', 'channels.0.sender', 'vendor.templateId']);
  });
});

describe('check', () => {
  it('sends the access code and reads a 200 as verified', async () => {
    let sent: unknown;
    vendor()
      .post(`/api/2fa/authentications/otp/${ID}/verify`, (body) => ((sent = body), true))
      .reply(200, fixture('notificore/verify-response.json'));
    const result = await provider().check(ID, '76928');
    expect(sent).toEqual({ access_code: '76928' });
    expect(result).toEqual({ verified: true, status: 'verified' });
  });

  it("accepts the verify answer without the data wrapper, as the spec's own example shows it", async () => {
    vendor().post(`/api/2fa/authentications/otp/${ID}/verify`).reply(200, fixture('notificore/verify-response.json').data);
    const result = await provider().check(ID, '76928');
    expect(result).toEqual({ verified: true, status: 'verified' });
  });

  const outcomes: [string, number, string, Record<string, unknown>][] = [
    ['a wrong code (404)', 404, 'notificore/verify-404-wrong-code.json', { verified: false, status: 'pending', reason: 'incorrect_code' }],
    ['an unknown authentication (404)', 404, 'notificore/verify-404-not-found.json', { verified: false, status: 'failed', reason: 'not_found' }],
    ['an expired authentication (422)', 422, 'notificore/verify-422-expired.json', { verified: false, status: 'expired', reason: 'expired' }],
    ['a failed authentication (422)', 422, 'notificore/cancel-422-failed.json', { verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0 }],
  ];
  it.each(outcomes)('reads %s as a result, not an exception', async (_name, status, body, expected) => {
    vendor().post(`/api/2fa/authentications/otp/${ID}/verify`).reply(status, fixture(body));
    expect(await provider().check(ID, '12345')).toEqual(expected);
  });

  it("reads Notificore's own verify error shape too", async () => {
    vendor().post(`/api/2fa/authentications/otp/${ID}/verify`).reply(404, { errors: [{ message: 'The code does not match the expected value' }] });
    expect((await provider().check(ID, '12345')).reason).toBe('incorrect_code');
  });

  it('never retries a check that may have reached Notificore (it counts a try)', async () => {
    vendor().post(`/api/2fa/authentications/otp/${ID}/verify`).once().reply(502, 'bad gateway');
    expect(await rejectionOf(provider({ retries: 3 }).check(ID, '12345'))).toMatchObject({ name: 'ProviderUnavailableError', status: 502 });
  });

  it('refuses a code that is not 3 to 9 digits, before sending', async () => {
    const error = await rejectionOf(provider().check(ID, '12a45'));
    expect(error.issues).toEqual([{ field: 'code', message: 'must be 3 to 9 digits for Notificore' }]);
  });
});

describe('get, cancel, resend', () => {
  it('maps the documented list item exactly, through get', async () => {
    vendor().get(`/api/2fa/authentications/${ID}`).reply(200, { data: fixture('notificore/list-response.json').data.list[0] });
    expect(await provider().get(ID)).toStrictEqual(listed);
  });

  it('reads a price written as a string with a decimal comma', async () => {
    const canceled = fixture('notificore/cancel-response.json');
    vendor().post(`/api/2fa/authentications/${ID}/cancel`).reply(200, { data: { ...canceled.data, price: '0,02', messages: [] } });
    const v = await provider().cancel(ID);
    expect(v).toMatchObject({ status: 'canceled', cost: { amount: '0.02', currency: 'EUR' } });
  });

  it('resends on the same plan', async () => {
    vendor().post(`/api/2fa/authentications/otp/${ID}/resend`).reply(200, fixture('notificore/create-response.json'));
    expect((await provider().resend(ID)).status).toBe('pending');
  });

  it('has no failover', async () => {
    expect(await rejectionOf(provider().failover(ID))).toBeInstanceOf(UnsupportedError);
  });
});

/** Answers one list request with `body`; returns a reader of the query it carried. */
function listAnswers(body: unknown): () => URLSearchParams {
  let query: URLSearchParams | undefined;
  vendor()
    .get('/api/2fa/authentications')
    .query((q) => q['page[offset]'] === '0')
    .reply((uri) => {
      query = new URL(uri, NOTIFICORE_BASE_URL).searchParams;
      return [200, body];
    });
  return () => query!;
}

describe('list', () => {
  it('asks newest first with the required window and the server-side filters; status is applied here', async () => {
    const query = listAnswers(fixture('notificore/list-response.json'));
    // The documented example says total 100 for its one item: the walk goes on to an empty page.
    nock(NOTIFICORE_BASE_URL).get('/api/2fa/authentications').query((q) => q['page[offset]'] === '1').reply(200, { data: { list: [], total: 100 } });
    const page = await provider().listPage({
      from: new Date('2022-04-01T10:00:00Z'),
      to: new Date('2022-05-01T00:00:00Z'),
      status: 'verified',
      channel: 'sms',
      phone: '+792501403813',
      limit: 5,
    });
    expect(Object.fromEntries(query())).toEqual({
      'page[offset]': '0',
      'page[limit]': '100', // exact from/to bounds are applied here, so pages are read bigger
      'filter[from]': '2022-04-01',
      'filter[to]': '2022-05-01',
      'filter[channel]': 'sms',
      'filter[recipient]': '792501403813',
      sort: 'created_at',
      way: 'desc',
    });
    expect(page.items).toStrictEqual([listed]);
  });

  it('reads up to three ids one by one (the serialization of several filter[ids] is unknown)', async () => {
    const one = fixture('notificore/list-response.json').data.list[0];
    vendor().get(`/api/2fa/authentications/${one.id}`).reply(200, { data: one });
    nock(NOTIFICORE_BASE_URL).get('/api/2fa/authentications/00000000-0000-4000-8000-000000000000').reply(404, fixture('notificore/verify-404-not-found.json'));
    const page = await provider().listPage({ from: new Date('2022-04-01T10:00:00Z'), to: new Date('2022-05-01T00:00:00Z'), ids: [one.id, '00000000-0000-4000-8000-000000000000'] });
    expect(page.items).toStrictEqual([listed]);
  });

  it('lists a default window of listWindowDays when the query has none', async () => {
    const query = listAnswers({ data: { list: [], total: 0 } });
    expect(await provider({ listWindowDays: 30 }).listPage()).toEqual({ items: [] });
    expect(query().get('filter[from]')).toBe('2025-01-10');
    expect(query().get('filter[to]')).toBe('2025-02-10');
  });

  it('answers a reference filter with nothing, without a request (Notificore keeps no reference)', async () => {
    expect(await provider().listPage({ reference: 'signup-42' })).toEqual({ items: [] });
  });
});

describe('parseDate', () => {
  it('reads Notificore times as UTC, the common form without a regex and every other form with one, refusing impossible dates', async () => {
    const { parseDate } = await import('../../../providers/notificore/map.js');
    const iso = (value: string) => parseDate(value)?.toISOString();
    expect(iso('2022-04-28 14:21:16')).toBe('2022-04-28T14:21:16.000Z');
    expect(iso('2022-04-28T14:21:16')).toBe('2022-04-28T14:21:16.000Z');
    expect(iso('2024-02-29 23:59:59')).toBe('2024-02-29T23:59:59.000Z');
    expect(iso('2022-04-28 14:21:16.25')).toBe('2022-04-28T14:21:16.250Z');
    expect(iso('2022-04-28T14:21:16+02:00')).toBe('2022-04-28T12:21:16.000Z');
    for (const bad of ['2023-02-29 10:00:00', '2022-13-01 00:00:00', '2022-04-28 24:00:00', '2022-04-28 14:60:00', '2022-04-2x 14:21:16', 'yesterday']) expect(parseDate(bad), bad).toBeUndefined();
    expect(parseDate('')).toBeUndefined();
    expect(parseDate(null)).toBeUndefined();
  });
});
