/**
 * Bird Verify with nock: method, path, headers and exact body of every request, and the
 * exact mapping of the documented create response.
 */
import { VERSION as POLYVERIFY_VERSION } from '../../../src/version.js';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  InvalidResponseError,
  AuthenticationError,
  PermissionError,
  ProviderUnavailableError,
  RejectedError,
  UnsupportedError,
  ValidationError,
  type VerifyEvent,
  type Verification,
} from '../../../providers/index.js';
import { messagebird, type MessagebirdOptions } from '../../../providers/messagebird/index.js';
import { fastBackoff, fixture, rejectionOf, useNock } from '../../helpers.js';
import { MESSAGEBIRD_BASE_URL } from '../../../providers/messagebird/config.js';

const KEY = 'bird-access-key-0123456789abcdef';
const WORKSPACE = 'f0e1d2c3-b4a5-4968-8776-655443322110';
const WA = 'aaaaaaaa-0000-4000-8000-000000000001';
const NAV = 'aaaaaaaa-0000-4000-8000-000000000002';
const MAIL = 'aaaaaaaa-0000-4000-8000-000000000003';
const PROJECT = 'bbbbbbbb-0000-4000-8000-000000000001';
const VERSION = 'bbbbbbbb-0000-4000-8000-000000000002';
const ID = '123e4567-e89b-12d3-a456-426614174000';
const BASE = `/workspaces/${WORKSPACE}/verify`;
const documented = fixture('messagebird/create-response.json');

function provider(options: Partial<MessagebirdOptions> = {}) {
  return messagebird({
    accessKey: KEY,
    workspaceId: WORKSPACE,
    backoff: fastBackoff,
    channels: { sms: { navigatorId: NAV }, whatsapp: { channelId: WA, template: { projectId: PROJECT, version: VERSION } }, email: { channelId: MAIL } },
    ...options,
  });
}

/** The verification as Bird returns it after the given changes. */
const wire = (changes: Record<string, unknown> = {}) => ({
  ...documented,
  identifier: { phonenumber: '+31612345678' },
  steps: [{ channelId: WA }, { navigatorId: NAV }],
  currentStepIndex: 0,
  failedAttempts: 0,
  ...changes,
});

/** Intercepts one call; returns what it carried. */
function expectCall(method: 'get' | 'post', path: string, status: number, body: unknown) {
  const seen: { body?: unknown; headers?: Record<string, unknown>; query?: URLSearchParams } = {};
  nock(MESSAGEBIRD_BASE_URL)
    .intercept(path, method.toUpperCase(), (sent) => ((seen.body = sent), true))
    .query(true)
    .reply(function (uri) {
      seen.headers = this.req.headers;
      seen.query = new URL(uri, MESSAGEBIRD_BASE_URL).searchParams;
      return [status, body];
    });
  return seen;
}

useNock();

describe('start', () => {
  it('sends the documented create body through the channel map, with AccessKey auth', async () => {
    const seen = expectCall('post', BASE, 202, documented);
    const v = await provider().start({ to: '+31612345678', channels: [{ channel: 'whatsapp' }, { channel: 'sms' }], locale: 'nl-NL' });
    expect(JSON.stringify(seen.body)).toBe(
      JSON.stringify({
        identifier: { phonenumber: '+31612345678' },
        locale: 'nl', // nl-NL reduced to a language Bird writes SMS texts in
        maxAttempts: 3,
        timeout: 600,
        codeLength: 6,
        steps: [{ channelId: WA, template: { projectId: PROJECT, version: VERSION } }, { navigatorId: NAV }],
      }),
    );
    expect(seen.headers!['authorization']).toBe(`AccessKey ${KEY}`);
    expect(seen.headers!['content-type']).toBe('application/json');
    expect(seen.headers!['accept']).toBe('application/json');
    expect(seen.headers!['user-agent']).toBe(`polyverify/${POLYVERIFY_VERSION} node/${process.version}`);
    expect(v).toStrictEqual<Verification>({
      id: ID,
      provider: 'messagebird',
      to: 'text',
      status: 'pending',
      // The example's channel id is not in this adapter's channel map, and it has a phone number: sms.
      channels: [{ channel: 'sms' }],
      attempts: [{ channel: 'sms', status: 'sending', at: undefined, messageId: undefined, raw: 'accepted' }],
      deliveredChannel: undefined,
      maxAttempts: 3,
      failedAttempts: 1,
      cost: null,
      reference: undefined,
      country: undefined,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      updatedAt: new Date('2026-11-23T10:00:05Z'),
      expiresAt: new Date('2026-11-23T10:10:00Z'),
      finishedAt: undefined,
      raw: documented,
    });
  });

  it('maps ttlSeconds, maxAttempts and codeLength to timeout, maxAttempts and codeLength; e-mail to emailaddress', async () => {
    const seen = expectCall('post', BASE, 202, wire({ identifier: { emailaddress: 'ann@example.com' }, steps: [{ channelId: MAIL }] }));
    const v = await provider().start({ to: { email: 'ann@example.com' }, channels: [{ channel: 'email' }], ttlSeconds: 120, maxAttempts: 5, codeLength: 8 });
    // An address has no country: English, unless defaultLocale says otherwise.
    expect(seen.body).toEqual({ identifier: { emailaddress: 'ann@example.com' }, locale: 'en', maxAttempts: 5, timeout: 120, codeLength: 8, steps: [{ channelId: MAIL }] });
    expect(v.to).toBe('ann@example.com');
    expect(v.channels).toEqual([{ channel: 'email' }]);
  });

  it('without a locale: the language of the number, else defaultLocale, reduced to the languages of Bird\'s SMS texts', async () => {
    const locales: unknown[] = [];
    nock(MESSAGEBIRD_BASE_URL).post(BASE, (body) => (locales.push(body.locale), true)).times(7).reply(202, documented);
    const verify = provider();
    for (const to of ['+447700900123', '+491701234567', '+48601234567', '+302101234567']) await verify.start({ to });
    await verify.start({ to: '+491701234567', locale: 'pt-BR' });
    await verify.start({ to: '+491701234567', locale: 'ja' });
    await provider({ defaultLocale: 'tr' }).start({ to: '+447700900123' });
    expect(locales).toEqual(['en', 'de', 'pl', 'en', 'pt', 'en', 'tr']);
  });

  it('never retries a create Bird may have received (5xx)', async () => {
    expectCall('post', BASE, 503, { code: 'Unavailable', message: 'try later' });
    const error = await rejectionOf(provider({ retries: 3 }).start({ to: '+31612345678' }));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ sent: 'maybe', message: 'messagebird start: HTTP 503: try later (Unavailable)' });
  });

  it('maps a validation answer to RejectedError with the fields of details', async () => {
    expectCall('post', BASE, 422, { code: 'InvalidPayload', message: 'The request did not pass validation', details: { 'steps.0.template': ['is required for WhatsApp'] } });
    const error = await rejectionOf(provider().start({ to: '+31612345678' }));
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.issues).toEqual([{ field: 'steps.0.template', message: 'is required for WhatsApp' }]);
  });

  it.each([
    [401, AuthenticationError],
    [403, PermissionError],
  ])('maps HTTP %i to its typed error', async (status, type) => {
    expectCall('get', `${BASE}/${ID}`, status, { code: 'Denied', message: 'no' });
    expect(await rejectionOf(provider().get(ID))).toBeInstanceOf(type);
  });
});

describe('check', () => {
  it('posts the code to the verification and reads 200 verified', async () => {
    const seen = expectCall('post', `${BASE}/${ID}`, 200, wire({ status: 'verified' }));
    const result = await provider().check(ID, '123456');
    expect(seen.body).toEqual({ code: '123456' });
    expect(result).toEqual({ verified: true, status: 'verified' });
  });

  it('reads any 200 as verified, whatever the status string', async () => {
    for (const status of ['accepted', 'pending', 'approved', 'succeeded']) {
      expectCall('post', `${BASE}/${ID}`, 200, wire({ status }));
      const result = await provider().check(ID, '123456');
      // One shape on every vendor: the record the answer carried stays out of the result.
      expect(result).toEqual({ verified: true, status: 'verified' });
    }
  });

  it('reads any 2xx as verified whatever the body holds: without status, an acknowledgement, text or nothing', async () => {
    const { status: _status, ...withoutStatus } = wire();
    const bodies: [number, unknown][] = [[200, withoutStatus], [200, { message: 'Code was successfully verified' }], [200, 'OK'], [200, ''], [204, '']];
    for (const [code, body] of bodies) {
      nock(MESSAGEBIRD_BASE_URL).post(`${BASE}/${ID}`).reply(code, body as never);
      expect(await provider().check(ID, '123456')).toStrictEqual({ verified: true, status: 'verified' });
    }
    // A body that is the verification enriches the result.
    nock(MESSAGEBIRD_BASE_URL).post(`${BASE}/${ID}`).reply(200, wire({ status: 'accepted' }));
    expect(await provider().check(ID, '123456')).toEqual({ verified: true, status: 'verified' });
    expect(nock.isDone()).toBe(true);
  });

  it('reads a refused check from the verification: a higher failedAttempts is a wrong code', async () => {
    const verify = provider();
    expectCall('get', `${BASE}/${ID}`, 200, wire({ failedAttempts: 0 }));
    await verify.get(ID);
    expectCall('post', `${BASE}/${ID}`, 422, { code: 'InvalidCode', message: 'Verification failed' });
    expectCall('get', `${BASE}/${ID}`, 200, wire({ failedAttempts: 1 }));
    expect(await verify.check(ID, '000000')).toMatchObject({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 2 });
  });

  it('reads expired, max_attempts and already_verified from the verification, and 404 as not_found', async () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ status: 'expired' }, { reason: 'expired', status: 'expired' }],
      [{ status: 'failed', failedAttempts: 3 }, { reason: 'max_attempts', status: 'failed', attemptsRemaining: 0 }],
      [{ status: 'verified' }, { reason: 'already_verified', status: 'verified' }],
    ];
    for (const [changes, expected] of cases) {
      const verify = provider(); // knows no earlier count
      expectCall('post', `${BASE}/${ID}`, 422, { code: 'X', message: 'Verification failed' });
      expectCall('get', `${BASE}/${ID}`, 200, wire(changes));
      expect(await verify.check(ID, '000000')).toMatchObject({ verified: false, ...expected });
    }
    expectCall('post', `${BASE}/${ID}`, 404, { code: 'NotFound', message: 'Verification not found' });
    expect(await provider().check(ID, '000000')).toEqual({ verified: false, status: 'failed', reason: 'not_found' });
  });
});

describe('resend, failover, get, cancel', () => {
  it('resends on a given step, or the current one', async () => {
    const withStep = expectCall('post', `${BASE}/${ID}/resend`, 202, wire({ currentStepIndex: 1 }));
    const v = await provider().resend(ID, { step: 1 });
    expect(withStep.body).toEqual({ stepIndex: 1 });
    expect(v.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'sms']);
    const without = expectCall('post', `${BASE}/${ID}/resend`, 202, wire());
    await provider().resend(ID);
    expect(without.body).toEqual({});
  });

  it('fails over to the next step', async () => {
    const seen = expectCall('post', `${BASE}/${ID}/failover`, 202, wire({ currentStepIndex: 1 }));
    const v = await provider().failover(ID);
    expect(seen.body).toEqual({});
    expect(v.channels).toEqual([{ channel: 'whatsapp' }, { channel: 'sms' }]);
    expect(v.attempts).toEqual([
      { channel: 'whatsapp', status: 'sending', at: undefined, messageId: undefined, raw: 'failed-over' },
      { channel: 'sms', status: 'sending', at: undefined, messageId: undefined, raw: 'accepted' },
    ]);
  });

  it.each(['resend', 'failover'] as const)('%s: an acknowledgement, a text or an empty 202 is followed by one read, never a second send', async (operation) => {
    for (const body of [{ message: 'Request was accepted for processing' }, 'Accepted', '']) {
      const posts: unknown[] = [];
      nock(MESSAGEBIRD_BASE_URL).post(`${BASE}/${ID}/${operation}`, (b) => (posts.push(b), true)).reply(202, body as never);
      nock(MESSAGEBIRD_BASE_URL).get(`${BASE}/${ID}`).reply(200, wire({ currentStepIndex: 1 }));
      const v = await provider()[operation](ID, { step: 1 });
      expect(posts).toEqual([{ stepIndex: 1 }]);
      expect(v).toMatchObject({ id: ID, channels: [{ channel: 'whatsapp' }, { channel: 'sms' }] });
      expect(v.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'sms']);
      expect(nock.isDone()).toBe(true);
    }
  });

  it.each(['resend', 'failover'] as const)('%s: when the read after an accepted send fails, the error says sent maybe and is not retryable', async (operation) => {
    nock(MESSAGEBIRD_BASE_URL).post(`${BASE}/${ID}/${operation}`).reply(202);
    nock(MESSAGEBIRD_BASE_URL).get(`${BASE}/${ID}`).reply(503, { code: 'Unavailable', message: 'try later' });
    const unavailable = await rejectionOf(provider({ retries: 0 })[operation](ID));
    expect(unavailable).toBeInstanceOf(ProviderUnavailableError);
    expect(unavailable).toMatchObject({
      sent: 'maybe',
      retryable: false,
      operation,
      message: `messagebird ${operation}: HTTP 503: try later (Unavailable) (after the vendor had accepted the send: a message may have gone out)`,
    });
    nock(MESSAGEBIRD_BASE_URL).post(`${BASE}/${ID}/${operation}`).reply(202, { ok: true });
    nock(MESSAGEBIRD_BASE_URL).get(`${BASE}/${ID}`).reply(200, { id: ID });
    const unreadable = await rejectionOf(provider()[operation](ID));
    expect(unreadable).toBeInstanceOf(InvalidResponseError);
    expect(unreadable).toMatchObject({ sent: 'maybe', retryable: false });
    expect(nock.isDone()).toBe(true);
  });

  it('maps an undocumented status to pending and says so through onEvent', async () => {
    const events: VerifyEvent[] = [];
    expectCall('get', `${BASE}/${ID}`, 200, wire({ status: 'queued_for_carrier' }));
    expect((await provider({ onEvent: (e) => events.push(e) }).get(ID)).status).toBe('pending');
    expect(events).toContainEqual({
      type: 'warning',
      provider: 'messagebird',
      operation: 'get',
      message: "Bird sent an undocumented status 'queued_for_carrier'; treated as 'pending'",
    });
  });

  it('has no cancel', async () => {
    expect(await rejectionOf(provider().cancel(ID))).toBeInstanceOf(UnsupportedError);
  });
});

describe('list', () => {
  it('pages with limit and pageToken, passing the date range, and turns nextPageToken into the cursor', async () => {
    const at = (i: number) => new Date(Date.parse('2026-11-20T00:00:00Z') - i * 1000).toISOString();
    const five = Array.from({ length: 5 }, (_, i) => wire({ id: `bbbbbbbb-e89b-12d3-a456-42661417400${i}`, createdAt: at(i) }));
    const first = expectCall('get', BASE, 200, { results: five, nextPageToken: 'WzE3M' });
    const verify = provider();
    const page = await verify.listPage({ limit: 5, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') });
    expect(Object.fromEntries(first.query!)).toEqual({ limit: '5', startAt: '2026-11-01T00:00:00.000Z', endAt: '2026-11-30T00:00:00.000Z' });
    expect(page.items.map((v) => v.id)).toEqual(five.map((w) => w.id));
    const second = expectCall('get', BASE, 200, { results: [wire({ id: 'cccccccc-e89b-12d3-a456-426614174000', createdAt: at(9) })] });
    const next = await verify.listPage({ limit: 5, cursor: page.nextCursor! });
    expect(Object.fromEntries(second.query!)).toEqual({ limit: '5', pageToken: 'WzE3M', startAt: '2026-11-01T00:00:00.000Z', endAt: '2026-11-30T00:00:00.000Z' });
    expect(next).toMatchObject({ items: [{ id: 'cccccccc-e89b-12d3-a456-426614174000' }] });
    expect(next.nextCursor).toBeUndefined();
  });

  it('pages too short to trust their order: reads the window whole and sorts it', async () => {
    expectCall('get', BASE, 200, { results: [wire({ id: 'aaaaaaaa-e89b-12d3-a456-426614174001', createdAt: '2026-11-01T00:00:00Z' })], nextPageToken: 'N1' });
    expectCall('get', BASE, 200, { results: [wire({ id: 'aaaaaaaa-e89b-12d3-a456-426614174002', createdAt: '2026-11-02T00:00:00Z' })] });
    const ids: string[] = [];
    for await (const v of provider().list()) ids.push(v.id);
    expect(ids).toEqual(['aaaaaaaa-e89b-12d3-a456-426614174002', 'aaaaaaaa-e89b-12d3-a456-426614174001']);
  });
});

describe('options', () => {
  it('refuses a WhatsApp channel without a template and a navigator for e-mail, never echoing the key', () => {
    let error: unknown;
    try {
      messagebird({ accessKey: KEY, workspaceId: WORKSPACE, channels: { whatsapp: { channelId: WA }, email: { navigatorId: MAIL } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { field: 'channels.whatsapp.template', message: 'is required: Bird sends WhatsApp verifications with a template' },
      { field: 'channels.email', message: 'navigators are for SMS; use a channelId' },
    ]);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });
});

describe('list walks that would never end', () => {
  const item = (i: number) => wire({ id: `123e4567-e89b-12d3-a456-4266141740${String(i).padStart(2, '0')}`, createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') - i * 1000).toISOString() });
  const page = (from: number) => Array.from({ length: 5 }, (_, k) => item(from + k));

  it('a repeated nextPageToken is an InvalidResponseError', async () => {
    nock(MESSAGEBIRD_BASE_URL).get(BASE).query((q) => !q['pageToken']).reply(200, { results: page(0), nextPageToken: 'T1' });
    nock(MESSAGEBIRD_BASE_URL).get(BASE).query((q) => q['pageToken'] === 'T1').reply(200, { results: page(5), nextPageToken: 'T1' });
    const error = await rejectionOf((async () => {
      for await (const _ of provider().list()) void _;
    })());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe('messagebird list: Bird answered a page token with the same token: the walk would never end');
  });

  it('empty pages that keep pointing on end the walk with an InvalidResponseError', async () => {
    nock(MESSAGEBIRD_BASE_URL).get(BASE).query((q) => !q['pageToken']).reply(200, { results: page(0), nextPageToken: 'E1' });
    for (let i = 1; i <= 3; i++) nock(MESSAGEBIRD_BASE_URL).get(BASE).query((q) => q['pageToken'] === `E${i}`).reply(200, { results: [], nextPageToken: `E${i + 1}` });
    const error = await rejectionOf((async () => {
      for await (const _ of provider().list()) void _;
    })());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe('messagebird list: Bird answered 3 empty pages in a row that each point to another');
  });
});
