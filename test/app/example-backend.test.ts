/**
 * The example service (examples/backend.ts) over HTTP against the simulators: a failover of
 * LOX24 then Notificore, LOX24's simulator posting its webhooks to the service; the guard,
 * the body cap, the webhook's token, routable ids, and no code in any log line.
 */
import { freePort } from '../ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, eventLog, listen, shutdown } from '../../examples/backend.js';
import { createProvider } from '../../providers/index.js';
import { startSimulator } from '../../testing/index.js';

const TOKEN = 'backend-webhook-token-0123456789';
let base: string;
let lox: Awaited<ReturnType<typeof startSimulator<'lox24'>>>;
let nc: Awaited<ReturnType<typeof startSimulator<'notificore'>>>;
let stop: () => Promise<void>;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  lox = await startSimulator('lox24', { webhookUrl: `${base}/webhooks/lox24?token=${TOKEN}`, webhookRetryMs: 20 });
  nc = await startSimulator('notificore');
  const provider = await createProvider([lox.config(), nc.config()]);
  const { app } = createBackend({ provider, webhookToken: TOKEN, lox24Member: 'lox24', log: (line) => void logs.push(line) });
  const server = await listen(app, '127.0.0.1', port);
  stop = async () => {
    await shutdown(server, async () => undefined, 1_000);
    await Promise.all([lox.close(), nc.close()]);
  };
});
afterAll(() => stop());

const post = async (path: string, payload: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};
const get = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('the example service', () => {
  it('starts, hears LOX24 deliver by webhook, refuses a wrong code, accepts the right one', async () => {
    const started = await post('/verifications', { phone: '+491701234567', channels: 'ignored' });
    expect(started.status).toBe(201);
    const id = started.body['id'] as string;
    expect(id).toMatch(/^lox24:/);
    await lox.webhooksSettled();
    expect(lox.webhookDeliveries.map((d) => `${d.name} ${d.status}`)).toEqual(['verify_code.channel.updated 200', 'verify_code.channel.sent 200', 'verify_code.channel.success 200', 'verify_code.success 200']);
    expect(await get(`/verifications/${encodeURIComponent(id)}`)).toMatchObject({ status: 200, body: { id, status: 'pending', delivery: 'delivered', channel: 'sms' } });
    expect(await post(`/verifications/${encodeURIComponent(id)}/check`, { code: '0000' })).toMatchObject({ status: 422, body: { verified: false, reason: 'incorrect_code', attemptsRemaining: 4 } });
    const code = lox.lastCode('+491701234567')!;
    expect(await post(`/verifications/${encodeURIComponent(id)}/check`, { code })).toMatchObject({ status: 200, body: { verified: true } });
    // No log line holds the code or the full phone number.
    const text = JSON.stringify(logs);
    expect(logs.some((line) => line['type'] === 'webhook')).toBe(true);
    expect(text).not.toContain(`"${code}"`);
    expect(text).not.toContain('1701234567');
  });

  it('guards starts by phone and client IP: the fourth within 10 minutes is 429 with Retry-After; a number that cannot exist is 400', async () => {
    const phone = '+491701234568';
    for (let i = 0; i < 3; i++) expect((await post('/verifications', { phone })).status).toBe(201);
    const fourth = await post('/verifications', { phone });
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(590);
    expect(fourth.body).toEqual({ error: 'too many verification requests; try again later' });
    expect(await post('/verifications', { phone: '+4917012' })).toMatchObject({ status: 400, body: { error: 'invalid request' } });
    const refusal = logs.find((line) => line['type'] === 'decision' && line['decision'] === 'refused' && line['rule'] === 'perPhone');
    expect(refusal).toMatchObject({ level: 'warn', msg: 'polyverify failover start: failover refused by perPhone for +49170*****68', provider: 'failover', member: 'failover' });
    // At the default level, polyverify's traffic (each vendor request and response) is not logged; decisions are, at info.
    expect(logs.filter((line) => line['type'] === 'request' || line['type'] === 'response')).toEqual([]);
    expect(logs.find((line) => line['type'] === 'decision' && line['decision'] === 'allowed')).toMatchObject({ level: 'info' });
  });

  it("logs polyverify's traffic at logLevel 'debug', one line per vendor request and response", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = (line: Record<string, unknown>) => void lines.push(line);
    const { app } = createBackend({ provider: await createProvider([lox.config()], { onEvent: eventLog(log, 'debug') }), log, logLevel: 'debug' });
    const answer = await app.request('/verifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+491701234570' }) });
    expect(answer.status).toBe(201);
    const traffic = (xs: Record<string, unknown>[]) => xs.filter((line) => line['type'] !== 'decision').map((line) => `${line['level']} ${line['type']}`);
    expect(traffic(lines)).toEqual(['debug request', 'debug response']);
    expect(lines.filter((line) => line['type'] === 'decision').map((line) => line['level'])).toEqual(['info', 'info', 'info']);
    expect(lines.find((line) => line['type'] === 'request')).toMatchObject({ msg: 'polyverify lox24 start: POST /verify_codes (attempt 1)', method: 'POST', path: '/verify_codes' });
    // At 'info' the provider's traffic is left out.
    const quiet: Record<string, unknown>[] = [];
    const provider = await createProvider([lox.config()], { onEvent: eventLog((line) => void quiet.push(line)) });
    await provider.start({ to: '+491701234571' });
    expect(traffic(quiet)).toEqual([]);
  });

  it('caps bodies at 4 KiB, refuses webhooks without the token, and answers unknown routes 404', async () => {
    expect((await post('/verifications', { phone: '+491701234569', padding: 'x'.repeat(5000) })).status).toBe(413);
    // A chunked body declares no length: it is counted as it is read.
    const chunks = (size: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent < size; sent += 1024) controller.enqueue(new TextEncoder().encode(sent === 0 ? '{"phone":"+491701234569","x":"' : 'x'.repeat(1024)));
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
        },
      });
    const chunked = (size: number) => fetch(`${base}/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks(size), duplex: 'half' } as RequestInit);
    expect((await chunked(6 * 1024)).status).toBe(413);
    expect((await chunked(2 * 1024)).status).toBe(201);
    const forged = await fetch(`${base}/webhooks/lox24?token=wrong-token-000000000000`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(forged.status).toBe(401);
    expect((await get('/nothing')).status).toBe(404);
    expect((await post('/verifications/lox24%3A00000000-0000-4000-8000-000000000000/check', { code: '123456' })).status).toBe(404);
  });

  it('resends where the vendor can (Notificore), and says 400 where it cannot (LOX24)', async () => {
    const lone = createBackend({ provider: await createProvider(nc.config()), guard: { perPhone: { max: 5, windowSeconds: 600 } } });
    const started = await lone.app.request('/verifications', { method: 'POST', body: JSON.stringify({ phone: '+61401629754' }), headers: { 'content-type': 'application/json' } });
    const { id } = (await started.json()) as { id: string };
    expect((await lone.app.request(`/verifications/${id}/resend`, { method: 'POST' })).status).toBe(202);
    const onLox = await post('/verifications', { phone: '+491701234570' });
    expect((await post(`/verifications/${encodeURIComponent(onLox.body['id'] as string)}/resend`, {})).status).toBe(400);
  });
});
