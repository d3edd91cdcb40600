/**
 * Secrets and codes never show up in messages, JSON, util.inspect or events; phone numbers
 * are masked in events.
 */
import nock from 'nock';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type VerifyEvent } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { eventLog, fastBackoff, fixture, rejectionOf } from '../helpers.js';
import { maskPhone } from '../../src/redact.js';
import { LOX24_BASE_URL } from '../../providers/lox24/config.js';

const TOKEN = '7654321:0123456789abcdef0123456789abcdef';
const API_KEY = '0123456789abcdef0123456789abcdef';
const SECRET = 'hmac-secret-never-shown-42';
const CODE = '98765432';
const PHONE = '+491701234567';
const createResponse = fixture('lox24/create-response.json');

function everyView(value: unknown): string[] {
  return [
    value instanceof Error ? value.message : '',
    JSON.stringify(value) ?? '',
    inspect(value, { depth: 20, showHidden: true, getters: true }),
    value instanceof Error && value.cause ? inspect(value.cause, { depth: 20, showHidden: true }) : '',
    String(value),
  ];
}

function expectClean(value: unknown, secrets: string[] = [TOKEN, API_KEY, SECRET, CODE]): void {
  for (const view of everyView(value)) for (const secret of secrets) expect(view).not.toContain(secret);
}

function provider(onEvent?: (event: VerifyEvent) => void) {
  return lox24({ token: TOKEN, secret: SECRET, backoff: fastBackoff, onEvent, deleteCodeAfterSend: false });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe('redaction', () => {
  it('the provider object shows no credentials', () => {
    expectClean(provider());
  });

  it('a verification whose vendor object carries the code shows no code', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').reply(201, { ...createResponse, code: CODE });
    const verification = await provider().start({ to: PHONE, code: CODE });
    expectClean(verification);
    expect(verification.raw).not.toHaveProperty('code');
  });

  it('vendor error texts echoing the token or the code are scrubbed, in the error and in events', async () => {
    const { events, onEvent } = eventLog();
    nock(LOX24_BASE_URL)
      .post('/verify_codes')
      .reply(422, {
        detail: `code: ${CODE} rejected for ${PHONE} with token ${TOKEN}`,
        violations: [{ propertyPath: 'code', message: `${CODE} is not allowed (key ${API_KEY})` }],
      });
    const error = await rejectionOf(provider(onEvent).start({ to: PHONE, code: CODE }));
    expect(error.message).toBe(`lox24 start: HTTP 422: code: [redacted] rejected for ${maskPhone(PHONE)} with token [redacted]`);
    expect(error.issues).toEqual([{ field: 'code', message: '[redacted] is not allowed (key [redacted])' }]);
    expectClean(error);
    const logged = JSON.stringify(events);
    for (const secret of [TOKEN, API_KEY, SECRET, CODE, PHONE]) expect(logged).not.toContain(secret);
    expect(logged).toContain(maskPhone(PHONE));
  });

  it('transport errors carry a sanitized cause without the request', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').delay(300).reply(201, createResponse);
    const error = await rejectionOf(lox24({ token: TOKEN, secret: SECRET, timeoutMs: 20 }).start({ to: PHONE, code: CODE }));
    expect(error.cause).toBeInstanceOf(Error);
    expect(Object.keys(error.cause)).not.toContain('request');
    expectClean(error);
  });

  it('validation errors never echo the rejected value', async () => {
    const error = await rejectionOf(provider().start({ to: '+49 170 1234567', code: '12' }));
    expect(error.message).toBe(
      'Invalid start request: to: must be an E.164 phone number such as +491701234567',
    );
    const lox = await rejectionOf(provider().start({ to: PHONE, code: 'abc' }));
    expectClean(lox, ['abc']);
  });

  it('invalid options never echo the token', () => {
    let error: unknown;
    try {
      lox24({ token: TOKEN, secret: 'short', baseUrl: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe('Invalid LOX24 options: secret: must be at least 16 characters; baseUrl: must be an absolute URL');
    expectClean(error, [TOKEN, 'short']);
  });

  it('events carry no credential and the code never appears in them', async () => {
    const { events, onEvent } = eventLog();
    nock(LOX24_BASE_URL).post('/verify_codes').reply(201, createResponse).get(`/verify_codes/${createResponse.id}`).reply(200, createResponse);
    const verify = provider(onEvent);
    await verify.start({ to: PHONE, code: CODE });
    await verify.get(createResponse.id);
    expect(events.map((e) => e.type)).toEqual(['request', 'response', 'request', 'response']);
    expect(events[1]).toMatchObject({ type: 'response', status: 201, path: '/verify_codes', operation: 'start' });
    expectClean(events);
  });
});
