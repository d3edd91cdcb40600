/**
 * Every request the Twilio adapter sends, against Twilio's own OpenAPI description served by
 * Stoplight Prism with request validation on: each is accepted (a request that does not fit the
 * description would be answered 422), and each of Prism's answers — the description's examples —
 * maps without error. Every endpoint of `TWILIO_API` is reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyEvent } from '../../../providers/index.js';
import { TWILIO_API } from '../../../providers/twilio/map.js';
import { twilio } from '../../../providers/twilio/index.js';
import { startPrism, type PrismMock } from '../../prism.js';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const SERVICE = `VA${'a'.repeat(32)}`;
const SID = `VE${'a'.repeat(32)}`;
const auth = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;

let prism: PrismMock;
beforeAll(async () => {
  prism = await startPrism('twilio/twilio_verify_v2.json');
}, 90_000);
afterAll(() => prism?.stop());

describe('the adapter against Prism serving twilio_verify_v2.json', () => {
  it('Prism validates: a create without To is refused (422), a request without auth too (401)', async () => {
    const form = { method: 'POST', body: new URLSearchParams({ Channel: 'sms' }) };
    expect((await fetch(`${prism.url}/v2/Services/${SERVICE}/Verifications`, { ...form, headers: { authorization: auth } })).status).toBe(422);
    expect((await fetch(`${prism.url}/v2/Attempts?PageSize=5000`, { headers: { authorization: auth } })).status).toBe(422);
    expect((await fetch(`${prism.url}/v2/Services/${SERVICE}/Verifications`, { method: 'POST', body: new URLSearchParams({ To: '+15017122661', Channel: 'sms' }) })).status).toBe(401);
  });

  it('accepts every request of every operation, and its answers map', async () => {
    const events: VerifyEvent[] = [];
    // A 404 for one check, so that the attempts of one verification are read too (Prism answers no 404 itself).
    let notFoundOnce = true;
    const fetch404: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith('/VerificationCheck') && notFoundOnce) {
        notFoundOnce = false;
        return Promise.resolve(new Response(JSON.stringify({ code: 20404, message: 'not found', status: 404 }), { status: 404, headers: { 'content-type': 'application/json' } }));
      }
      return fetch(input, init);
    };
    const p = twilio({ accountSid: ACCOUNT, authToken: TOKEN, serviceSid: SERVICE, customCode: true, baseUrl: prism.url, fetch: fetch404, onEvent: (e) => events.push(e), retries: 0 });
    const started = [
      await p.start({ to: '+15017122661' }),
      await p.start({ to: '+491701234567', channels: [{ channel: 'voice' }], locale: 'de' }),
      await p.start({ to: '+5511987654321', channels: [{ channel: 'whatsapp' }], locale: 'pt-BR' }),
      await p.start({ to: { email: 'mail@email.com' }, channels: [{ channel: 'email' }] }),
      await p.start({ to: '+15017122661', code: 'A1b2C3', vendor: { friendlyName: 'Acme', templateSid: `HJ${'a'.repeat(32)}`, appHash: 'AAAAAAAAAAA' } }),
    ];
    expect(started.map((v) => v.id)).toEqual(Array(5).fill(SID));
    expect(await p.check(SID, '123456')).toEqual({ verified: false, status: 'failed', reason: 'not_found' });
    expect((await p.check(SID, '123456')).verified).toBe(true);
    expect((await p.get(SID)).status).toBe('pending');
    expect((await p.cancel(SID)).status).toBe('canceled');
    expect((await p.resend(SID)).id).toBe(SID);
    expect((await p.listPage({ limit: 5 })).items).toEqual([]);
    const listed = [];
    for await (const v of p.list({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z'), phone: '+15017122661' })) listed.push(v);
    expect(listed).toEqual([]);

    const answers = events.filter((e): e is Extract<VerifyEvent, { type: 'response' }> => e.type === 'response');
    const refused = answers.filter((e) => e.status >= 300 && !e.path.endsWith('/VerificationCheck'));
    expect(refused).toEqual([]);
    const reached = new Set(answers.map((e) => `${e.method} ${e.path.split('?')[0]!.replace(SERVICE, '{ServiceSid}').replace(SID, '{Sid}')}`));
    for (const endpoint of Object.values(TWILIO_API)) expect(reached).toContain(`${endpoint.method} /${endpoint.path}`);
    // The attempts of one verification were read with its SID, through Prism.
    expect(answers.some((e) => e.path.includes(`VerificationSid=${SID}`) && e.status === 200)).toBe(true);
  }, 60_000);
});
