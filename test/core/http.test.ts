/**
 * The HTTP layer through an adapter, with nock: which failures prove nothing was sent, the
 * retry schedule, Retry-After, the status mapping, and the events of each attempt.
 */
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  AuthenticationError,
  ConnectionError,
  InsufficientFundsError,
  InvalidResponseError,
  NotFoundError,
  PermissionError,
  ProviderUnavailableError,
  RateLimitError,
  RejectedError,
  TimeoutError,
} from '../../providers/index.js';
import { errorForStatus, parseRetryAfter, type HttpFailure } from '../../src/http/index.js';
import { lox24, type Lox24Options } from '../../providers/lox24/index.js';
import { messagebird } from '../../providers/messagebird/index.js';
import { eventLog, fastBackoff, fixture, rejectionOf, useNock } from '../helpers.js';
import { LOX24_BASE_URL } from '../../providers/lox24/config.js';
import { MESSAGEBIRD_BASE_URL } from '../../providers/messagebird/config.js';

const TOKEN = '1234567:e3f3a759b6677959b6ebfcxxxxxxxxxx';
const createResponse = fixture('lox24/create-response.json');
const ID = createResponse.id as string;
const TO = '+491701234567';

function provider(options: Partial<Lox24Options> = {}) {
  return lox24({ token: TOKEN, secret: 'http-test-secret-0123', backoff: fastBackoff, ...options });
}

useNock();
afterEach(() => vi.restoreAllMocks());

/** A network error as undici reports it: the code on the error, or on its cause. */
const networkError = (code: string, onCause = false) =>
  onCause ? Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) }) : Object.assign(new Error(`${code} happened`), { code });

const NOT_SENT = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
];
const MAYBE_SENT = ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT'];

describe('sent: which network failures prove nothing was sent', () => {
  for (const code of NOT_SENT) {
    for (const onCause of [false, true]) {
      it(`${code}${onCause ? ' (on the cause)' : ''}: sent no, and a create is retried`, async () => {
        nock(LOX24_BASE_URL).post('/verify_codes').replyWithError(networkError(code, onCause)).post('/verify_codes').replyWithError(networkError(code, onCause));
        const error = await rejectionOf(provider({ retries: 1 }).start({ to: TO }));
        expect(error).toBeInstanceOf(ConnectionError);
        expect(error).toMatchObject({ sent: 'no', retryable: true, operation: 'start', provider: 'lox24' });
        expect(error.message).toBe(`lox24 start: connection failed (${code}); nothing was sent`);
      });
    }
  }

  for (const code of MAYBE_SENT) {
    it(`${code}: sent maybe, and a create is never retried`, async () => {
      nock(LOX24_BASE_URL).post('/verify_codes').once().replyWithError(networkError(code));
      const error = await rejectionOf(provider({ retries: 3 }).start({ to: TO }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ sent: 'maybe', retryable: true });
      expect(error.message).toBe(`lox24 start: connection failed (${code}); the message may have been sent`);
    });
  }

  it('a failure without a code: sent maybe, and the message says no code', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').once().replyWithError(new Error('something odd'));
    const error = await rejectionOf(provider({ retries: 3 }).start({ to: TO }));
    expect(error).toMatchObject({ sent: 'maybe' });
    expect(error.message).toBe('lox24 start: connection failed; the message may have been sent');
  });

  it('a read whose connection was reset is retried, and its message says nothing of sending', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).replyWithError(networkError('ECONNRESET')).get(`/verify_codes/${ID}`).replyWithError(networkError('ECONNRESET'));
    const error = await rejectionOf(provider({ retries: 1 }).get(ID));
    expect(error).toMatchObject({ sent: 'no', retryable: true });
    expect(error.message).toBe('lox24 get: connection failed (ECONNRESET)');
  });

  it('a timeout: sent maybe on a create, no on a read; the message names the limit', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').once().delay(300).reply(201, createResponse);
    const start = await rejectionOf(provider({ timeoutMs: 30, retries: 0 }).start({ to: TO }));
    expect(start).toBeInstanceOf(TimeoutError);
    expect(start).toMatchObject({ sent: 'maybe', retryable: true });
    expect(start.message).toBe('lox24 start: no response within 30 ms; the message may have been sent');
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).once().delay(300).reply(200, createResponse);
    const get = await rejectionOf(provider({ retries: 0 }).get(ID, { timeoutMs: 25 }));
    expect(get).toMatchObject({ sent: 'no', name: 'TimeoutError' });
    expect(get.message).toBe('lox24 get: no response within 25 ms');
  });

  it('an already aborted signal: AbortedError, sent no, and no request at all', async () => {
    const scope = nock(LOX24_BASE_URL).post('/verify_codes').reply(201, createResponse);
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(provider().start({ to: TO }, { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(error).toMatchObject({ sent: 'no', retryable: false });
    expect(error.message).toBe('lox24 start: aborted by the caller; nothing was sent');
    expect(scope.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('a signal aborted while a create is in flight: AbortedError, sent maybe', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').delay(500).reply(201, createResponse);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await rejectionOf(provider().start({ to: TO }, { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.sent).toBe('maybe');
    expect(error.message).toBe('lox24 start: aborted by the caller; the message may have been sent');
  });

  it('a signal aborted during the backoff between retries: AbortedError, sent no', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(503, 'down');
    const controller = new AbortController();
    // A backoff longer than the test's time limit: only the abort can end it.
    const call = provider({ backoff: { baseMs: 60_000, maxMs: 60_000 } }).get(ID, { signal: controller.signal });
    vi.spyOn(Math, 'random').mockReturnValue(1);
    setTimeout(() => controller.abort(), 50);
    const error = await rejectionOf(call);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.sent).toBe('no');
  });
});

describe('an abort while a retried send is out', () => {
  it('is sent maybe: the retry may have reached the vendor', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').replyWithError(networkError('ECONNREFUSED')).post('/verify_codes').delay(1_000).reply(201, createResponse);
    const controller = new AbortController();
    const { events, onEvent } = eventLog();
    const call = provider({ retries: 2, onEvent }).start({ to: TO }, { signal: controller.signal });
    const abortOnSecondRequest = setInterval(() => {
      if (events.filter((e) => e.type === 'request').length === 2) controller.abort();
    }, 5);
    const error = await rejectionOf(call);
    clearInterval(abortOnSecondRequest);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.sent).toBe('maybe');
    nock.abortPendingRequests();
  });

  it('an abort just as a retried send succeeded keeps its answer: the verification exists and is returned', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').replyWithError(networkError('ECONNREFUSED')).post('/verify_codes').reply(201, createResponse);
    const controller = new AbortController();
    const verify = provider({ retries: 2, onEvent: (e) => e.type === 'response' && e.attempt === 2 && controller.abort() });
    const v = await verify.start({ to: TO }, { signal: controller.signal });
    expect(v.id).toBe(ID);
  });
});

describe('retries', () => {
  it('the adapter option sets how many times a read is retried; a call option overrides it', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).times(2).reply(503, 'down');
    expect(await rejectionOf(provider({ retries: 1 }).get(ID))).toBeInstanceOf(ProviderUnavailableError);
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).once().reply(503, 'down');
    expect(await rejectionOf(provider({ retries: 5 }).get(ID, { retries: 0 }))).toBeInstanceOf(ProviderUnavailableError);
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).times(3).reply(503, 'down');
    expect(await rejectionOf(provider().get(ID))).toBeInstanceOf(ProviderUnavailableError); // default: 2 retries
  });

  it('backs off exponentially with full jitter, up to maxMs', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).times(5).reply(503, 'down');
    const { events, onEvent } = eventLog();
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    await rejectionOf(provider({ retries: 4, backoff: { baseMs: 4, maxMs: 10 }, onEvent }).get(ID));
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { delayMs: number }).delayMs)).toEqual([4, 8, 10, 10]);
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).times(3).reply(503, 'down');
    const half = eventLog();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    await rejectionOf(provider({ retries: 2, backoff: { baseMs: 4, maxMs: 10 }, onEvent: half.onEvent }).get(ID));
    expect(half.events.filter((e) => e.type === 'retry').map((e) => (e as { delayMs: number }).delayMs)).toEqual([2, 4]);
  });

  it('default backoff: 250 ms base, 5 s cap', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).times(2).reply(503, 'down');
    const { events, onEvent } = eventLog();
    vi.spyOn(Math, 'random').mockReturnValue(0.01);
    await rejectionOf(lox24({ token: TOKEN, secret: 'http-test-secret-0123', retries: 1, onEvent }).get(ID));
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { delayMs: number }).delayMs)).toEqual([3]);
  });

  it('waits what Retry-After says (seconds), within the cap, and reports every attempt', async () => {
    nock(LOX24_BASE_URL)
      .get(`/verify_codes/${ID}`)
      .reply(503, 'down', { 'Retry-After': '0.02' })
      .get(`/verify_codes/${ID}`)
      .reply(200, createResponse, { 'X-LOX24-REQUEST-ID': 'req-2' });
    const { events, onEvent } = eventLog();
    expect((await provider({ onEvent }).get(ID)).id).toBe(ID);
    expect(events.map((e) => e.type)).toEqual(['request', 'response', 'retry', 'request', 'response']);
    expect(events[0]).toEqual({ type: 'request', provider: 'lox24', operation: 'get', method: 'GET', path: `/verify_codes/${ID}`, attempt: 1 });
    expect(events[1]).toMatchObject({ type: 'response', provider: 'lox24', operation: 'get', method: 'GET', path: `/verify_codes/${ID}`, attempt: 1, status: 503, requestId: undefined });
    expect(events[2]).toEqual({ type: 'retry', provider: 'lox24', operation: 'get', attempt: 1, delayMs: 20, error: { name: 'ProviderUnavailableError', message: 'lox24 get: HTTP 503: down' } });
    expect(events[3]).toMatchObject({ type: 'request', attempt: 2 });
    expect(events[4]).toMatchObject({ type: 'response', attempt: 2, status: 200, requestId: 'req-2' });
    const duration = (events[4] as { durationMs: number }).durationMs;
    expect(duration).toBeGreaterThanOrEqual(0);
    expect(duration).toBeLessThan(10_000);
  });

  it('a Retry-After exactly at maxRetryAfterMs is still waited for', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(503, 'down', { 'Retry-After': '0.01' }).get(`/verify_codes/${ID}`).reply(200, createResponse);
    expect((await provider({ backoff: { maxRetryAfterMs: 10 } }).get(ID)).id).toBe(ID);
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).once().reply(503, 'down', { 'Retry-After': '0.011' });
    expect(await rejectionOf(provider({ backoff: { maxRetryAfterMs: 10 } }).get(ID))).toBeInstanceOf(ProviderUnavailableError);
  });

  it('a Retry-After beyond maxRetryAfterMs fails at once, with one error event', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).once().reply(503, 'down', { 'Retry-After': '3' });
    const { events, onEvent } = eventLog();
    const error = await rejectionOf(provider({ retries: 3, onEvent }).get(ID));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(events.map((e) => e.type)).toEqual(['request', 'response', 'error']);
    expect(events[2]).toEqual({
      type: 'error',
      provider: 'lox24',
      operation: 'get',
      error: { name: 'ProviderUnavailableError', code: 'provider_unavailable', message: 'lox24 get: HTTP 503: down', sent: 'no' },
    });
  });

  it('a Retry-After on the second failure is honoured too', async () => {
    nock(LOX24_BASE_URL)
      .get(`/verify_codes/${ID}`)
      .reply(503, 'down')
      .get(`/verify_codes/${ID}`)
      .reply(503, 'down', { 'Retry-After': '0.01' })
      .get(`/verify_codes/${ID}`)
      .reply(200, createResponse);
    const { events, onEvent } = eventLog();
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    await provider({ onEvent, retries: 2, backoff: { baseMs: 3, maxMs: 3 } }).get(ID);
    expect(events.filter((e) => e.type === 'retry').map((e) => [(e as { attempt: number }).attempt, (e as { delayMs: number }).delayMs])).toEqual([
      [1, 3],
      [2, 10],
    ]);
  });

  it('a create refused with 408 reached nobody: it is retried', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').reply(408, 'timeout').post('/verify_codes').reply(201, createResponse);
    expect((await provider().start({ to: TO })).id).toBe(ID);
  });

  it('a create answered 5xx is not retried; a 4xx is not retried either', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').once().reply(502, 'bad gateway');
    expect(await rejectionOf(provider({ retries: 3 }).start({ to: TO }))).toMatchObject({ sent: 'maybe', status: 502 });
    nock(LOX24_BASE_URL).post('/verify_codes').once().reply(400, { detail: 'bad' });
    expect(await rejectionOf(provider({ retries: 3 }).start({ to: TO }))).toMatchObject({ name: 'RejectedError', sent: 'no', retryable: false });
  });

  it('a read answered 429 by a vendor that allows retrying is retried after Retry-After', async () => {
    const ws = '6b0f5f1c-6c2d-4c53-9a3b-0a1b2c3d4e5f';
    const verify = messagebird({ accessKey: 'bird-access-key-123', workspaceId: ws, channels: { sms: { navigatorId: ws } }, backoff: fastBackoff });
    const body = { id: ws, status: 'pending', steps: [], createdAt: '2026-01-01T00:00:00Z' };
    nock(MESSAGEBIRD_BASE_URL).get(`/workspaces/${ws}/verify/${ws}`).reply(429, { message: 'slow down' }, { 'Retry-After': '0' }).get(`/workspaces/${ws}/verify/${ws}`).reply(200, body);
    expect((await verify.get(ws)).id).toBe(ws);
    nock(MESSAGEBIRD_BASE_URL).get(`/workspaces/${ws}/verify/${ws}`).times(2).reply(429, { message: 'slow down' }, { 'Retry-After': '1' });
    const error = await rejectionOf(verify.get(ws, { retries: 1 }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 1000, retryable: true, status: 429 });
  });
});

describe('2xx answers that are not what was asked', () => {
  it('an empty body is an InvalidResponseError: sent no on a read, maybe on a create', async () => {
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(200, '');
    expect(await rejectionOf(provider().get(ID))).toMatchObject({
      name: 'InvalidResponseError',
      sent: 'no',
      operation: 'get',
      message: "lox24 get: the verify code in the response does not fit LOX24's documented format (the answer itself)",
    });
    nock(LOX24_BASE_URL).post('/verify_codes').reply(201, '');
    expect(await rejectionOf(provider().start({ to: TO }))).toMatchObject({ name: 'InvalidResponseError', sent: 'maybe', operation: 'start' });
  });

  it('a body that is not JSON is an InvalidResponseError naming the status', async () => {
    nock(LOX24_BASE_URL).post('/verify_codes').reply(201, '<html>ok</html>', { 'X-LOX24-REQUEST-ID': 'abc' });
    const error = await rejectionOf(provider().start({ to: TO }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ sent: 'maybe', status: 201, requestId: 'abc', retryable: false });
    expect(error.message).toBe('lox24 start: the response is not JSON (HTTP 201)');
    nock(LOX24_BASE_URL).get(`/verify_codes/${ID}`).reply(200, 'nope');
    expect(await rejectionOf(provider().get(ID))).toMatchObject({ sent: 'no', message: 'lox24 get: the response is not JSON (HTTP 200)' });
  });
});

describe('errorForStatus', () => {
  const failure = (status: number, sends = false, headers: Record<string, string> = {}): HttpFailure => ({
    status,
    body: undefined,
    headers: new Headers(headers),
    requestId: 'rid',
    operation: sends ? 'start' : 'get',
    sends,
  });
  const cases: [number, string, boolean][] = [
    [400, 'RejectedError', false],
    [401, 'AuthenticationError', false],
    [402, 'InsufficientFundsError', false],
    [403, 'PermissionError', false],
    [404, 'NotFoundError', false],
    [408, 'RejectedError', true],
    [409, 'RejectedError', false],
    [422, 'RejectedError', false],
    [429, 'RateLimitError', true],
    [499, 'RejectedError', false],
    [500, 'ProviderUnavailableError', true],
    [503, 'ProviderUnavailableError', true],
  ];
  for (const [status, name, retryable] of cases) {
    it(`HTTP ${status} is ${name}, retryable ${retryable}`, () => {
      const error = errorForStatus(failure(status), 'v', { message: 'text' });
      expect(error.name).toBe(name);
      expect(error).toMatchObject({ status, retryable, sent: 'no', requestId: 'rid', provider: 'v', operation: 'get' });
      expect(error.message).toBe(`v get: HTTP ${status}: text`);
    });
  }

  it('a 5xx of a sending call may have sent; a 4xx of one did not', () => {
    expect(errorForStatus(failure(500, true), 'v', { message: '' })).toMatchObject({ sent: 'maybe', message: 'v start: HTTP 500' });
    expect(errorForStatus(failure(422, true), 'v', { message: '' }).sent).toBe('no');
  });

  it('keeps the issues of a refusal and the Retry-After of a rate limit, and lets the vendor set retryable', () => {
    const issues = [{ field: 'phone', message: 'bad' }];
    const rejected = errorForStatus(failure(422), 'v', { message: 'm', issues });
    expect(rejected).toBeInstanceOf(RejectedError);
    expect((rejected as RejectedError).issues).toEqual(issues);
    expect((errorForStatus(failure(400), 'v', { message: 'm' }) as RejectedError).issues).toEqual([]);
    const limited = errorForStatus(failure(429, false, { 'retry-after': '7' }), 'v', { message: 'm' });
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(7000);
    expect(errorForStatus(failure(429), 'v', { message: 'm', retryable: false }).retryable).toBe(false);
    expect(errorForStatus(failure(503), 'v', { message: 'm', retryable: false }).retryable).toBe(false);
    for (const [klass, status] of [
      [AuthenticationError, 401],
      [InsufficientFundsError, 402],
      [PermissionError, 403],
      [NotFoundError, 404],
      [ProviderUnavailableError, 502],
    ] as const) {
      expect(errorForStatus(failure(status), 'v', { message: 'm' })).toBeInstanceOf(klass);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, fractions and HTTP dates; negatives and past dates are 0', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('-3')).toBe(0);
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-01T10:00:00Z'));
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:05 GMT')).toBe(5_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT')).toBe(0);
  });

  it('is undefined for nothing or nonsense', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('   ')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('calls that are not idempotent (a check counts a try)', () => {
  const ws = '6b0f5f1c-6c2d-4c53-9a3b-0a1b2c3d4e5f';
  const bird = () => messagebird({ accessKey: 'bird-access-key-123', workspaceId: ws, channels: { sms: { navigatorId: ws } }, backoff: fastBackoff, retries: 3 });
  const verified = { id: ws, status: 'verified', steps: [], createdAt: '2026-01-01T00:00:00Z' };

  it('are retried when the vendor provably never got them', async () => {
    nock(MESSAGEBIRD_BASE_URL).post(`/workspaces/${ws}/verify/${ws}`).replyWithError(networkError('ECONNREFUSED')).post(`/workspaces/${ws}/verify/${ws}`).reply(200, verified);
    expect((await bird().check(ws, '123456')).verified).toBe(true);
  });

  it('are not retried after a 5xx or a reset: the try may have been counted', async () => {
    nock(MESSAGEBIRD_BASE_URL).post(`/workspaces/${ws}/verify/${ws}`).once().reply(503, { message: 'down' });
    expect(await rejectionOf(bird().check(ws, '123456'))).toMatchObject({ name: 'ProviderUnavailableError', sent: 'no', status: 503 });
    nock(MESSAGEBIRD_BASE_URL).post(`/workspaces/${ws}/verify/${ws}`).once().replyWithError(networkError('ECONNRESET'));
    expect(await rejectionOf(bird().check(ws, '123456'))).toMatchObject({ name: 'ConnectionError', sent: 'no' });
  });
});

describe('events of a list request', () => {
  it('carry the path with its query', async () => {
    nock(LOX24_BASE_URL).get('/verify_codes').query({ page: '1', '_order[created_at]': 'desc' }).reply(200, []);
    const { events, onEvent } = eventLog();
    for await (const _ of provider({ onEvent }).list()) void _;
    expect(events[0]).toEqual({ type: 'request', provider: 'lox24', operation: 'list', method: 'GET', path: '/verify_codes?page=1&_order%5Bcreated_at%5D=desc', attempt: 1 });
  });
});
