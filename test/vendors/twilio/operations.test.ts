/**
 * The Twilio adapter's plumbing, call by call (nock): the operation every error and event names,
 * which calls are retried and which say `sent: 'maybe'`, what a body that does not fit is called,
 * the secrets each call scrubs, cursor keys per account and Service, and how long the wrong-code
 * count of a verification is kept.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { MemoryTriesStore } from '../../../src/codes/tries.js';
import type { VerifyEvent } from '../../../providers/index.js';
import { TWILIO_BASE_URL } from '../../../providers/twilio/config.js';
import { twilio, type TwilioOptions } from '../../../providers/twilio/index.js';
import { fastBackoff, rejectionOf, useNock } from '../../helpers.js';
import { PATHS, responseExample } from './spec.js';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const SERVICE = `VA${'a'.repeat(32)}`;
const SID = `VE${'a'.repeat(32)}`;
const BASE = `/v2/Services/${SERVICE}`;
const NOW = Date.parse('2026-12-06T12:00:00Z');
const created = responseExample(PATHS.verifications, 'post', 201, 'createVerification');
const attemptsPage = responseExample(PATHS.attempts, 'get', 200, 'listVerificationAttempts');

function provider(options: Partial<TwilioOptions> = {}, events?: VerifyEvent[]) {
  return twilio({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: SERVICE, backoff: fastBackoff, retries: 2, now: () => NOW, ...(events && { onEvent: (e: VerifyEvent) => events.push(e) }), ...options });
}

/** Answers `count` calls with `status` and `body`; returns how many came. */
function answer(method: 'GET' | 'POST', path: string, status: number, body: unknown, count = 1) {
  const seen = { calls: 0, bodies: [] as string[] };
  nock(TWILIO_BASE_URL)
    .intercept(path, method, (sent) => (seen.bodies.push(typeof sent === 'string' ? sent : new URLSearchParams(sent as Record<string, string>).toString()), true))
    .query(true)
    .times(count)
    .reply(() => {
      seen.calls++;
      return [status, body as nock.Body];
    });
  return seen;
}
const down = { code: 20500, message: 'Internal Server Error', status: 500 };

useNock();

describe('each call names its operation, and retries only what may be repeated', () => {
  it('start and resend: not retried after a 5xx, sent maybe; get: retried; check and cancel: not retried, sent no', async () => {
    const p = provider();
    const start = answer('POST', `${BASE}/Verifications`, 500, down);
    expect(await rejectionOf(p.start({ to: '+15017122661' }))).toMatchObject({ operation: 'start', sent: 'maybe', message: 'twilio start: HTTP 500: Internal Server Error (Twilio 20500)' });
    expect(start.calls).toBe(1);
    const get = answer('GET', `${BASE}/Verifications/${SID}`, 500, down, 3);
    expect(await rejectionOf(p.get(SID))).toMatchObject({ operation: 'get', sent: 'no' });
    expect(get.calls).toBe(3);
    const check = answer('POST', `${BASE}/VerificationCheck`, 500, down);
    expect(await rejectionOf(p.check(SID, '123456'))).toMatchObject({ name: 'ProviderUnavailableError', operation: 'check', sent: 'no' });
    expect(check.calls).toBe(1);
    const cancel = answer('POST', `${BASE}/Verifications/${SID}`, 500, down);
    expect(await rejectionOf(p.cancel(SID))).toMatchObject({ name: 'ProviderUnavailableError', operation: 'cancel', sent: 'no' });
    expect(cancel.calls).toBe(1);
    answer('GET', `${BASE}/Verifications/${SID}`, 200, created);
    const resend = answer('POST', `${BASE}/Verifications`, 500, down);
    expect(await rejectionOf(p.resend(SID))).toMatchObject({ operation: 'resend', sent: 'maybe' });
    expect(resend.calls).toBe(1);
    const resendRead = answer('GET', `${BASE}/Verifications/${SID}`, 500, down, 3);
    expect(await rejectionOf(p.resend(SID))).toMatchObject({ operation: 'resend', sent: 'no' });
    expect(resendRead.calls).toBe(3);
  });

  it("reading a verification's attempts is part of the check or get that needed it", async () => {
    const events: VerifyEvent[] = [];
    answer('POST', `${BASE}/VerificationCheck`, 404, { code: 20404, message: 'not found' });
    answer('GET', PATHS.attempts, 500, down, 3);
    expect(await rejectionOf(provider({}, events).check(SID, '123456'))).toMatchObject({ operation: 'check', message: 'twilio check: HTTP 500: Internal Server Error (Twilio 20500)' });
    answer('GET', `${BASE}/Verifications/${SID}`, 404, { code: 20404, message: 'not found' });
    answer('GET', PATHS.attempts, 500, down, 3);
    expect(await rejectionOf(provider({}, events).get(SID))).toMatchObject({ operation: 'get' });
    answer('GET', `${BASE}/Verifications/${SID}`, 200, { ...created, status: 'expired' });
    answer('GET', PATHS.attempts, 500, down, 3);
    expect(await rejectionOf(provider({}, events).get(SID))).toMatchObject({ operation: 'get' });
    expect(events.filter((e) => e.type === 'request').map((e) => `${e.operation} ${(e as { method: string }).method}`)).toEqual([
      'check POST', 'check GET', 'check GET', 'check GET', 'get GET', 'get GET', 'get GET', 'get GET', 'get GET', 'get GET', 'get GET', 'get GET',
    ]);
  });

  it('a 404 inside the life of a verification started elsewhere (no count): not_found, its status failed', async () => {
    const recent = { ...(attemptsPage['attempts'] as Record<string, unknown>[])[0], verification_sid: SID, date_created: new Date(NOW - 60_000).toISOString() };
    answer('POST', `${BASE}/VerificationCheck`, 404, { code: 20404, message: 'not found' });
    answer('GET', PATHS.attempts, 200, { attempts: [recent], meta: {} });
    expect(await provider().check(SID, '123456')).toEqual({ verified: false, status: 'failed', reason: 'not_found' });
  });

  it('a wrong code counts only while the answer is pending; other answers count nothing', async () => {
    const p = provider();
    answer('POST', `${BASE}/Verifications`, 201, created);
    await p.start({ to: '+15017122661' });
    answer('POST', `${BASE}/VerificationCheck`, 200, { status: 'canceled' });
    expect(await p.check(SID, '123456')).toStrictEqual({ verified: false, status: 'canceled', reason: 'canceled' });
    answer('POST', `${BASE}/VerificationCheck`, 200, { status: 'pending' });
    expect(await p.check(SID, '123456')).toStrictEqual({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 4 });
    answer('POST', `${BASE}/VerificationCheck`, 200, { status: 'pending' });
    expect(await provider().check(SID, '123456')).toStrictEqual({ verified: false, status: 'pending', reason: 'incorrect_code' });
  });

  it('one start costs one tries-store call (a continued one, one read); a failing store is a warning of the operation', async () => {
    const calls: string[] = [];
    const memory = new MemoryTriesStore({ now: () => NOW });
    const counting = {
      startTries: (...a: Parameters<MemoryTriesStore['startTries']>) => (calls.push('startTries'), memory.startTries(...a)),
      failTry: (key: string) => (calls.push('failTry'), memory.failTry(key)),
      triesFailed: (keys: readonly string[]) => (calls.push('triesFailed'), memory.triesFailed(keys)),
    };
    const p = provider({ triesStore: counting });
    answer('POST', `${BASE}/Verifications`, 201, created);
    expect((await p.start({ to: '+15017122661' })).failedAttempts).toBe(0);
    expect(calls).toEqual(['startTries']);
    const again = { ...created, send_code_attempts: [...(created['send_code_attempts'] as unknown[]), { time: '2015-07-30T20:01:00Z', channel: 'sms', attempt_sid: `VL${'b'.repeat(32)}` }] };
    answer('POST', `${BASE}/Verifications`, 201, again);
    await p.start({ to: '+15017122661' });
    expect(calls).toEqual(['startTries', 'triesFailed']);
    const events: VerifyEvent[] = [];
    const broken = { startTries: () => Promise.reject(new Error('down')), failTry: () => Promise.reject(new Error('down')), triesFailed: () => Promise.reject(new Error('down')) };
    const q = provider({ triesStore: broken }, events);
    answer('POST', `${BASE}/Verifications`, 201, created);
    expect((await q.start({ to: '+15017122661' })).failedAttempts).toBe(0);
    answer('POST', `${BASE}/Verifications`, 201, again);
    expect((await q.start({ to: '+15017122661' })).failedAttempts).toBeUndefined();
    answer('POST', `${BASE}/VerificationCheck`, 200, { status: 'pending' });
    await q.check(SID, '123456');
    const warned = events.filter((e) => e.type === 'warning');
    expect(warned.map((e) => e.operation)).toEqual(['start', 'start', 'check']);
    expect(warned[0]).toMatchObject({ message: 'the tries store failed (down); the try counts are left out' });
    // A slice without attempts asks the store nothing.
    answer('GET', PATHS.attempts, 200, { attempts: [], meta: {} });
    await p.listPage({ from: new Date(NOW - 60_000) });
    expect(calls).toEqual(['startTries', 'triesFailed']);
  });

  it('a 4xx other than 404 on a get is the error itself, not a story', async () => {
    answer('GET', `${BASE}/Verifications/${SID}`, 403, { code: 20403, message: 'Forbidden' });
    expect(await rejectionOf(provider().get(SID))).toMatchObject({ name: 'PermissionError', operation: 'get' });
  });
});

describe('bodies that do not fit', () => {
  it('are named, per call; a resend whose answer does not fit may have sent', async () => {
    const p = provider();
    answer('POST', `${BASE}/Verifications`, 201, { sid: 'nope' });
    expect((await rejectionOf(p.start({ to: '+15017122661' }))).message).toBe("twilio start: the verification does not fit Twilio's documented format (sid)");
    answer('POST', `${BASE}/VerificationCheck`, 200, { status: 7 });
    expect(await rejectionOf(p.check(SID, '123456'))).toMatchObject({ sent: 'no', message: "twilio check: the verification check does not fit Twilio's documented format (status)" });
    answer('POST', `${BASE}/Verifications/${SID}`, 200, { sid: SID, date_created: 'never' });
    expect((await rejectionOf(p.cancel(SID))).message).toBe('twilio cancel: the verification cannot be read (date_created is not a date)');
    answer('GET', `${BASE}/Verifications/${SID}`, 200, created);
    answer('POST', `${BASE}/Verifications`, 201, { sid: 'nope' });
    expect(await rejectionOf(p.resend(SID))).toMatchObject({
      sent: 'maybe',
      message: "twilio resend: the verification does not fit Twilio's documented format (sid)",
    });
  });

  it("an attempt that does not fit, read for a check, is the check's error", async () => {
    answer('POST', `${BASE}/VerificationCheck`, 404, { code: 20404, message: 'not found' });
    answer('GET', PATHS.attempts, 200, { attempts: [{ sid: 'VLbad' }], meta: {} });
    expect(await rejectionOf(provider().check(SID, '123456'))).toMatchObject({ operation: 'check', message: "twilio check: an attempt does not fit Twilio's documented format (sid)" });
    answer('POST', `${BASE}/VerificationCheck`, 404, { code: 20404, message: 'not found' });
    answer('GET', PATHS.attempts, 200, { results: [] });
    expect(await rejectionOf(provider().check(SID, '123456'))).toMatchObject({ operation: 'check', message: "twilio check: the page does not fit Twilio's Attempts list" });
  });

  it("a check's undocumented status is a warning of the check, then the attempts decide", async () => {
    const events: VerifyEvent[] = [];
    answer('POST', `${BASE}/VerificationCheck`, 200, { status: 'odd' });
    answer('GET', PATHS.attempts, 200, { attempts: [], meta: {} });
    expect(await provider({}, events).check(SID, '123456')).toEqual({ verified: false, status: 'failed', reason: 'not_found' });
    expect(events.filter((e) => e.type === 'warning')).toEqual([{ type: 'warning', provider: 'twilio', operation: 'check', message: "Twilio answered a check with an undocumented status 'odd'; its attempts are read instead" }]);
  });
});

describe("Twilio's JSON, field by field", () => {
  const list = async (body: unknown) => {
    answer('GET', PATHS.attempts, 200, body);
    return provider().listPage({ from: new Date('2020-08-11T18:00:00Z'), to: new Date('2020-08-11T19:00:00Z') });
  };
  const one = (changes: Record<string, unknown>) => ({ attempts: [{ ...(attemptsPage['attempts'] as Record<string, unknown>[])[0], ...changes }], meta: { next_page_url: null } });

  it('SIDs are whole: anything around them is refused', async () => {
    for (const id of [`x${SID}`, `${SID}x`]) expect(await rejectionOf(provider().get(id)), id).toMatchObject({ name: 'ValidationError', issues: [{ field: 'id' }] });
    for (const sid of [`xVL${'a'.repeat(32)}`, `VL${'a'.repeat(32)}x`]) expect((await rejectionOf(list(one({ sid })))).message, sid).toBe("twilio list: an attempt does not fit Twilio's documented format (sid)");
  });

  it('channel data, prices and the page meta are typed: a number where a string belongs names the field', async () => {
    expect((await rejectionOf(list(one({ channel_data: { to: 5 } })))).message).toBe("twilio list: an attempt does not fit Twilio's documented format (channel_data.to)");
    expect((await rejectionOf(list(one({ price: { value: '0.01', currency: 5 } })))).message).toBe("twilio list: an attempt does not fit Twilio's documented format (price.currency)");
    expect((await rejectionOf(list({ attempts: [], meta: { next_page_url: 5 } }))).message).toBe("twilio list: the page does not fit Twilio's Attempts list");
  });

  it('a send_code_attempts entry that is not an attempt is skipped, not fatal', async () => {
    answer('GET', `${BASE}/Verifications/${SID}`, 200, { ...created, send_code_attempts: [{ channel: 7 }, ...(created['send_code_attempts'] as unknown[])] });
    expect((await provider().get(SID)).attempts).toHaveLength(1);
  });
});

describe('resend', () => {
  it("sends on the channel of the verification's last attempt (or its own without attempts), and warns only when the SID changed", async () => {
    const events: VerifyEvent[] = [];
    const three = ['sms', 'call', 'whatsapp'].map((channel, i) => ({ time: '2015-07-30T20:00:00Z', channel, attempt_sid: `VL${String(i).repeat(32)}` }));
    answer('GET', `${BASE}/Verifications/${SID}`, 200, { ...created, channel: 'sms', send_code_attempts: three });
    const sent = answer('POST', `${BASE}/Verifications`, 201, created);
    await provider({}, events).resend(SID);
    answer('GET', `${BASE}/Verifications/${SID}`, 200, { ...created, channel: 'email', to: 'a@b.example', send_code_attempts: [] });
    answer('POST', `${BASE}/Verifications`, 201, created);
    await provider({}, events).resend(SID);
    expect(sent.bodies[0]).toBe('To=%2B15017122661&Channel=whatsapp');
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    expect(events.filter((e) => e.type === 'request' && e.method === 'POST').map((e) => e.operation)).toEqual(['resend', 'resend']);
    const other = `VE${'d'.repeat(32)}`;
    answer('GET', `${BASE}/Verifications/${SID}`, 200, created);
    answer('POST', `${BASE}/Verifications`, 201, { ...created, sid: other });
    await provider({}, events).resend(SID);
    expect(events.filter((e) => e.type === 'warning')).toEqual([{ type: 'warning', provider: 'twilio', operation: 'resend', message: `Twilio resent under another verification (${other}): ${SID} had ended in between; check the code against the new id` }]);
  });

  it('takes no step: a ValidationError of the resend, before any request', async () => {
    expect(await rejectionOf(provider().resend(SID, { step: 0 }))).toMatchObject({ name: 'ValidationError', provider: 'twilio', operation: 'resend', issues: [{ field: 'options.step', message: 'Twilio keeps no channel plan; it resends on the current channel' }] });
  });
});

describe('secrets per call', () => {
  it('the Basic value and a custom code echoed by Twilio are scrubbed', async () => {
    const basic = Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64');
    answer('POST', `${BASE}/Verifications`, 400, { code: 60200, message: `Invalid parameter \`CustomCode\`: Xy12Zq98 with ${basic}` });
    const error = await rejectionOf(provider({ customCode: true }).start({ to: '+15017122661', code: 'Xy12Zq98' }));
    expect(error.message).toBe('twilio start: HTTP 400: Invalid parameter `CustomCode`: [redacted] with [redacted] (Twilio 60200)');
    const withKey = twilio({ apiKeySid: `SK${'b'.repeat(32)}`, apiKeySecret: 'key-secret-0123456789', serviceSid: SERVICE, retries: 0 });
    const keyBasic = Buffer.from(`SK${'b'.repeat(32)}:key-secret-0123456789`).toString('base64');
    answer('GET', `${BASE}/Verifications/${SID}`, 400, { code: 20001, message: `bad ${keyBasic} key-secret-0123456789` });
    expect((await rejectionOf(withKey.get(SID))).message).toBe('twilio get: HTTP 400: bad [redacted] [redacted] (Twilio 20001)');
  });

  it('a code Twilio would never take is refused before anything is sent', async () => {
    for (const code of ['123', '12345678901', '12 34', '1234\u00e9']) {
      expect(await rejectionOf(provider().check(SID, code)), code).toMatchObject({ name: 'ValidationError', issues: [{ field: 'code', message: 'must be 4 to 10 characters without spaces for Twilio' }] });
    }
    expect(await rejectionOf(provider().get('VE123'))).toMatchObject({ issues: [{ field: 'id', message: expect.stringContaining('a Twilio Verification SID (VE and 32 hex digits)') }] });
  });
});

describe('state per account and Service', () => {
  it("a cursor of one Service's list is refused by another's, and taken by the same config", async () => {
    const recent = { ...(attemptsPage['attempts'] as Record<string, unknown>[])[0], verification_sid: SID, date_created: new Date(NOW - 5 * 60_000).toISOString() };
    answer('GET', PATHS.attempts, 200, { attempts: [recent], meta: { next_page_url: null } });
    const first = await provider().listPage({ limit: 1, from: new Date(NOW - 86_400_000) });
    expect(first.items.map((v) => [v.id, v.status])).toEqual([[SID, 'pending']]);
    const cursor = first.nextCursor!;
    expect(cursor).toBeDefined();
    const other = twilio({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: `VA${'b'.repeat(32)}` });
    expect(await rejectionOf(other.listPage({ cursor }))).toMatchObject({ name: 'ValidationError', issues: [{ field: 'cursor' }] });
    const otherAccount = twilio({ accountSid: `AC${'c'.repeat(32)}`, authToken: TOKEN, serviceSid: SERVICE });
    expect(await rejectionOf(otherAccount.listPage({ cursor }))).toMatchObject({ name: 'ValidationError', issues: [{ field: 'cursor' }] });
    answer('GET', PATHS.attempts, 200, { attempts: [], meta: { next_page_url: null } }, 10);
    expect((await provider().listPage({ cursor })).items).toEqual([]);
    nock.cleanAll();
  });

  it("keeps a verification's wrong-code count for its life and an hour more", async () => {
    let now = NOW;
    const store = new MemoryTriesStore({ now: () => now });
    const p = provider({ triesStore: store, now: () => now });
    answer('POST', `${BASE}/Verifications`, 201, { ...created, date_created: new Date(NOW).toISOString() });
    await p.start({ to: '+15017122661' });
    expect(await store.triesFailed([SID])).toEqual([0]);
    now = NOW + 600_000 + 3_600_000 - 1;
    expect(await store.triesFailed([SID])).toEqual([0]);
    now = NOW + 600_000 + 3_600_000;
    expect(await store.triesFailed([SID])).toEqual([undefined]);
  });
});
