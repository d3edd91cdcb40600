/**
 * Twilio Verify with nock: method, path, headers and exact form body of every request, and the
 * exact mapping of every example response of Twilio's OpenAPI description (its examples are the
 * fixtures), Twilio's error codes, and the readings its docs leave open.
 */
import nock from 'nock';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, NotFoundError, ProviderUnavailableError, RateLimitError, RejectedError, UnsupportedError, ValidationError, failover, type Verification, type VerifyEvent } from '../../../providers/index.js';
import { TWILIO_BASE_URL } from '../../../providers/twilio/config.js';
import { twilio, type TwilioOptions } from '../../../providers/twilio/index.js';
import { fastBackoff, rejectionOf, useNock } from '../../helpers.js';
import { PATHS, responseExample, responseExamples } from './spec.js';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const KEY = `SK${'b'.repeat(32)}`;
const KEY_SECRET = 'twilio-api-key-secret-0123456789ab';
const SERVICE = `VA${'a'.repeat(32)}`;
const SID = `VE${'a'.repeat(32)}`;
const BASE = `/v2/Services/${SERVICE}`;
const NOW = Date.parse('2026-12-06T12:00:00Z');
const BASIC = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;

const created = responseExample(PATHS.verifications, 'post', 201, 'createVerification');
const fetched = responseExample(PATHS.verification, 'get', 200, 'fetchVerification');
const attemptsPage = responseExample(PATHS.attempts, 'get', 200, 'listVerificationAttempts');

function provider(options: Partial<TwilioOptions> = {}, events?: VerifyEvent[]) {
  return twilio({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: SERVICE, backoff: fastBackoff, now: () => NOW, ...(events && { onEvent: (e: VerifyEvent) => events.push(e) }), ...options });
}

interface Seen {
  body?: string;
  headers?: Record<string, unknown>;
  query?: URLSearchParams;
}

/** Intercepts one call; returns what it carried. */
function expectCall(method: 'GET' | 'POST', path: string, status: number, body: unknown, headers: Record<string, string> = {}): Seen {
  const seen: Seen = {};
  nock(TWILIO_BASE_URL)
    .intercept(path, method, (sent) => ((seen.body = typeof sent === 'string' ? sent : new URLSearchParams(sent as Record<string, string>).toString()), true))
    .query(true)
    .reply(function (uri) {
      seen.headers = this.req.headers;
      seen.query = new URL(uri, TWILIO_BASE_URL).searchParams;
      return [status, body as nock.Body, headers];
    });
  return seen;
}
const twilioError = (status: number, code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

/** The Verification the description's `createVerification` example is. */
const documentedVerification: Verification = {
  id: SID,
  provider: 'twilio',
  to: '+15017122661',
  status: 'pending',
  channels: [{ channel: 'sms' }],
  attempts: [{ channel: 'sms', status: 'sending', at: new Date('2015-07-30T20:00:00Z'), messageId: `VL${'a'.repeat(32)}`, raw: 'SMS' }],
  deliveredChannel: undefined,
  maxAttempts: 5,
  failedAttempts: 0,
  cost: null,
  reference: undefined,
  country: undefined,
  createdAt: new Date('2015-07-30T20:00:00Z'),
  updatedAt: new Date('2015-07-30T20:00:00Z'),
  expiresAt: new Date('2015-07-30T20:10:00Z'),
  finishedAt: undefined,
  raw: created,
};

useNock();

describe('start', () => {
  it('posts the documented form (To, Channel, Locale) with Basic auth and maps the createVerification example exactly', async () => {
    const seen = expectCall('POST', `${BASE}/Verifications`, 201, created);
    const v = await provider().start({ to: '+15017122661', locale: 'en-US' });
    expect(seen.body).toBe('To=%2B15017122661&Channel=sms&Locale=en');
    expect(seen.headers).toMatchObject({ authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' });
    expect(v).toEqual(documentedVerification);
  });

  it('authenticates with an API key and secret instead', async () => {
    const seen = expectCall('POST', `${BASE}/Verifications`, 201, created);
    await twilio({ apiKeySid: KEY, apiKeySecret: KEY_SECRET, serviceSid: SERVICE }).start({ to: '+15017122661' });
    expect(seen.headers?.['authorization']).toBe(`Basic ${Buffer.from(`${KEY}:${KEY_SECRET}`).toString('base64')}`);
  });

  it('sends each channel by Twilio\'s name, the language of the number, a custom code and the extras', async () => {
    const cases: [Parameters<ReturnType<typeof provider>['start']>[0], string][] = [
      [{ to: '+491701234567', channels: [{ channel: 'voice' }] }, 'To=%2B491701234567&Channel=call&Locale=de'],
      [{ to: '+5511987654321', channels: [{ channel: 'whatsapp' }] }, 'To=%2B5511987654321&Channel=whatsapp&Locale=pt'],
      [{ to: '+5511987654321', locale: 'pt-BR' }, 'To=%2B5511987654321&Channel=sms&Locale=pt-BR'],
      [{ to: { email: 'mail@email.com' }, channels: [{ channel: 'email' }], locale: 'fr' }, 'To=mail%40email.com&Channel=email&Locale=fr'],
      [{ to: '+15017122661', code: 'A1b2C3', vendor: { friendlyName: 'Acme', templateSid: `HJ${'a'.repeat(32)}`, appHash: 'AAAAAAAAAAA' } }, `To=%2B15017122661&Channel=sms&Locale=en&CustomCode=A1b2C3&CustomFriendlyName=Acme&TemplateSid=HJ${'a'.repeat(32)}&AppHash=AAAAAAAAAAA`],
    ];
    for (const [request, form] of cases) {
      const seen = expectCall('POST', `${BASE}/Verifications`, 201, created);
      await provider({ customCode: true }).start(request);
      expect(seen.body).toBe(form);
    }
  });

  it('maps every create example of the description without error (sna: reported, read as sms)', async () => {
    const events: VerifyEvent[] = [];
    for (const [name, example] of Object.entries(responseExamples(PATHS.verifications, 'post', 201))) {
      expectCall('POST', `${BASE}/Verifications`, 201, example);
      const v = await provider({}, events).start({ to: '+15017122661' });
      expect(v, name).toMatchObject({ id: SID, status: 'pending', createdAt: new Date('2015-07-30T20:00:00Z') });
    }
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual(Array(4).fill("Twilio sent a channel polyverify does not model ('sna'); read as 'sms'"));
  });

  it("continues a pending verification started again (Twilio's same SID): the wrong-code count goes on", async () => {
    expectCall('POST', `${BASE}/Verifications`, 201, created);
    const p = provider();
    await p.start({ to: '+15017122661' });
    expectCall('POST', `${BASE}/VerificationCheck`, 200, { ...responseExample<Record<string, unknown>>(PATHS.check, 'post', 200, 'verificationChecks200'), status: 'pending', valid: false });
    expect(await p.check(SID, '1234')).toEqual({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 4 });
    const again = { ...created, channel: 'call', send_code_attempts: [...(created['send_code_attempts'] as unknown[]), { time: '2015-07-30T20:01:00Z', channel: 'call', attempt_sid: `VL${'b'.repeat(32)}` }] };
    expectCall('POST', `${BASE}/Verifications`, 201, again);
    const v = await p.start({ to: '+15017122661', channels: [{ channel: 'voice' }] });
    expect(v).toMatchObject({ id: SID, failedAttempts: 1, channels: [{ channel: 'sms' }] });
    expect(v.attempts.map((a) => a.channel)).toEqual(['sms', 'voice']);
  });

  it('refuses what Twilio cannot do before sending anything', async () => {
    const p = provider();
    const fields = async (request: Parameters<typeof p.start>[0]) => ((await rejectionOf(p.start(request))) as ValidationError).issues.map((i) => i.field);
    expect(await fields({ to: '+15017122661', channels: [{ channel: 'sms' }, { channel: 'voice' }] })).toEqual(['channels']);
    expect(await fields({ to: '+15017122661', code: '123456' })).toEqual(['code']);
    expect(await fields({ to: '+15017122661', codeLength: 6, ttlSeconds: 300, maxAttempts: 3 })).toEqual(['ttlSeconds', 'maxAttempts', 'codeLength']);
    expect(await fields({ to: '+15017122661', channels: [{ channel: 'sms', sender: 'X', template: 'y', timeoutSec: 30 }] })).toEqual(['channels.0.timeoutSec', 'channels.0.sender', 'channels.0.template']);
    expect(await fields({ to: { email: 'a@b.example' } })).toEqual(['channels.0.channel']);
    expect(await fields({ to: '+15017122661', vendor: { friendlyName: '' } as never })).toEqual(['vendor']);
  });
});

describe('errors by Twilio code', () => {
  const start = () => provider({ retries: 0 }).start({ to: '+15017122661' });

  it('60410 (Fraud Guard): RejectedError naming to, sent no, not retryable, and a failover moves on', async () => {
    expectCall('POST', `${BASE}/Verifications`, 403, twilioError(403, 60410, 'Verification delivery attempt blocked'));
    const error = await rejectionOf(start());
    expect(error).toBeInstanceOf(RejectedError);
    expect(error).toMatchObject({ sent: 'no', retryable: false, status: 403, issues: [{ field: 'to', message: "Twilio's Fraud Guard blocks this number's prefix for 12 hours" }] });
    expect(error.message).toBe('twilio start: HTTP 403: Verification delivery attempt blocked (Twilio 60410)');
    expectCall('POST', `${BASE}/Verifications`, 403, twilioError(403, 60410, 'Verification delivery attempt blocked'));
    expectCall('POST', `${BASE}/Verifications`, 201, created);
    const both = failover([provider({ name: 'first', retries: 0 }), provider({ name: 'second' })]);
    expect((await both.start({ to: '+15017122661' })).provider).toBe('second');
  });

  it('60200: RejectedError with the parameter as an issue; 60203: RateLimitError not retried; 20429: retried', async () => {
    expectCall('POST', `${BASE}/Verifications`, 400, twilioError(400, 60200, 'Invalid parameter `To`: +1501712'));
    expect(await rejectionOf(start())).toMatchObject({ name: 'RejectedError', sent: 'no', issues: [{ field: 'to', message: 'Twilio refused it (Invalid parameter `To`: ********)' }] });
    expectCall('POST', `${BASE}/Verifications`, 429, twilioError(429, 60203, 'Max send attempts reached'));
    const limited = await rejectionOf(provider().start({ to: '+15017122661' }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ retryable: false, sent: 'no' });
    expectCall('POST', `${BASE}/Verifications`, 429, twilioError(429, 20429, 'Too many requests'), { 'retry-after': '0' });
    expectCall('POST', `${BASE}/Verifications`, 201, created);
    expect((await provider().start({ to: '+15017122661' })).id).toBe(SID);
  });

  it('401: AuthenticationError; 500 on a start: sent maybe; the token and Basic value are in no message', async () => {
    expectCall('POST', `${BASE}/Verifications`, 401, twilioError(401, 20003, `Authenticate ${TOKEN} ${BASIC}`));
    const denied = await rejectionOf(start());
    expect(denied).toBeInstanceOf(AuthenticationError);
    expectCall('POST', `${BASE}/Verifications`, 500, twilioError(500, 20500, 'Internal Server Error'));
    const failed = await rejectionOf(start());
    expect(failed).toBeInstanceOf(ProviderUnavailableError);
    expect(failed.sent).toBe('maybe');
    const secretParts = [TOKEN, BASIC.slice(6), TOKEN.slice(0, 12)];
    for (const text of [denied.message, JSON.stringify(denied), inspect(denied, { depth: 5 }), inspect(provider())]) for (const part of secretParts) expect(text).not.toContain(part);
  });

  it('60605 (Geo-Permissions) and 60205 (landline): RejectedError naming to', async () => {
    expectCall('POST', `${BASE}/Verifications`, 403, twilioError(403, 60605, 'Verification delivery attempt blocked'));
    expect(await rejectionOf(start())).toMatchObject({ name: 'RejectedError', issues: [{ field: 'to' }] });
    expectCall('POST', `${BASE}/Verifications`, 400, twilioError(400, 60205, 'SMS is not supported by landline phone number'));
    expect(await rejectionOf(start())).toMatchObject({ name: 'RejectedError', issues: [{ field: 'to', message: 'Twilio does not send SMS to a landline' }] });
  });
});

describe('check', () => {
  it('posts VerificationSid and Code; the 200 and 201 examples are verified', async () => {
    for (const [status, name] of [[200, 'verificationChecks200'], [201, 'verificationChecks'], [201, 'emailVerificationChecks']] as const) {
      const seen = expectCall('POST', `${BASE}/VerificationCheck`, status, responseExample(PATHS.check, 'post', status, name));
      expect(await provider().check(SID, '1234')).toEqual({ verified: true, status: 'verified' });
      expect(seen.body).toBe(`VerificationSid=${SID}&Code=1234`);
    }
  });

  it('reads pending as a wrong code, and canceled, expired and max_attempts_reached as themselves', async () => {
    const answer = (status: string) => ({ ...responseExample(PATHS.check, 'post', 200, 'verificationChecks200'), status, valid: false });
    const expected = {
      pending: { verified: false, status: 'pending', reason: 'incorrect_code' },
      canceled: { verified: false, status: 'canceled', reason: 'canceled' },
      expired: { verified: false, status: 'expired', reason: 'expired' },
      max_attempts_reached: { verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0 },
    };
    for (const [status, result] of Object.entries(expected)) {
      expectCall('POST', `${BASE}/VerificationCheck`, 200, answer(status));
      expect(await provider().check(SID, '1234'), status).toEqual(result);
    }
  });

  it('60202 answers max_attempts without a retry', async () => {
    expectCall('POST', `${BASE}/VerificationCheck`, 429, twilioError(429, 60202, 'Max check attempts reached'));
    expect(await provider().check(SID, '1234')).toEqual({ verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0 });
  });

  it("reads Twilio's 404 through the verification's attempts: approved, expired, or unknown", async () => {
    const converted = { ...attemptsPage, attempts: (attemptsPage['attempts'] as Record<string, unknown>[]).map((a) => ({ ...a, conversion_status: 'converted', channel_data: { ...(a['channel_data'] as object), status: 'confirmed' } })) };
    for (const [page, result] of [
      [converted, { verified: false, status: 'verified', reason: 'already_verified' }],
      [attemptsPage, { verified: false, status: 'expired', reason: 'expired' }],
      [responseExample(PATHS.attempts, 'get', 200, 'listVerificationAttemptsEmpty'), { verified: false, status: 'failed', reason: 'not_found' }],
    ] as const) {
      expectCall('POST', `${BASE}/VerificationCheck`, 404, twilioError(404, 20404, `The requested resource /Services/${SERVICE}/VerificationCheck was not found`));
      const seen = expectCall('GET', PATHS.attempts, 200, page);
      expect(await provider().check(SID, '1234')).toEqual(result);
      expect(Object.fromEntries(seen.query!)).toEqual({ VerifyServiceSid: SERVICE, PageSize: '1000', VerificationSid: SID });
    }
  });

  it('a 404 inside the life: canceled when fewer wrong codes were counted than allowed, max_attempts at 5', async () => {
    const recent = { ...attemptsPage, attempts: (attemptsPage['attempts'] as Record<string, unknown>[]).map((a) => ({ ...a, verification_sid: SID, date_created: '2026-12-06T11:58:00Z', date_updated: '2026-12-06T11:58:01Z' })) };
    expectCall('POST', `${BASE}/Verifications`, 201, created);
    const p = provider();
    await p.start({ to: '+15017122661' });
    expectCall('POST', `${BASE}/VerificationCheck`, 404, twilioError(404, 20404, 'not found'));
    expectCall('GET', PATHS.attempts, 200, recent);
    expect(await p.check(SID, '1234')).toEqual({ verified: false, status: 'canceled', reason: 'canceled' });
    for (let i = 0; i < 5; i++) {
      expectCall('POST', `${BASE}/VerificationCheck`, 200, { status: 'pending', valid: false });
      await p.check(SID, '1234');
    }
    expectCall('POST', `${BASE}/VerificationCheck`, 404, twilioError(404, 20404, 'not found'));
    expectCall('GET', PATHS.attempts, 200, recent);
    expect(await p.check(SID, '1234')).toEqual({ verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0 });
  });

  it('the code never appears in an error or event', async () => {
    const events: VerifyEvent[] = [];
    expectCall('POST', `${BASE}/VerificationCheck`, 400, twilioError(400, 60200, 'Invalid parameter `Code`: 98765'));
    const error = await rejectionOf(provider({}, events).check(SID, '98765'));
    expect(error.issues).toEqual([{ field: 'code', message: 'Twilio refused it (Invalid parameter `Code`: [redacted])' }]);
    for (const text of [error.message, JSON.stringify(error), JSON.stringify(events)]) expect(text).not.toContain('98765');
  });
});

describe('get, cancel, resend', () => {
  it('get maps the fetchVerification example; a 404 is read from the attempts; no attempts: NotFoundError', async () => {
    expectCall('GET', `${BASE}/Verifications/${SID}`, 200, fetched);
    expect(await provider().get(SID)).toEqual({ ...documentedVerification, failedAttempts: undefined, raw: fetched });
    expectCall('GET', `${BASE}/Verifications/${SID}`, 404, twilioError(404, 20404, 'not found'));
    expectCall('GET', PATHS.attempts, 200, attemptsPage);
    expect(await provider().get(SID)).toMatchObject({ id: SID, status: 'expired', to: '+573003003030', country: 'CO', cost: { amount: '0.005', currency: 'USD' } });
    expectCall('GET', `${BASE}/Verifications/${SID}`, 404, twilioError(404, 20404, 'not found'));
    expectCall('GET', PATHS.attempts, 200, responseExample(PATHS.attempts, 'get', 200, 'listVerificationAttemptsEmpty'));
    expect(await rejectionOf(provider().get(SID))).toBeInstanceOf(NotFoundError);
  });

  it('cancel posts Status=canceled and maps the updateVerification example', async () => {
    const seen = expectCall('POST', `${BASE}/Verifications/${SID}`, 200, responseExample(PATHS.verification, 'post', 200, 'updateVerification'));
    expect(await provider().cancel(SID)).toMatchObject({ id: SID, status: 'canceled', finishedAt: new Date('2015-07-30T20:00:00Z') });
    expect(seen.body).toBe('Status=canceled');
  });

  it('an ended verification (the approveVerificationWithPn example) is verified, its prices and deliveries read from its attempts', async () => {
    expectCall('GET', `${BASE}/Verifications/${SID}`, 200, responseExample(PATHS.verification, 'post', 200, 'approveVerificationWithPn'));
    const attempts = expectCall('GET', PATHS.attempts, 200, attemptsPage);
    expect(await provider().get(SID)).toMatchObject({
      status: 'verified',
      deliveredChannel: 'sms',
      cost: { amount: '0.005', currency: 'USD' },
      country: 'CO',
      attempts: [{ channel: 'sms', status: 'failed', raw: 'undelivered' }],
    });
    expect(attempts.query?.get('VerificationSid')).toBe(SID);
  });

  it('resend reads the verification and creates again to its recipient on its channel', async () => {
    expectCall('GET', `${BASE}/Verifications/${SID}`, 200, { ...fetched, channel: 'call', send_code_attempts: [{ time: '2015-07-30T20:00:00Z', channel: 'call', attempt_sid: `VL${'a'.repeat(32)}` }] });
    const seen = expectCall('POST', `${BASE}/Verifications`, 201, created);
    expect((await provider().resend(SID)).id).toBe(SID);
    expect(seen.body).toBe('To=%2B15017122661&Channel=call');
    expect(await rejectionOf(provider().resend(SID, { step: 1 }))).toMatchObject({ name: 'ValidationError', issues: [{ field: 'options.step' }] });
  });

  it('resend under another SID (the old one ended in between) is reported', async () => {
    const events: VerifyEvent[] = [];
    const other = `VE${'c'.repeat(32)}`;
    expectCall('GET', `${BASE}/Verifications/${SID}`, 200, fetched);
    expectCall('POST', `${BASE}/Verifications`, 201, { ...created, sid: other });
    expect((await provider({}, events).resend(SID)).id).toBe(other);
    expect(events.some((e) => e.type === 'warning' && e.message.includes(other))).toBe(true);
  });

  it('failover is unsupported, and nothing is sent', async () => {
    const error = await rejectionOf(provider().failover(SID));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.message).toBe('twilio failover: Twilio keeps no channel plan: start again to the same recipient with another channel (the verification continues, the code stays)');
  });
});

describe('list from the Attempts API', () => {
  it('walks back in time slices with the documented filters: an empty slice grows 4×, a probe finds whether anything is older', async () => {
    const empty = responseExample(PATHS.attempts, 'get', 200, 'listVerificationAttemptsEmpty');
    const attempt = { ...(attemptsPage['attempts'] as Record<string, unknown>[])[0]!, date_created: '2026-12-06T10:00:00Z', date_updated: '2026-12-06T10:00:01Z' };
    const first = expectCall('GET', PATHS.attempts, 200, empty);
    const probe = expectCall('GET', PATHS.attempts, 200, attemptsPage);
    const second = expectCall('GET', PATHS.attempts, 200, { ...empty, attempts: [attempt] });
    const last = expectCall('GET', PATHS.attempts, 200, empty);
    const page = await provider().listPage({ limit: 10 });
    expect(page.items.map((v) => [v.id, v.createdAt.toISOString()])).toEqual([[SID, '2026-12-06T10:00:00.000Z']]);
    expect(page.nextCursor).toBeUndefined();
    expect(Object.fromEntries(first.query!)).toEqual({ VerifyServiceSid: SERVICE, PageSize: '1000', DateCreatedAfter: '2026-12-06T10:50:00Z', DateCreatedBefore: '2026-12-06T12:10:01Z' });
    expect(Object.fromEntries(probe.query!)).toEqual({ VerifyServiceSid: SERVICE, PageSize: '1', DateCreatedBefore: '2026-12-06T10:50:01Z' });
    expect(Object.fromEntries(second.query!)).toEqual({ VerifyServiceSid: SERVICE, PageSize: '1000', DateCreatedAfter: '2026-12-06T06:50:00Z', DateCreatedBefore: '2026-12-06T11:10:01Z' });
    expect(Object.fromEntries(last.query!)).toEqual({ VerifyServiceSid: SERVICE, PageSize: '1', DateCreatedBefore: '2026-12-06T06:50:01Z' });
  });

  it('folds the example attempt into a verification', async () => {
    const seen = expectCall('GET', PATHS.attempts, 200, attemptsPage);
    const from = new Date('2020-08-11T18:00:00Z');
    const items: Verification[] = [];
    for await (const v of provider().list({ from, to: new Date('2020-08-11T19:00:00Z'), phone: '+573003003030' })) items.push(v);
    expect(Object.fromEntries(seen.query!)).toEqual({ VerifyServiceSid: SERVICE, PageSize: '1000', 'ChannelData.To': '+573003003030', DateCreatedAfter: '2020-08-11T17:50:00Z', DateCreatedBefore: '2020-08-11T19:10:00Z' });
    expect(items).toEqual([
      {
        id: SID,
        provider: 'twilio',
        to: '+573003003030',
        status: 'expired',
        channels: [{ channel: 'sms' }],
        attempts: [{ channel: 'sms', status: 'failed', at: new Date('2020-08-11T18:37:00Z'), messageId: `VL${'a'.repeat(32)}`, raw: 'undelivered' }],
        deliveredChannel: undefined,
        maxAttempts: 5,
        failedAttempts: undefined,
        cost: { amount: '0.005', currency: 'USD' },
        reference: undefined,
        country: 'CO',
        createdAt: new Date('2020-08-11T18:36:59Z'),
        updatedAt: new Date('2020-08-11T18:37:00Z'),
        expiresAt: new Date('2020-08-11T18:46:59Z'),
        finishedAt: new Date('2020-08-11T18:46:59Z'),
        raw: (attemptsPage['attempts'] as unknown[]),
      },
    ]);
  });

  it('follows next_page_url on the Attempts list only, and stops on a page it already had', async () => {
    const attempt = (attemptsPage['attempts'] as Record<string, unknown>[])[0]!;
    const second = { ...attempt, sid: `VL${'b'.repeat(32)}`, date_created: '2020-08-11T18:38:00Z', price: { value: '0.0125', currency: 'usd' } };
    const first = expectCall('GET', PATHS.attempts, 200, { attempts: [attempt], meta: { next_page_url: `https://verify.twilio.com/v2/Attempts?PageSize=1000&Page=1&PageToken=PT1&VerifyServiceSid=${SERVICE}` } });
    const next = expectCall('GET', PATHS.attempts, 200, { attempts: [second], meta: { next_page_url: null } });
    const items: Verification[] = [];
    for await (const v of provider().list({ from: new Date('2020-08-11T18:00:00Z'), to: new Date('2020-08-11T19:00:00Z') })) items.push(v);
    expect(first.query?.get('PageToken')).toBeNull();
    expect(Object.fromEntries(next.query!)).toEqual({ PageSize: '1000', Page: '1', PageToken: 'PT1', VerifyServiceSid: SERVICE });
    expect(items.map((v) => [v.attempts.length, v.cost])).toEqual([[2, { amount: '0.0175', currency: 'USD' }]]);

    expectCall('GET', PATHS.attempts, 200, { attempts: [], meta: { next_page_url: 'https://elsewhere.example/steal?PageToken=x' } });
    expect((await rejectionOf(provider().listPage({ from: new Date('2020-08-11T18:00:00Z') }))).message).toBe('twilio list: next_page_url points outside the Attempts list');
    const loop = `https://verify.twilio.com/v2/Attempts?PageSize=1000&PageToken=same&VerifyServiceSid=${SERVICE}`;
    expectCall('GET', PATHS.attempts, 200, { attempts: [], meta: { next_page_url: loop } });
    expectCall('GET', PATHS.attempts, 200, { attempts: [], meta: { next_page_url: loop } });
    expect((await rejectionOf(provider().listPage({ from: new Date('2020-08-11T18:00:00Z') }))).message).toBe('twilio list: Twilio pointed to a page it had already given: the walk would never end');
  });

  it('prices: unpriced or in two currencies leave the cost out (the latter reported); negative charges are costs', async () => {
    const attempt = (attemptsPage['attempts'] as Record<string, unknown>[])[0]!;
    const with2 = (price: unknown) => ({ attempts: [attempt, { ...attempt, sid: `VL${'b'.repeat(32)}`, price }], meta: { next_page_url: null } });
    const costs: unknown[] = [];
    const events: VerifyEvent[] = [];
    for (const price of [{ value: null, currency: 'usd' }, { value: '0.01', currency: 'eur' }, { value: '-0.0075', currency: 'USD' }]) {
      expectCall('GET', PATHS.attempts, 200, with2(price));
      for await (const v of provider({}, events).list({ from: new Date('2020-08-11T18:00:00Z'), to: new Date('2020-08-11T19:00:00Z') })) costs.push(v.cost);
    }
    expect(costs).toEqual([null, null, { amount: '0.0125', currency: 'USD' }]);
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual([`Twilio priced the attempts of ${SID} in USD and EUR; the cost is left out`]);
  });

  it('an attempt that does not fit the description is an InvalidResponseError naming the field', async () => {
    expectCall('GET', PATHS.attempts, 200, { attempts: [{ sid: 'nope' }], meta: {} });
    expect((await rejectionOf(provider().listPage({ from: new Date('2020-08-11T18:00:00Z') }))).message).toBe("twilio list: an attempt does not fit Twilio's documented format (sid)");
  });
});

describe('options', () => {
  it('wants one whole pair of credentials and a Service SID, and echoes no secret', () => {
    const issues = (options: Partial<TwilioOptions>) => {
      try {
        twilio({ serviceSid: SERVICE, ...options } as TwilioOptions);
      } catch (error) {
        expect(JSON.stringify(error)).not.toContain(TOKEN);
        return (error as ValidationError).issues;
      }
      return [];
    };
    expect(issues({ accountSid: ACCOUNT })).toEqual([{ field: 'authToken', message: 'is required with accountSid' }]);
    let error: unknown;
    try {
      twilio({ serviceSid: SERVICE, accountSid: ACCOUNT, name: 'tw-eu' } as TwilioOptions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'ValidationError', provider: 'tw-eu', operation: 'config', message: 'Invalid Twilio options: authToken: is required with accountSid' });
    expect(issues({ accountSid: ACCOUNT, authToken: TOKEN, apiKeySid: KEY, apiKeySecret: KEY_SECRET })).toEqual([{ field: 'apiKeySid', message: 'give one pair of credentials: accountSid + authToken, or apiKeySid + apiKeySecret' }]);
    expect(issues({ apiKeySecret: KEY_SECRET })).toEqual([{ field: 'apiKeySid', message: 'is required with apiKeySecret' }]);
    expect(issues({})).toEqual([{ field: 'accountSid', message: 'is required (with authToken), or give apiKeySid + apiKeySecret' }]);
    expect(issues({ accountSid: 'AC123', authToken: TOKEN })).toEqual([{ field: 'accountSid', message: 'must be an Account SID (AC and 32 hex digits)' }]);
    expect(issues({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: 'VA1' })).toEqual([{ field: 'serviceSid', message: 'must be a Verify Service SID (VA and 32 hex digits)' }]);
    expect(issues({ accountSid: ACCOUNT, authToken: TOKEN, channels: [{ channel: 'sms' }, { channel: 'voice' }] })).toEqual([{ field: 'channels', message: 'must have exactly one step: Twilio sends on one channel' }]);
  });
});
