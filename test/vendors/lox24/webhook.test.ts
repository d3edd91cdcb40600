/**
 * LOX24's webhooks: every documented event normalized exactly, both spellings of the attempts
 * field, the endpoint's answers (auth, dedupe, retries after a failing callback, a delivery
 * while the first is running, bad bodies, unknown events, the size cap), Redis-shared dedupe
 * across two instances, the simulator's own deliveries with its retries, and no code anywhere.
 */
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookBodyError, isVerifyError, type VerifyEvent, type WebhookEvent } from '../../../providers/index.js';
import { lox24, lox24Webhook } from '../../../providers/lox24/index.js';
import { startSimulator } from '../../../testing/index.js';
import { fixture } from '../../helpers.js';
import { startRedisServer, type RedisServer } from '../../redis-server.js';
import { redisSeen } from '../../../redis/index.js';
import { toLox24Event } from '../../../providers/lox24/webhook.js';

const TOKEN = 'lox24-webhook-token-0123456789';
const success = fixture('lox24/webhook-verify_code.success.json');
const sent = fixture('lox24/webhook-verify_code.channel.sent.json');
/** A documented event with a distinctive code, to search for. */
const withCode = (event: Record<string, any>, code = '918273') => ({ ...event, data: { ...event.data, code } });
const request = (body: unknown, token: string | null = TOKEN, init: RequestInit = {}) =>
  new Request(`https://backend.example/webhooks/lox24${token === null ? '' : `?token=${token}`}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

const VERIFICATION = {
  id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  provider: 'lox24',
  to: '+4915112345678',
  channels: [
    { channel: 'telegram', timeoutSec: 30, sender: 'LOX24' },
    { channel: 'sms', timeoutSec: 60, sender: 'LOX24' },
  ],
  cost: { amount: '0.05', currency: 'EUR' },
  reference: 'session_abc123',
  country: undefined,
  createdAt: new Date(1735689540_000),
  maxAttempts: undefined,
  failedAttempts: undefined,
};

describe('every documented event, normalized', () => {
  it('verify_code.success (the documented example)', () => {
    const event = toLox24Event(success) as WebhookEvent;
    const { code: _code, ...data } = success.data;
    expect(event).toEqual({
      id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
      provider: 'lox24',
      verificationId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      type: 'delivered',
      vendorEvent: 'verify_code.success',
      channel: 'telegram',
      deliveryStatus: 'delivered',
      cost: { amount: '0.05', currency: 'EUR' },
      error: undefined,
      occurredAt: new Date(1735689600_000),
      attempt: { number: 1, total: 3 },
      verification: {
        ...VERIFICATION,
        status: 'expired', // long past its 600 s, and no code record here
        attempts: [{ channel: 'telegram', status: 'delivered', at: new Date(1735689570_000), messageId: 'tg_msg_001', raw: 10 }],
        deliveredChannel: 'telegram',
        updatedAt: new Date(1735689600_000),
        expiresAt: new Date(1735690140_000),
        finishedAt: new Date(1735690140_000),
        raw: data,
      },
      raw: { id: success.id, api_version: '2022-05-25', name: 'verify_code.success', created_at: 1735689600, attempt_total: 3, attempt_number: 1, data },
    });
  });

  it('verify_code.channel.sent (the documented example): the channel, its status and its own cost', () => {
    const event = toLox24Event(sent) as WebhookEvent;
    expect(event).toMatchObject({ type: 'channel.sent', channel: 'telegram', deliveryStatus: 'sending', cost: { amount: '0.05', currency: 'EUR' }, error: undefined, attempt: { number: 1, total: 3 } });
    expect(event.verification).toMatchObject({ status: 'expired', deliveredChannel: undefined });
  });

  it.each([
    ['verify_code.failed', 'failed', { status: 20, delivered_channel: null }, undefined, 'failed'],
    ['verify_code.channel.updated', 'updated', { status: 5 }, undefined, 'sending'],
    ['verify_code.channel.success', 'channel.delivered', {}, { channel: 'sms', status: 10, cost: 9, error: null }, 'delivered'],
    ['verify_code.channel.failed', 'channel.failed', {}, { channel: 'telegram', status: 20, cost: 5, error: 'Telegram user 918273 not reachable' }, 'failed'],
  ] as const)('%s → %s', (name, type, change, channel, status) => {
    const body = withCode({ ...success, name, data: { ...success.data, ...change, ...(channel && { channel: { id: 'x', processed_at: 1735689590, external_id: null, ...channel } }) } });
    const event = toLox24Event(body) as WebhookEvent;
    expect(event.type).toBe(type);
    expect(event.deliveryStatus).toBe(status);
    if (channel) expect(event.channel).toBe(channel.channel);
    if (name === 'verify_code.channel.failed') expect(event.error).toBe('Telegram user [redacted] not reachable');
    if (name === 'verify_code.failed') expect(event.verification.status).toBe('failed');
    expect(`${JSON.stringify(event)}${inspect(event, { depth: Infinity })}`).not.toContain('918273');
  });

  it('reads attempts_total too (LOX24 spells it both ways), and routable ids with member', () => {
    const { attempt_total: _t, ...rest } = success;
    expect((toLox24Event({ ...rest, attempts_total: 4, attempt_number: 2 }) as WebhookEvent).attempt).toEqual({ number: 2, total: 4 });
    const routed = toLox24Event(success, { provider: 'lox24', routable: true }) as WebhookEvent;
    expect(routed.verificationId).toBe('lox24:a1b2c3d4-e5f6-7890-abcd-ef1234567890');
    expect(routed.verification.id).toBe('lox24:a1b2c3d4-e5f6-7890-abcd-ef1234567890');
  });

  it('ignores events of no interest, and names the broken field of a body that is not an event', () => {
    expect(toLox24Event({ ...success, name: 'sms.delivery' })).toBe('ignore');
    expect(toLox24Event({ ...success, name: 'verify_code.archived' })).toBe('ignore');
    const refusal = (body: unknown) => {
      try {
        toLox24Event(body, { provider: 'signup' });
      } catch (error) {
        return error as WebhookBodyError;
      }
      throw new Error('not refused');
    };
    const cases: [unknown, string, string][] = [
      [{ ...success, id: 'nope' }, 'id', 'signup webhook: the body is not a LOX24 webhook envelope (id)'],
      ['a string', 'body', 'signup webhook: the body is not a LOX24 webhook envelope (the answer itself)'],
      [{ ...success, data: { ...success.data, cost: -1 } }, 'data.cost', "signup webhook: the verify code in the event does not fit LOX24's documented format (data.cost)"],
      [{ ...sent, data: { ...sent.data, channel: undefined } }, 'data.channel', 'signup webhook: a verify_code.channel.sent event needs data.channel'],
      [{ ...sent, data: { ...sent.data, channel: { channel: 'sms', status: 'sent' } } }, 'data.channel.status', "signup webhook: data.channel does not fit LOX24's documented format (data.channel.status)"],
    ];
    for (const [body, field, message] of cases) {
      const error = refusal(body);
      expect(error).toBeInstanceOf(WebhookBodyError);
      expect(isVerifyError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'WebhookBodyError', code: 'invalid_webhook', provider: 'signup', operation: 'webhook', sent: 'no', retryable: false, field, message });
    }
  });
});

describe('the endpoint', () => {
  const endpoint = (onWebhook: (e: WebhookEvent) => void | Promise<void>, events: VerifyEvent[] = []) => lox24Webhook({ token: TOKEN, onWebhook, onEvent: (e) => void events.push(e), maxBodyBytes: 8192 });

  it('refuses a missing or wrong token with 401 and delivers nothing', async () => {
    const got: WebhookEvent[] = [];
    const webhook = endpoint((e) => void got.push(e));
    expect((await webhook.handle(request(success, null))).status).toBe(401);
    expect((await webhook.handle(request(success, 'wrong-token-0123456789'))).status).toBe(401);
    expect((await webhook.handle(request(success, `${TOKEN}x`))).status).toBe(401);
    expect(got).toEqual([]);
  });

  it('hands each event to the callback once, however often LOX24 delivers it', async () => {
    const got: WebhookEvent[] = [];
    const webhook = endpoint((e) => void got.push(e));
    const first = await webhook.handle(request(success));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'delivered' });
    const again = await webhook.handle(request({ ...success, attempt_number: 2 }));
    expect(await again.json()).toEqual({ ok: true, outcome: 'duplicate' });
    expect(got).toHaveLength(1);
  });

  it("a failing callback is 500, so LOX24 delivers again, and the retry reaches the callback; a retry while it runs is 503", async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const webhook = endpoint(async () => {
      calls++;
      if (calls === 1) throw new Error('database down with code 918273');
      if (calls === 2) await new Promise<void>((resolve) => (release = resolve));
    });
    expect((await webhook.handle(request(withCode(success)))).status).toBe(500);
    const running = webhook.handle(request(withCode(success)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await webhook.handle(request(withCode(success)))).status).toBe(503);
    release();
    expect((await running).status).toBe(200);
    expect(calls).toBe(2);
  });

  it('answers bad bodies 400 and oversized ones 413, with a warning event and no code in it; unknown events 200', async () => {
    const events: VerifyEvent[] = [];
    const webhook = endpoint(() => undefined, events);
    expect((await webhook.handle(request('not json'))).status).toBe(400);
    expect((await webhook.handle(request(withCode({ ...success, created_at: 'yesterday' })))).status).toBe(400);
    expect((await webhook.handle(request({ ...success, padding: 'x'.repeat(9000) }))).status).toBe(413);
    const unknown = await webhook.handle(request({ ...success, name: 'verify_code.archived' }));
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ ok: true, outcome: 'ignored' });
    expect((await webhook.handle(new Request('https://backend.example/webhooks/lox24', { method: 'GET' }))).status).toBe(405);
    expect(events.map((e) => (e.type === 'warning' ? e.message : e.type))).toEqual([
      'a webhook body that is not JSON was refused',
      'lox24 webhook: the body is not a LOX24 webhook envelope (created_at) (refused with 400)',
      'a webhook body over 8192 bytes was refused',
      'a webhook event of no interest was ignored',
    ]);
    expect(JSON.stringify(events)).not.toContain('918273');
  });

  it('answers each case with its exact status, JSON body and warning (the contract a vendor and an operator read)', async () => {
    const events: VerifyEvent[] = [];
    let fail = false;
    let hold: Promise<void> | undefined;
    const webhook = endpoint(async () => {
      if (fail) throw new TypeError('db');
      if (hold) await hold;
    }, events);
    const answer = async (response: Response) => ({ status: response.status, type: response.headers.get('content-type'), body: await response.json() });
    const warnings = () => events.splice(0).map((e) => (e.type === 'warning' ? `${e.provider} ${e.operation}: ${e.message}` : e.type));
    expect(await answer(await webhook.handle(new Request('https://backend.example/webhooks/lox24', { method: 'GET' })))).toEqual({ status: 405, type: 'application/json', body: { error: 'method not allowed' } });
    expect(warnings()).toEqual([]);
    expect(await answer(await webhook.handle(request('x'.repeat(9000))))).toEqual({ status: 413, type: 'application/json', body: { error: 'body too large' } });
    expect(warnings()).toEqual(['lox24 webhook: a webhook body over 8192 bytes was refused']);
    expect(await answer(await webhook.handle(request(success, null)))).toEqual({ status: 401, type: 'application/json', body: { error: 'unauthorized' } });
    expect(warnings()).toEqual(['lox24 webhook: a webhook delivery without the right token was refused']);
    expect(await answer(await webhook.handle(request('{not json')))).toEqual({ status: 400, type: 'application/json', body: { error: 'not JSON' } });
    expect(warnings()).toEqual(['lox24 webhook: a webhook body that is not JSON was refused']);
    expect(await answer(await webhook.handle(request({ nope: 1 })))).toEqual({ status: 400, type: 'application/json', body: { error: 'not a valid event' } });
    expect(warnings()).toEqual(['lox24 webhook: lox24 webhook: the body is not a LOX24 webhook envelope (id) (refused with 400)']);
    fail = true;
    expect(await answer(await webhook.handle(request(success)))).toEqual({ status: 500, type: 'application/json', body: { error: 'callback failed' } });
    expect(warnings()).toEqual(['lox24 webhook: the webhook callback failed (TypeError); the vendor will deliver the event again']);
    fail = false;
    let release: () => void = () => undefined;
    hold = new Promise<void>((resolve) => (release = resolve));
    const running = webhook.handle(request(success));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await answer(await webhook.handle(request(success)))).toEqual({ status: 503, type: 'application/json', body: { error: 'this event is being handled; deliver it again later' } });
    release();
    expect(await answer(await running)).toEqual({ status: 200, type: 'application/json', body: { ok: true, outcome: 'delivered' } });
    expect(await answer(await webhook.handle(request({ ...success, name: 'sms.delivery' })))).toEqual({ status: 200, type: 'application/json', body: { ok: true, outcome: 'ignored' } });
    expect(warnings()).toEqual(['lox24 webhook: a webhook event of no interest was ignored']);
    expect(await answer(await webhook.handle(request(success)))).toEqual({ status: 200, type: 'application/json', body: { ok: true, outcome: 'duplicate' } });
    expect(warnings()).toEqual([]);
  });

  it('a callback that throws something other than an Error is named `error` in the warning', async () => {
    const events: VerifyEvent[] = [];
    const webhook = endpoint(() => {
      throw 'nope';
    }, events);
    expect((await webhook.handle(request(success))).status).toBe(500);
    expect(events.map((e) => (e.type === 'warning' ? e.message : e.type))).toEqual(['the webhook callback failed (error); the vendor will deliver the event again']);
  });

  it('deliver() hands an already parsed body to onWebhook once, and says what became of it', async () => {
    const got: WebhookEvent[] = [];
    const webhook = endpoint((e) => void got.push(e));
    expect(await webhook.deliver(sent)).toBe('delivered');
    expect(await webhook.deliver(sent)).toBe('duplicate');
    expect(await webhook.deliver({ ...success, name: 'sms.delivery' })).toBe('ignored');
    const refused = await webhook.deliver({ nope: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WebhookBodyError);
    expect(refused).toMatchObject({ code: 'invalid_webhook', field: 'id', sent: 'no', message: 'lox24 webhook: the body is not a LOX24 webhook envelope (id)' });
    expect(got.map((e) => e.type)).toEqual(['channel.sent']);
  });
});

describe('deliveries from the simulator, and dedupe shared in Redis', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis.stop();
  });

  it('two instances behind one URL share dedupe; the simulator retries a 500 and the event arrives once', async () => {
    const got: WebhookEvent[] = [];
    let failOnce = true;
    const make = () => {
      const client = new Redis(redis.url);
      clients.push(client);
      return lox24Webhook({
        token: TOKEN,
        seen: redisSeen(client),
        onWebhook: (e) => {
          if (e.type === 'delivered' && failOnce) {
            failOnce = false;
            throw new Error('not yet');
          }
          got.push(e);
        },
      });
    };
    const instances = [make(), make()];
    let turn = 0;
    // A tiny load balancer: each delivery to the next instance, each delivered twice (a network retry).
    const { createServer } = await import('node:http');
    const server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const target = instances[turn++ % 2]!;
      const url = `http://127.0.0.1${req.url}`;
      const first = await target.handle(new Request(url, { method: 'POST', body }));
      await instances[turn % 2]!.handle(new Request(url, { method: 'POST', body }));
      res.writeHead(first.status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sim = await startSimulator('lox24', { webhookUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook?token=${TOKEN}`, webhookRetryMs: 20 });
    try {
      const verify = lox24({ token: sim.token, secret: 'webhook-secret-0123456', baseUrl: sim.url });
      const started = await verify.start({ to: '+491701234567', channels: [{ channel: 'telegram' }, { channel: 'sms' }] });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sim.webhooksSettled();
      expect(got.map((e) => e.type)).toEqual(['updated', 'channel.sent', 'channel.delivered', 'delivered']);
      expect(got.every((e) => e.verificationId === started.id)).toBe(true);
      expect(sim.webhookDeliveries.filter((d) => d.name === 'verify_code.success').map((d) => [d.attempt, d.status])).toEqual([
        [1, 500],
        [2, 200],
      ]);
      const code = sim.lastCode('+491701234567')!;
      expect(JSON.stringify(got)).not.toContain(`"${code}"`);
      expect(inspect(got, { depth: Infinity })).not.toContain(`'${code}'`);
    } finally {
      server.close();
      await sim.close();
    }
  });
});
