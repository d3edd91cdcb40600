/**
 * Twilio's mapping, function by function: the create form and its refusals, dates, channels and
 * statuses, a Verification resource, a check's answer, prices, a verification folded from its
 * attempts (every status it can reach, every delivery status), and the error mapping by code.
 */
import { describe, expect, it } from 'vitest';
import type { StartInput } from '../../../src/adapter/define.js';
import { RateLimitError, RejectedError } from '../../../src/errors.js';
import { Redactor } from '../../../src/redact.js';
import type { TwilioStartExtras } from '../../../providers/twilio/config.js';
import { TWILIO_ERRORS, channelOf, checkReason, costOf, dateOf, foldAttempts, foldVerification, statusOf, toCreateForm, toTwilioError, toVerification, twilioLocale, type FoldContext } from '../../../providers/twilio/map.js';
import type { TwilioAttempt, TwilioVerification } from '../../../providers/twilio/wire.js';
import { readFileSync } from 'node:fs';

const SID = `VE${'a'.repeat(32)}`;
const OTHER = `VE${'b'.repeat(32)}`;
const T0 = Date.parse('2026-12-06T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function warnings() {
  const seen: string[] = [];
  return { seen, warn: (message: string) => void seen.push(message) };
}

const input = (changes: Partial<StartInput<TwilioStartExtras>> = {}): StartInput<TwilioStartExtras> => ({ to: '+15017122661', channels: [{ channel: 'sms' }], vendor: {}, ...changes }) as StartInput<TwilioStartExtras>;

describe('toCreateForm', () => {
  it('names every rule a request breaks, with its words, and builds no form then', () => {
    const refused = toCreateForm(input({ channels: [{ channel: 'sms', timeoutSec: 30, sender: 'X', template: 't' }, { channel: 'voice' }], codeLength: 6 }));
    expect(refused).toEqual({
      issues: [
        { field: 'channels', message: 'Twilio sends on one channel per start: start again with another channel to move on (the verification continues)' },
        { field: 'channels.0.timeoutSec', message: 'Twilio has no step timeout' },
        { field: 'channels.0.sender', message: 'Twilio sends from the Verify Service (its friendly name: vendor.friendlyName)' },
        { field: 'channels.0.template', message: 'Twilio takes a template by SID (vendor.templateSid)' },
        { field: 'codeLength', message: "Twilio's code length is a setting of the Verify Service" },
      ],
    });
    expect(toCreateForm(input({ channels: [{ channel: 'email' }] })).issues).toEqual([{ field: 'channels.0.channel', message: 'email needs an { email } recipient' }]);
    expect(toCreateForm(input({ to: { email: 'a@b.example' }, channels: [{ channel: 'whatsapp' }] })).issues).toEqual([{ field: 'channels.0.channel', message: 'whatsapp needs a phone number recipient' }]);
    // A channel Twilio does not have is the shell's to name (capabilities), not a second issue here.
    expect(toCreateForm(input({ channels: [{ channel: 'viber' }] })).issues).toEqual([]);
  });

  it('sends Locale only when decided, and the e-mail address as To', () => {
    expect(toCreateForm(input()).body?.toString()).toBe('To=%2B15017122661&Channel=sms');
    expect(toCreateForm(input({ to: { email: 'a@b.example' }, channels: [{ channel: 'email' }], locale: 'zh-hk' })).body?.toString()).toBe('To=a%40b.example&Channel=email&Locale=zh-HK');
  });

  it('writes a language as Twilio does', () => {
    expect([twilioLocale('en'), twilioLocale('pt-br'), twilioLocale('en-gb')]).toEqual(['en', 'pt-BR', 'en-GB']);
  });
});

describe('dates, channels and statuses', () => {
  it('reads ISO 8601 and RFC 2822; nothing or garbage is undefined', () => {
    expect(dateOf('2015-07-30T20:00:00Z')).toEqual(new Date('2015-07-30T20:00:00Z'));
    expect(dateOf('Thu, 30 Jul 2015 20:00:00 +0000')).toEqual(new Date('2015-07-30T20:00:00Z'));
    expect([dateOf(''), dateOf(null), dateOf(undefined), dateOf('yesterday')]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("maps Twilio's channel names in any case; an unknown one is reported and read as sms", () => {
    const { seen, warn } = warnings();
    expect(['sms', 'SMS', 'call', 'whatsapp', 'EMAIL'].map((c) => channelOf(c, warn))).toEqual(['sms', 'sms', 'voice', 'whatsapp', 'email']);
    expect(seen).toEqual([]);
    expect([channelOf('rbm', warn), channelOf(undefined, warn)]).toEqual(['sms', 'sms']);
    expect(seen).toEqual(["Twilio sent a channel polyverify does not model ('rbm'); read as 'sms'", "Twilio sent a channel polyverify does not model (''); read as 'sms'"]);
  });

  it('maps every documented status; valid alone says verified; anything else is pending, reported', () => {
    const { seen, warn } = warnings();
    const statuses = ['pending', 'approved', 'canceled', 'max_attempts_reached', 'deleted', 'failed', 'expired', 'APPROVED'].map((status) => statusOf({ status, valid: null }, warn));
    expect(statuses).toEqual(['pending', 'verified', 'canceled', 'failed', 'failed', 'failed', 'expired', 'verified']);
    expect(seen).toEqual([]);
    expect(statusOf({ status: 'mystery', valid: true }, warn)).toBe('verified');
    expect([statusOf({ status: 'mystery', valid: false }, warn), statusOf({ status: null, valid: null }, warn)]).toEqual(['pending', 'pending']);
    expect(seen).toEqual(["Twilio sent an undocumented status 'mystery'; treated as 'pending'", "Twilio sent an undocumented status ''; treated as 'pending'"]);
  });
});

describe('toVerification', () => {
  const wire = (changes: Partial<TwilioVerification>): TwilioVerification => ({
    sid: SID,
    to: '+15017122661',
    channel: 'sms',
    status: 'approved',
    valid: true,
    date_created: iso(T0),
    date_updated: iso(T0 + 30_000),
    send_code_attempts: [
      { time: iso(T0), channel: 'SMS', attempt_sid: `VL${'1'.repeat(32)}` },
      'not an attempt',
      { time: iso(T0 + 60_000), channel: 'call', attempt_sid: `VL${'2'.repeat(32)}` },
    ],
    ...changes,
  });
  const ctx = { provider: 'tw', now: T0, warn: () => undefined, failedAttempts: 2 };

  it('maps the sends in order: the last one delivered a verified code; unreadable entries are skipped', () => {
    expect(toVerification(wire({}), 'raw', ctx)).toEqual({
      id: SID,
      provider: 'tw',
      to: '+15017122661',
      status: 'verified',
      channels: [{ channel: 'sms' }],
      attempts: [
        { channel: 'sms', status: 'sending', at: new Date(T0), messageId: `VL${'1'.repeat(32)}`, raw: 'SMS' },
        { channel: 'voice', status: 'delivered', at: new Date(T0 + 60_000), messageId: `VL${'2'.repeat(32)}`, raw: 'call' },
      ],
      deliveredChannel: 'voice',
      maxAttempts: 5,
      failedAttempts: 2,
      cost: null,
      reference: undefined,
      country: undefined,
      createdAt: new Date(T0),
      updatedAt: new Date(T0 + 30_000),
      expiresAt: new Date(T0 + 600_000),
      finishedAt: new Date(T0 + 30_000),
      raw: 'raw',
    });
  });

  it('without sends: the resource channel is the plan and the delivered one; without channel, the last send says', () => {
    const bare = toVerification(wire({ send_code_attempts: null, channel: 'whatsapp', to: null, status: 'pending' }), 'raw', ctx);
    expect(bare).toMatchObject({ to: '', channels: [{ channel: 'whatsapp' }], attempts: [], deliveredChannel: undefined, finishedAt: undefined });
    expect(toVerification(wire({ send_code_attempts: [], channel: 'email' }), 'raw', ctx).deliveredChannel).toBe('email');
    expect(toVerification(wire({ channel: null, send_code_attempts: [{ time: iso(T0), attempt_sid: 'VL1' }, { channel: 'whatsapp' }] }), 'raw', ctx)).toMatchObject({ channels: [{ channel: 'whatsapp' }], attempts: [{ channel: 'whatsapp' }, { channel: 'whatsapp', at: undefined, messageId: undefined }] });
  });

  it('a resource without a creation date cannot be read', () => {
    expect(() => toVerification(wire({ date_created: 'soon' }), 'raw', ctx)).toThrow(new RangeError('date_created is not a date'));
  });
});

describe('checkReason', () => {
  it('reads each answer, in any case, and reports an undocumented one', () => {
    const { seen, warn } = warnings();
    const read = (status: string | null, valid: boolean | null = null) => checkReason({ status, valid }, warn);
    expect([read('approved'), read('Approved'), read(null, true), read(null, false), read('pending'), read('canceled'), read('expired'), read('max_attempts_reached'), read('deleted'), read('failed')]).toEqual([
      'verified', 'verified', 'verified', 'ended', 'incorrect_code', 'canceled', 'expired', 'max_attempts', 'ended', 'ended',
    ]);
    expect(seen).toEqual(["Twilio answered a check with an undocumented status ''; its attempts are read instead"]);
    expect(read('pending', true)).toBe('incorrect_code'); // the status wins over the legacy flag
    expect(read('odd')).toBe('ended');
    expect(seen.at(-1)).toBe("Twilio answered a check with an undocumented status 'odd'; its attempts are read instead");
  });
});

const attempt = (changes: Partial<TwilioAttempt> & { at?: number } = {}): TwilioAttempt => {
  const { at = T0, ...rest } = changes;
  return {
    sid: `VL${'1'.repeat(32)}`,
    verification_sid: SID,
    date_created: iso(at),
    date_updated: iso(at + 5_000),
    conversion_status: 'unconverted',
    channel: 'sms',
    price: { value: '0.0083', currency: 'usd' },
    channel_data: { to: '+447700900123', status: 'unconfirmed', message_status: 'delivered', country: 'gb' },
    ...rest,
  } as TwilioAttempt;
};

describe('costOf', () => {
  it('sums exactly in one currency; unpriced or two currencies leave it out; a negative charge counts as a cost', () => {
    const { seen, warn } = warnings();
    const price = (value: unknown, currency: string | null = 'usd') => attempt({ price: { value: value as string, currency } });
    expect(costOf([price('0.0083'), price('0.0017'), price(0.01)], warn)).toEqual({ amount: '0.0200', currency: 'USD' });
    expect(costOf([price('-0.0075'), price('0.0025')], warn)).toEqual({ amount: '0.0100', currency: 'USD' });
    expect(costOf([], warn)).toBeNull();
    expect(costOf([price('0.01'), price(null)], warn)).toBeNull();
    expect(costOf([price('0.01'), price('0.01', null)], warn)).toBeNull();
    expect(costOf([price('0.01'), attempt({ price: null })], warn)).toBeNull();
    expect(seen).toEqual([]);
    expect(costOf([price('0.01'), price('0.01', 'eur')], warn)).toBeNull();
    expect(seen).toEqual([`Twilio priced the attempts of ${SID} in USD and EUR; the cost is left out`]);
  });
});

describe('foldVerification', () => {
  const ctx = (changes: Partial<FoldContext> = {}): FoldContext => ({ provider: 'tw', now: T0 + 60_000, warn: () => undefined, failedOf: () => undefined, ...changes });

  it('orders the attempts by time (then SID), whatever order they came in; the first created it', () => {
    const first = attempt({ sid: `VL${'2'.repeat(32)}`, at: T0 });
    const tie = attempt({ sid: `VL${'3'.repeat(32)}`, at: T0, channel: 'whatsapp' });
    const last = attempt({ sid: `VL${'1'.repeat(32)}`, at: T0 + 30_000, channel: 'call', channel_data: { to: null, call_status: 'no-answer', status: 'unconfirmed' }, date_updated: iso(T0 + 90_000) });
    const v = foldVerification([last, tie, first], ['c', 'b', 'a'], ctx());
    expect(v.attempts.map((a) => [a.messageId, a.channel, a.status, a.raw])).toEqual([
      [first.sid, 'sms', 'delivered', 'delivered'],
      [tie.sid, 'whatsapp', 'delivered', 'delivered'],
      [last.sid, 'voice', 'failed', 'no-answer'],
    ]);
    expect(v).toMatchObject({ id: SID, to: '+447700900123', channels: [{ channel: 'sms' }], createdAt: new Date(T0), updatedAt: new Date(T0 + 90_000), expiresAt: new Date(T0 + 600_000), country: 'GB', status: 'pending', finishedAt: undefined, raw: ['a', 'b', 'c'] });
    expect(v.cost).toEqual({ amount: '0.0249', currency: 'USD' });
  });

  it('reaches every status the attempts can tell', () => {
    const status = (attempts: TwilioAttempt[], c: Partial<FoldContext> = {}) => {
      const v = foldVerification(attempts, attempts.map(() => null), ctx(c));
      return [v.status, v.finishedAt?.toISOString(), v.deliveredChannel];
    };
    const converted = attempt({ conversion_status: 'CONVERTED', channel: 'whatsapp', date_updated: iso(T0 + 20_000) });
    expect(status([attempt(), converted])).toEqual(['verified', iso(T0 + 20_000), 'whatsapp']);
    expect(status([attempt({ conversion_status: null, channel_data: { status: 'Confirmed' } })])).toEqual(['verified', iso(T0 + 5_000), 'sms']);
    expect(status([attempt({ conversion_status: null, date_updated: null, channel_data: { status: 'confirmed' } })])).toEqual(['verified', iso(T0), 'sms']);
    expect(status([attempt({ channel_data: { status: 'EXPIRED' } })])).toEqual(['expired', iso(T0 + 600_000), undefined]);
    expect(status([attempt()], { now: T0 + 600_000 })).toEqual(['expired', iso(T0 + 600_000), undefined]);
    expect(status([attempt()], { now: T0 + 599_999 })).toEqual(['pending', undefined, undefined]);
    expect(status([attempt()], { failedOf: () => 5 })).toEqual(['failed', iso(T0 + 5_000), undefined]);
    expect(status([attempt()], { failedOf: () => 4 })).toEqual(['pending', undefined, undefined]);
    expect(status([attempt()], { failedOf: () => 4, deleted: true })).toEqual(['canceled', iso(T0 + 5_000), undefined]);
    expect(status([attempt()], { deleted: true })).toEqual(['failed', iso(T0 + 5_000), undefined]);
  });

  it('reads every delivery status Twilio documents for messages and calls', () => {
    const expected: Record<string, string> = {
      queued: 'queued', scheduled: 'queued', accepted: 'queued', ringing: 'queued',
      sending: 'sending', sent: 'sending', 'in-progress': 'sending', partially_delivered: 'sending',
      delivered: 'delivered', read: 'delivered', receiving: 'delivered', received: 'delivered', completed: 'delivered',
      failed: 'failed', undelivered: 'failed', canceled: 'failed', busy: 'failed', 'no-answer': 'failed',
      Delivered: 'delivered', mystery: 'sending',
    };
    for (const [raw, delivery] of Object.entries(expected)) {
      const [viaMessage] = foldVerification([attempt({ channel_data: { message_status: raw } })], [null], ctx()).attempts;
      const [viaCall] = foldVerification([attempt({ channel: 'call', channel_data: { call_status: raw } })], [null], ctx()).attempts;
      expect([viaMessage!.status, viaCall!.status], raw).toEqual([delivery, delivery]);
    }
    const [none] = foldVerification([attempt({ channel_data: null, date_updated: null })], [null], ctx()).attempts;
    expect(none).toEqual({ channel: 'sms', status: 'sending', at: new Date(T0), messageId: `VL${'1'.repeat(32)}`, raw: null });
    expect(foldVerification([attempt({ channel_data: null })], [null], ctx())).toMatchObject({ to: '', country: undefined });
  });

  it('an attempt without a readable date cannot be folded', () => {
    expect(() => foldVerification([attempt({ date_created: 'later' })], [null], ctx())).toThrow(new RangeError('date_created is not a date'));
  });
});

describe('foldAttempts', () => {
  it('one verification per SID, newest first, ties by SID descending, each with its own count', () => {
    const a = attempt({ verification_sid: SID, at: T0 });
    const b = attempt({ verification_sid: OTHER, at: T0, sid: `VL${'2'.repeat(32)}` });
    const c = attempt({ verification_sid: `VE${'c'.repeat(32)}`, at: T0 + 1_000, sid: `VL${'3'.repeat(32)}` });
    const d = attempt({ verification_sid: SID, at: T0 + 2_000, sid: `VL${'4'.repeat(32)}` });
    const folded = foldAttempts([a, b, c, d], ['a', 'b', 'c', 'd'], { provider: 'tw', now: T0, warn: () => undefined, failedOf: (id) => (id === OTHER ? 3 : undefined) });
    expect(folded.map((v) => [v.id, v.attempts.length, v.failedAttempts, v.raw])).toEqual([
      [`VE${'c'.repeat(32)}`, 1, undefined, ['c']],
      [OTHER, 1, 3, ['b']],
      [SID, 2, undefined, ['a', 'd']],
    ]);
    expect(foldAttempts([b, a], [null, null], { provider: 'tw', now: T0, warn: () => undefined, failedOf: () => undefined }).map((v) => v.id)).toEqual([OTHER, SID]);
  });
});

describe('toTwilioError', () => {
  const redactor = new Redactor(['the-auth-token-0123']);
  const failure = (status: number, body: unknown) => ({ status, body, headers: new Headers(), requestId: 'RQ1', operation: 'start' as const, sends: true });

  it('names the parameter of a 60200 as the field of the request', () => {
    const fields = ['To', 'Channel', 'Locale', 'CustomCode', 'Code', 'CustomFriendlyName', 'TemplateSid', 'AppHash', 'VerificationSid', 'Status'].map(
      (parameter) => (toTwilioError(failure(400, { code: 60200, message: `Invalid parameter \`${parameter}\`` }), redactor, 'tw') as RejectedError).issues[0]?.field,
    );
    expect(fields).toEqual(['to', 'channels.0.channel', 'locale', 'code', 'code', 'vendor.friendlyName', 'vendor.templateSid', 'vendor.appHash', 'id', 'status']);
    const none = toTwilioError(failure(400, { code: 60200, message: 'Invalid parameter' }), redactor, 'tw') as RejectedError;
    expect(none).toMatchObject({ name: 'RejectedError', issues: [], requestId: 'RQ1', status: 400, sent: 'no', retryable: false });
    expect((toTwilioError(failure(400, { code: 60200 }), redactor, 'tw') as RejectedError).issues).toEqual([]);
  });

  it('writes Twilio\'s message and code; a text body is the message; secrets are scrubbed', () => {
    expect(toTwilioError(failure(404, { code: 20404, message: 'The requested resource /Services/VA1/Verifications was not found' }), redactor, 'tw')).toMatchObject({
      name: 'NotFoundError',
      message: 'tw start: HTTP 404: The requested resource /Services/VA1/Verifications was not found (Twilio 20404)',
      sent: 'no',
    });
    expect(toTwilioError(failure(503, 'upstream down'), redactor, 'tw')).toMatchObject({ name: 'ProviderUnavailableError', message: 'tw start: HTTP 503: upstream down', sent: 'maybe' });
    expect(toTwilioError(failure(400, { message: 'token the-auth-token-0123 refused' }), redactor, 'tw').message).toBe('tw start: HTTP 400: token [redacted] refused');
    expect(toTwilioError(failure(400, undefined), redactor, 'tw').message).toBe('tw start: HTTP 400');
    expect(toTwilioError(failure(429, { code: '60203', message: 'Max send attempts reached' }), redactor, 'tw')).toBeInstanceOf(RateLimitError);
    expect(toTwilioError(failure(403, { code: 60605, message: 'blocked' }), redactor, 'tw')).toMatchObject({ name: 'RejectedError', issues: [{ field: 'to', message: "the Verify Service's Geo-Permissions block this destination" }] });
  });

  it('TWILIO_ERRORS says what each code becomes, and docs/twilio.md lists every one', () => {
    const doc = readFileSync(new URL('../../../docs/twilio.md', import.meta.url), 'utf8');
    expect(Object.keys(TWILIO_ERRORS)).toEqual(['20404', '20429', '60200', '60202', '60203', '60205', '60410', '60605']);
    for (const [code, meaning] of Object.entries(TWILIO_ERRORS)) {
      expect(doc, code).toContain(`| ${code}`);
      const error = toTwilioError(failure(Number(code) === 20404 ? 404 : Number(code) === 20429 || Number(code) === 60202 || Number(code) === 60203 ? 429 : 400, { code: Number(code), message: 'm' }), redactor, 'tw');
      expect(meaning, code).toContain(error.name);
      expect(meaning.includes('not retryable') ? !error.retryable : true, code).toBe(true);
    }
  });
});
