/**
 * LOX24 over real loopback HTTP against the simulator: faults, retries, "sent or not
 * sent", the IP block, funds, delivery progress and costs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  ConnectionError,
  InsufficientFundsError,
  MemoryCodeStore,
  ProviderUnavailableError,
  RateLimitError,
  AuthenticationError,
  TimeoutError,
} from '../../../providers/index.js';
import { lox24, type Lox24Options } from '../../../providers/lox24/index.js';
import { startSimulator } from '../../../testing/index.js';

import { eventLog, fastBackoff, rejectionOf } from '../../helpers.js';
import type { Lox24Simulator } from '../../../providers/lox24/simulator.js';
import type { Lox24SimulatorOptions } from '../../../providers/lox24/simulator.js';

const TO = '+491701234567';
let sim: Lox24Simulator;

async function setup(simOptions: Lox24SimulatorOptions = {}) {
  sim = await startSimulator('lox24', simOptions);
}
function provider(options: Partial<Lox24Options> = {}) {
  return lox24({ token: sim.token, secret: 'reliability-secret-1', baseUrl: sim.url, backoff: fastBackoff, now: () => sim.now(), ...options });
}

afterEach(async () => {
  await sim?.close();
});

describe('sent or not sent', () => {
  beforeEach(() => setup());

  it('connection refused: sent no, retried, every attempt reported', async () => {
    const closed = await startSimulator('lox24');
    const url = closed.url;
    await closed.close();
    const { events, onEvent } = eventLog();
    const error = await rejectionOf(lox24({ token: 't', secret: 'reliability-secret-1', baseUrl: url, backoff: fastBackoff, retries: 2, onEvent }).start({ to: TO }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ sent: 'no', retryable: true });
    expect(error.message).toBe('lox24 start: connection failed (ECONNREFUSED); nothing was sent');
    expect(events.filter((e) => e.type === 'request')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
  });

  it('connection dropped after LOX24 processed the create: sent maybe, never sent twice', async () => {
    sim.fault({ method: 'POST', path: '/verify_codes', drop: 'after' });
    const store = new MemoryCodeStore({ now: () => sim.now() });
    const error = await rejectionOf(provider({ retries: 3, codeStore: store }).start({ to: TO }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.sent).toBe('maybe');
    expect(sim.requestCount).toBe(1);
    expect(sim.verifyCodes()).toHaveLength(1);
    expect(store.size).toBe(0);
  });

  it('a port fetch refuses by itself ("bad port"): sent no, nothing left the machine', async () => {
    const error = await rejectionOf(lox24({ token: 't', secret: 'reliability-secret-1', baseUrl: 'http://127.0.0.1:6000', retries: 0 }).start({ to: TO }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ sent: 'no', retryable: true });
    expect(error.message).toBe('lox24 start: connection failed; nothing was sent');
  });

  it('a create answered too late times out once with sent maybe', async () => {
    sim.fault({ method: 'POST', path: '/verify_codes', delayMs: 400 });
    const error = await rejectionOf(provider({ retries: 3, timeoutMs: 100 }).start({ to: TO }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.sent).toBe('maybe');
    expect(sim.requestCount).toBe(1);
  });

  it('a read whose connection dropped is retried and succeeds', async () => {
    const verify = provider();
    const v = await verify.start({ to: TO });
    sim.fault({ method: 'GET', drop: 'before' });
    expect((await verify.get(v.id)).id).toBe(v.id);
    expect(sim.requestCount).toBe(3);
  });

  it('honours Retry-After on a read', async () => {
    const verify = provider({ onEvent: (e) => e.type === 'retry' && delays.push(e.delayMs) });
    const delays: number[] = [];
    const v = await verify.start({ to: TO });
    sim.fault({ method: 'GET', status: 503, body: { detail: 'maintenance' }, headers: { 'Retry-After': '1' } });
    expect((await verify.get(v.id)).id).toBe(v.id);
    expect(delays).toEqual([1000]);
  });

  it('fails at once when Retry-After is beyond the cap', async () => {
    const verify = provider();
    const v = await verify.start({ to: TO });
    sim.fault({ method: 'GET', status: 503, body: { detail: 'maintenance' }, headers: { 'Retry-After': '3600' } });
    const error = await rejectionOf(verify.get(v.id));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(sim.requestCount).toBe(2);
  });

  it('an AbortSignal ends the call', async () => {
    sim.fault({ method: 'GET', delayMs: 2000 });
    const controller = new AbortController();
    const pending = provider().get('00000000-0000-4000-8000-000000000000', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await rejectionOf(pending);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.sent).toBe('no');
  });
});

describe('LOX24 account rules', () => {
  it('blocks the IP with 429 after more than 3 bad credentials in a minute, and never retries it', async () => {
    await setup();
    const bad = provider({ token: 'wrong-token-value', retries: 0 });
    for (let i = 0; i < 4; i++) expect(await rejectionOf(bad.get('00000000-0000-4000-8000-000000000000'))).toBeInstanceOf(AuthenticationError);
    const before = sim.requestCount;
    const error = await rejectionOf(provider({ retries: 3 }).start({ to: TO }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ sent: 'no', retryable: false, status: 429 });
    expect(sim.requestCount).toBe(before + 1);
    sim.advance(600_000);
    expect((await provider().start({ to: TO })).status).toBe('pending');
  });

  it('refuses a create without funds, and keeps no code', async () => {
    await setup({ balanceCents: 0 });
    const store = new MemoryCodeStore({ now: () => sim.now() });
    const error = await rejectionOf(provider({ codeStore: store }).start({ to: TO }));
    expect(error).toBeInstanceOf(InsufficientFundsError);
    expect(error.message).toBe('lox24 start: HTTP 402: There are not enough funds on your account!');
    expect(store.size).toBe(0);
  });

  it('refuses a sender id the account may not use, naming the field', async () => {
    await setup({ senderIds: ['LOX24'] });
    const error = await rejectionOf(provider().start({ to: TO, channels: [{ channel: 'sms', sender: 'Other' }] }));
    expect(error.status).toBe(422);
    expect(error.issues).toEqual([{ field: 'routing_strategy[0].sender_id', message: 'This sender ID is not allowed for your account.' }]);
  });
});

describe('delivery along the routing strategy', () => {
  it('falls back step by step, sets the cost when processing ends, and reports each attempt', async () => {
    await setup({ stepSeconds: 30, outcomes: { telegram: 'failed', voice: 'error' }, prices: { telegram: 5, voice: 20, sms: 95 } });
    const verify = provider();
    const v = await verify.start({ to: TO, channels: [{ channel: 'telegram' }, { channel: 'voice' }, { channel: 'sms' }] });
    expect(v.attempts).toEqual([]);
    expect(v.cost).toBeNull();

    sim.advance(30_000);
    let now = await verify.get(v.id);
    expect(now.attempts.map((a) => [a.channel, a.status])).toEqual([['telegram', 'failed']]);
    expect(now.cost).toBeNull();
    expect(now.status).toBe('pending');

    sim.advance(60_000);
    now = await verify.get(v.id);
    expect(now.attempts.map((a) => [a.channel, a.status])).toEqual([
      ['telegram', 'failed'],
      ['voice', 'error'],
      ['sms', 'delivered'],
    ]);
    expect(now.deliveredChannel).toBe('sms');
    expect(now.cost).toEqual({ amount: '1.20', currency: 'EUR' });
    expect(sim.inbox.messages(TO).map((m) => m.text)).toEqual([`Ihr Code lautet: ${sim.lastCode(TO)}`]);
  });

  it('is failed when every step failed', async () => {
    await setup({ outcomes: { sms: 'failed' } });
    const verify = provider();
    const v = await verify.start({ to: TO });
    sim.lastCode(TO);
    expect((await verify.get(v.id)).status).toBe('failed');
  });
});

describe('a body cut off mid-way', () => {
  it('is a ConnectionError: a read is retried, a create says sent maybe', async () => {
    const { createServer } = await import('node:http');
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"d7ad7539');
      setTimeout(() => res.destroy(), 10);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    sim = await startSimulator('lox24'); // for afterEach
    const verify = lox24({ token: 't', secret: 'reliability-secret-1', baseUrl: url, backoff: fastBackoff, retries: 1 });
    const read = await rejectionOf(verify.get('00000000-0000-4000-8000-000000000000'));
    expect(read).toBeInstanceOf(ConnectionError);
    expect(read.sent).toBe('no');
    expect(requests).toBe(2);
    const send = await rejectionOf(verify.start({ to: TO }));
    expect(send).toBeInstanceOf(ConnectionError);
    expect(send.sent).toBe('maybe');
    expect(requests).toBe(3);
    await new Promise((resolve) => server.close(resolve));
  });
});
