/** LOX24's tables, one value at a time: statuses, costs, times, the request rules and errors. */
import { describe, expect, it } from 'vitest';

import { Redactor } from '../../../src/redact.js';
import { langOf, lox24Issues, toCreateBody, toLox24Error, toVerification, verificationStatus, withoutCode, type MapContext } from '../../../providers/lox24/map.js';
import type { Lox24VerifyCode } from '../../../providers/lox24/wire.js';
import { fixture } from '../../helpers.js';
import type { CodeRecord } from '../../../src/codes/index.js';

const base: Lox24VerifyCode = {
  ...fixture('lox24/create-response.json'),
} as Lox24VerifyCode;
const CREATED = base.created_at * 1000;

function ctx(overrides: Partial<MapContext> = {}): MapContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { provider: 'lox24', record: undefined, now: CREATED, ttlSeconds: 600, warn: (m) => warnings.push(m), warnings, ...overrides };
}
const record = (overrides: Partial<CodeRecord> = {}): CodeRecord => ({ hash: 'ab', createdAt: CREATED, expiresAt: CREATED + 300_000, maxAttempts: 5, failedAttempts: 0, state: 'pending', ...overrides });
const wire = (overrides: Partial<Lox24VerifyCode>): Lox24VerifyCode => ({ ...base, ...overrides });

describe('status and finishedAt', () => {
  it('with a code record: the record decides, and a pending code whose delivery failed is failed', () => {
    const verified = record({ state: 'verified', finishedAt: CREATED + 5_000 });
    let v = toVerification(wire({ status: 10 }), base, ctx({ record: verified }));
    expect([v.status, v.finishedAt, v.expiresAt]).toEqual(['verified', new Date(CREATED + 5_000), new Date(CREATED + 300_000)]);
    v = toVerification(wire({ status: 20 }), base, ctx({ record: record({ state: 'canceled', finishedAt: CREATED + 7_000 }) }));
    expect([v.status, v.finishedAt]).toEqual(['canceled', new Date(CREATED + 7_000)]);
    v = toVerification(wire({ status: 20, updated_at: base.created_at + 9 }), base, ctx({ record: record() }));
    expect([v.status, v.finishedAt]).toEqual(['failed', new Date((base.created_at + 9) * 1000)]);
    v = toVerification(wire({ status: 100 }), base, ctx({ record: record() }));
    expect(v.status).toBe('failed');
    v = toVerification(wire({ status: 5 }), base, ctx({ record: record() }));
    expect([v.status, v.finishedAt]).toEqual(['pending', undefined]);
    v = toVerification(wire({ status: 10 }), base, ctx({ record: record({ failedAttempts: 5, finishedAt: CREATED + 3_000 }) }));
    expect([v.status, v.finishedAt]).toEqual(['failed', new Date(CREATED + 3_000)]);
    v = toVerification(wire({ status: 10 }), base, ctx({ record: record(), now: CREATED + 300_000 }));
    expect([v.status, v.finishedAt]).toEqual(['expired', new Date(CREATED + 300_000)]);
    expect(v.maxAttempts).toBe(5);
    expect(v.failedAttempts).toBe(0);
  });

  it('a verified or canceled record without finishedAt has none', () => {
    expect(toVerification(wire({}), base, ctx({ record: record({ state: 'verified' }) })).finishedAt).toBeUndefined();
    expect(toVerification(wire({}), base, ctx({ record: record({ state: 'canceled' }) })).finishedAt).toBeUndefined();
  });

  it('without a record: delivery and the adapter TTL decide', () => {
    expect(verificationStatus(wire({ status: 20 }), ctx())).toEqual({ status: 'failed', expiresAt: new Date(CREATED + 600_000) });
    expect(verificationStatus(wire({ status: 100 }), ctx())).toEqual({ status: 'failed', expiresAt: new Date(CREATED + 600_000) });
    expect(verificationStatus(wire({ status: 10 }), ctx({ now: CREATED + 599_999 }))).toEqual({ status: 'pending', expiresAt: new Date(CREATED + 600_000) });
    expect(verificationStatus(wire({ status: 10 }), ctx({ now: CREATED + 600_000 }))).toEqual({ status: 'expired', expiresAt: new Date(CREATED + 600_000) });
    const failed = toVerification(wire({ status: 20, updated_at: base.created_at + 60 }), base, ctx());
    expect(failed.finishedAt).toEqual(new Date((base.created_at + 60) * 1000));
    expect(toVerification(wire({ status: 20, updated_at: null }), base, ctx()).finishedAt).toBeUndefined();
    expect(failed.maxAttempts).toBeUndefined();
    expect(failed.failedAttempts).toBeUndefined();
  });
});

describe('costs, attempts and fields', () => {
  it('cost in cents, with its currency, EUR when LOX24 names none, null while not final', () => {
    expect(toVerification(wire({ cost: 120, currency: 'EUR' }), base, ctx()).cost).toEqual({ amount: '1.20', currency: 'EUR' });
    expect(toVerification(wire({ cost: 5, currency: null }), base, ctx()).cost).toEqual({ amount: '0.05', currency: 'EUR' });
    expect(toVerification(wire({ cost: 7, currency: undefined }), base, ctx()).cost).toEqual({ amount: '0.07', currency: 'EUR' });
    expect(toVerification(wire({ cost: 250, currency: 'CHF' }), base, ctx()).cost).toEqual({ amount: '2.50', currency: 'CHF' });
    expect(toVerification(wire({ cost: 0 }), base, ctx()).cost).toEqual({ amount: '0.00', currency: 'EUR' });
    expect(toVerification(wire({ cost: null }), base, ctx()).cost).toBeNull();
    expect(toVerification(wire({ cost: undefined }), base, ctx()).cost).toBeNull();
  });

  it('maps each documented delivery status, and warns of an undocumented one', () => {
    const c = ctx();
    const history = [0, 5, 10, 20, 100, 42].map((status, i) => ({ id: `h${i}`, channel: 'sms', status, processed_at: base.created_at + i, external_id: i === 0 ? null : `x${i}` }));
    const v = toVerification(wire({ history }), base, c);
    expect(v.attempts.map((a) => a.status)).toEqual(['queued', 'sending', 'delivered', 'failed', 'error', 'sending']);
    expect(v.attempts.map((a) => a.raw)).toEqual([0, 5, 10, 20, 100, 42]);
    expect(v.attempts[0]).toEqual({ channel: 'sms', status: 'queued', at: new Date(CREATED), messageId: undefined, raw: 0 });
    expect(v.attempts[1]!.messageId).toBe('x1');
    expect(c.warnings).toEqual(["LOX24 sent an undocumented status 42; treated as 'sending'"]);
    expect(toVerification(wire({ history: [{ id: 'h', channel: 'sms', status: 10, processed_at: null, external_id: null }] }), base, ctx()).attempts[0]!.at).toBeUndefined();
    expect(toVerification(wire({ history: undefined as never }), base, ctx()).attempts).toEqual([]);
  });

  it('the channel plan, with only the fields LOX24 returned', () => {
    const v = toVerification(wire({ routing_strategy: [{ channel: 'telegram', timeout_sec: 30, sender_id: null, template: null }, { channel: 'sms', timeout_sec: null, sender_id: 'LOX24', template: 'T {{code}}' }] }), base, ctx());
    expect(v.channels).toEqual([{ channel: 'telegram', timeoutSec: 30 }, { channel: 'sms', sender: 'LOX24', template: 'T {{code}}' }]);
    expect(toVerification(wire({ routing_strategy: undefined as never }), base, ctx()).channels).toEqual([]);
  });

  it('plain fields: id, phone, reference, delivered channel, times; raw without the code', () => {
    const v = toVerification(wire({ payload: null, delivered_channel: null, updated_at: null }), { ...base, code: '1234' }, ctx());
    expect(v).toMatchObject({ id: base.id, provider: 'lox24', to: '+491701234567', reference: undefined, deliveredChannel: undefined, country: undefined, updatedAt: undefined, createdAt: new Date(CREATED) });
    expect(v.raw).not.toHaveProperty('code');
    expect(toVerification(wire({}), base, ctx()).reference).toBe('yours payload here');
    expect(toVerification(wire({}), base, ctx()).updatedAt).toEqual(new Date(base.updated_at! * 1000));
    expect(withoutCode({ a: 1, code: 'x' })).toEqual({ a: 1 });
    expect(withoutCode({ a: 1 })).toEqual({ a: 1 });
    expect(withoutCode(null)).toBeNull();
    expect(withoutCode('text')).toBe('text');
  });
});

describe('request rules and body', () => {
  it('writes the decided language as LOX24 spells it', () => {
    expect(langOf('en')).toBe('EN');
    expect(langOf('uk')).toBe('UK');
  });

  it('names each broken rule of its own (the shell checks recipients, channels and ranges)', () => {
    const issues = lox24Issues({
      code: '123',
      codeLength: 6,
      reference: 'r'.repeat(129),
      channels: [
        { channel: 'whatsapp' },
        { channel: 'sms', timeoutSec: 30 },
        { channel: 'telegram', timeoutSec: 20, sender: 'X', template: 'a {{code}}' },
        { channel: 'voice', template: 'no placeholder' },
        { channel: 'voice', template: `${'x'.repeat(70)}{{code}}` },
      ],
    });
    expect(issues).toEqual([
      { field: 'codeLength', message: 'does not match the length of code' },
      { field: 'reference', message: 'must be at most 128 characters (LOX24 payload)' },
      { field: 'channels.1.channel', message: 'sms must be the last step (LOX24 rule)' },
      { field: 'channels.1.timeoutSec', message: 'applies to telegram only' },
      { field: 'channels.2.timeoutSec', message: 'must be 30 to 3600 seconds for telegram' },
      { field: 'channels.2.sender', message: 'applies to voice and sms only' },
      { field: 'channels.2.template', message: 'applies to voice and sms only' },
      { field: 'channels.3.template', message: 'must contain {{code}}' },
      { field: 'channels.4.channel', message: 'appears twice; LOX24 allows each channel once' },
      { field: 'channels.4.template', message: 'must be at most 70 characters' },
    ]);
  });

  it('accepts the edges of every rule', () => {
    expect(lox24Issues({ code: '1234', codeLength: 4, reference: 'r'.repeat(128), channels: [{ channel: 'telegram', timeoutSec: 30 }, { channel: 'voice', template: `${'x'.repeat(62)}{{code}}` }, { channel: 'sms' }] })).toEqual([]);
    expect(lox24Issues({ channels: [{ channel: 'telegram', timeoutSec: 3600 }] })).toEqual([]);
    // A channel LOX24 lacks is the shell's to name: none of LOX24's step rules applies to it.
    expect(lox24Issues({ channels: [{ channel: 'whatsapp', timeoutSec: 5, template: 'no code' }, { channel: 'email', template: 'x' }] })).toEqual([]);
    expect(lox24Issues({ channels: [{ channel: 'telegram', timeoutSec: 3601 }] })).toEqual([{ field: 'channels.0.timeoutSec', message: 'must be 30 to 3600 seconds for telegram' }]);
  });

  it('builds the body in the documented key order, leaving out what is unset, always with a lang', () => {
    expect(JSON.stringify(toCreateBody({ phone: '+491701234567', code: '1234', locale: 'de', reference: undefined, deleteCodeAfterSend: true, channels: [{ channel: 'sms' }] }))).toBe(
      '{"phone":"+491701234567","code":"1234","is_code_deleted":true,"lang":"DE","routing_strategy":[{"channel":"sms"}]}',
    );
    expect(JSON.stringify(toCreateBody({ phone: '+4917', code: '99', locale: 'en', reference: 'ref', deleteCodeAfterSend: false, channels: [{ channel: 'voice', timeoutSec: 5, sender: 'S', template: 'T' }] }))).toBe(
      '{"phone":"+4917","code":"99","is_code_deleted":false,"payload":"ref","lang":"EN","routing_strategy":[{"channel":"voice","timeout_sec":5,"sender_id":"S","template":"T"}]}',
    );
    const bare = toCreateBody({ phone: '+4917', code: '99', locale: 'pl', reference: undefined, deleteCodeAfterSend: true, channels: [{ channel: 'sms' }] });
    expect(Object.keys(bare)).toEqual(['phone', 'code', 'is_code_deleted', 'lang', 'routing_strategy']);
    expect(Object.keys(bare.routing_strategy[0]!)).toEqual(['channel']);
  });
});

describe('errors', () => {
  const failure = (status: number, body: unknown) => ({ status, body, headers: new Headers(), requestId: 'r1', operation: 'start' as const, sends: true });
  const redactor = new Redactor(['tok-secret-1']);

  it('takes the text from detail, hydra:description, message, title or hydra:title, in that order', () => {
    expect(toLox24Error(failure(400, { detail: 'd', 'hydra:description': 'h', message: 'm', title: 't' }), redactor, 'lox24').message).toBe('lox24 start: HTTP 400: d');
    expect(toLox24Error(failure(400, { 'hydra:description': 'h', message: 'm', title: 't' }), redactor, 'lox24').message).toBe('lox24 start: HTTP 400: h');
    expect(toLox24Error(failure(400, { message: 'm', title: 't' }), redactor, 'lox24').message).toBe('lox24 start: HTTP 400: m');
    expect(toLox24Error(failure(400, { title: 't', 'hydra:title': 'ht' }), redactor, 'lox24').message).toBe('lox24 start: HTTP 400: t');
    expect(toLox24Error(failure(400, { 'hydra:title': 'ht' }), redactor, 'lox24').message).toBe('lox24 start: HTTP 400: ht');
    expect(toLox24Error(failure(400, {}), redactor, 'lox24').message).toBe('lox24 start: HTTP 400');
    expect(toLox24Error(failure(502, 'plain tok-secret-1 text'), redactor, 'lox24').message).toBe('lox24 start: HTTP 502: plain [redacted] text');
    expect(toLox24Error(failure(502, 'x'.repeat(400)), redactor, 'lox24').message).toBe(`lox24 start: HTTP 502: ${'x'.repeat(300)}…`);
    expect(toLox24Error(failure(502, [1, 2]), redactor, 'lox24').message).toBe('lox24 start: HTTP 502');
  });

  it('violations become issues, scrubbed; a missing path or message stays visible', () => {
    const error = toLox24Error(failure(422, { violations: [{ propertyPath: 'phone', message: 'bad tok-secret-1' }, {}] }), redactor, 'lox24') as unknown as { issues: unknown; name: string; sent: string };
    expect(error.name).toBe('RejectedError');
    expect(error.issues).toEqual([{ field: 'phone', message: 'bad [redacted]' }, { field: '', message: 'invalid' }]);
    expect(error.sent).toBe('no');
    expect((toLox24Error(failure(422, { detail: 'no violations here' }), redactor, 'lox24') as unknown as { issues: unknown }).issues).toEqual([]);
  });

  it('429 is the IP block: never retryable; other statuses keep the usual retryability', () => {
    expect(toLox24Error(failure(429, { detail: 'blocked' }), redactor, 'lox24')).toMatchObject({ name: 'RateLimitError', retryable: false });
    expect(toLox24Error(failure(503, { detail: 'down' }), redactor, 'lox24')).toMatchObject({ name: 'ProviderUnavailableError', retryable: true, sent: 'maybe' });
    expect(toLox24Error(failure(402, { detail: 'funds' }), redactor, 'lox24')).toMatchObject({ name: 'InsufficientFundsError', requestId: 'r1' });
  });
});
