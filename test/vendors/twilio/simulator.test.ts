/**
 * Twilio over loopback against its simulator, in each of its behaviour modes: the time-slice
 * walk over the Attempts list (any attempt order, many Twilio pages, resends straddling slice
 * edges), whole flows (resend, Fraud Guard, max sends, the 404 after approval read as what it
 * is), the README's failover with Twilio first, and the hostile-server kit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { adaptive, createProvider, failover, type Verification } from '../../../providers/index.js';
import { TWILIO_LANGUAGES } from '../../../providers/twilio/config.js';
import { twilio, type TwilioOptions } from '../../../providers/twilio/index.js';
import { twilioLocale } from '../../../providers/twilio/map.js';
import { startHostileServer, startSimulator, type SimulatorOptions } from '../../../testing/index.js';
import { fastBackoff, rejectionOf } from '../../helpers.js';

let sims: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function setup(options: SimulatorOptions['twilio'] = {}, adapter: Partial<TwilioOptions> = {}) {
  const sim = await startSimulator('twilio', options);
  sims.push(sim);
  return { sim, verify: twilio({ ...sim.credentials, baseUrl: sim.url, backoff: fastBackoff, now: () => sim.now(), ...adapter }) };
}

const number = (i: number) => `+4477009${String(i).padStart(5, '0')}`;

async function all(items: AsyncIterable<Verification>): Promise<Verification[]> {
  const out: Verification[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('list: time slices over the Attempts list', () => {
  for (const attemptOrder of ['newest', 'oldest', 'shuffled'] as const) {
    it(`${attemptOrder}: every verification exactly once, newest first, its resends folded in, over many pages and slices`, async () => {
      const { sim, verify } = await setup({ attemptOrder }, { listPageSize: 7 });
      const started: string[] = [];
      // Three days of starts, some resent minutes later: a resend can fall into the next slice's time.
      for (let i = 0; i < 60; i++) {
        const v = await verify.start({ to: number(i) });
        started.push(v.id);
        if (i % 4 === 0) {
          sim.advance(4 * 60_000);
          await verify.resend(v.id);
        }
        sim.advance(((i * 7919) % 97) * 60_000);
      }
      const listed = await all(verify.list());
      expect(listed.map((v) => v.id).sort()).toEqual([...started].sort());
      for (let i = 1; i < listed.length; i++) expect(listed[i - 1]!.createdAt.getTime()).toBeGreaterThanOrEqual(listed[i]!.createdAt.getTime());
      expect(listed.filter((v) => v.attempts.length === 2)).toHaveLength(15);
      // Every attempt's price, summed exactly: 75 SMS at 0.0083 USD.
      expect(listed.map((v) => v.cost?.amount).filter((a) => a === '0.0166')).toHaveLength(15);
      const pages = [];
      let cursor: string | undefined;
      do {
        const page = await verify.listPage({ limit: 9, ...(cursor && { cursor }) });
        pages.push(page.items.map((v) => v.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(pages.flat()).toEqual(listed.map((v) => v.id));
      // Twilio's own pages were followed by next_page_url.
      expect(sim.requests.some((r) => r.path === '/v2/Attempts' && r.query.has('PageToken'))).toBe(true);
    });
  }

  it('from, to and phone narrow the walk at Twilio; status, channel and ids on the client', async () => {
    const { sim, verify } = await setup();
    const base = Math.floor(sim.now() / 1000) * 1000 - 5 * 86_400_000; // whole seconds, as Twilio stamps times
    const ids = Array.from({ length: 30 }, (_, i) => sim.seed({ to: number(i % 3), createdAt: new Date(base + i * 3_600_000), status: i % 2 ? 'verified' : 'expired', channel: i % 5 ? 'sms' : 'voice' }));
    const from = new Date(base + 10 * 3_600_000);
    const to = new Date(base + 20 * 3_600_000);
    const window = await all(verify.list({ from, to }));
    expect(window.map((v) => v.id)).toEqual(ids.slice(10, 20).reverse());
    expect((await all(verify.list({ phone: number(1) }))).map((v) => v.id)).toEqual(ids.filter((_, i) => i % 3 === 1).reverse());
    expect(sim.requests.filter((r) => r.path === '/v2/Attempts').every((r) => r.query.get('VerifyServiceSid') === sim.serviceSid)).toBe(true);
    expect((await all(verify.list({ status: 'verified', channel: 'voice' }))).map((v) => v.id)).toEqual(ids.filter((_, i) => i % 2 && !(i % 5)).reverse());
  });

  it('a slice with more attempts than listMaxAttempts is halved, down to a minute', async () => {
    const { sim, verify } = await setup({}, { listMaxAttempts: 1_000, listPageSize: 1000 });
    const base = sim.now() - 3_600_000;
    for (let i = 0; i < 1_500; i++) sim.seed({ to: number(i), createdAt: new Date(base - 2 * 3_600_000 + i * 4_000) });
    expect(await all(verify.list())).toHaveLength(1_500);
  });
});

describe('whole flows in every mode', () => {
  for (const mode of [{}, { ended: 'readable' as const, checkStatus: 201 as const, dates: 'rfc2822' as const }]) {
    it(`start, wrong code, resend (same code), right code, replay, get after approval: ${JSON.stringify(mode)}`, async () => {
      const { sim, verify } = await setup(mode);
      const v = await verify.start({ to: '+491701234567', channels: [{ channel: 'whatsapp' }] });
      expect(sim.lastMessage(v.id)).toMatchObject({ channel: 'whatsapp', language: 'de' });
      const code = sim.lastCode(v.id)!;
      expect(await verify.check(v.id, code === '000000' ? '111111' : '000000')).toEqual({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 4 });
      const resent = await verify.resend(v.id);
      expect(resent.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'whatsapp']);
      expect(sim.lastCode(v.id)).toBe(code);
      expect(await verify.check(v.id, code)).toEqual({ verified: true, status: 'verified' });
      expect(await verify.check(v.id, code)).toEqual({ verified: false, status: 'verified', reason: 'already_verified' });
      const got = await verify.get(v.id);
      expect(got).toMatchObject({ id: v.id, status: 'verified', deliveredChannel: 'whatsapp', failedAttempts: 1, cost: { amount: '0.0100', currency: 'USD' } });
    });
  }

  it('another channel for the same recipient continues the verification: same id, same code', async () => {
    const { sim, verify } = await setup();
    const v = await verify.start({ to: '+447700900123' });
    const again = await verify.start({ to: '+447700900123', channels: [{ channel: 'voice' }] });
    expect(again.id).toBe(v.id);
    expect(sim.lastMessage(v.id)).toMatchObject({ channel: 'voice', code: sim.inbox.last('+447700900123')!.code });
  });

  it('the sixth send is 60203 (RateLimitError, nothing sent); Fraud Guard is 60410 (RejectedError)', async () => {
    const { verify } = await setup({ blockedPrefixes: ['+88'] });
    const v = await verify.start({ to: '+447700900123' });
    for (let i = 0; i < 4; i++) await verify.resend(v.id);
    expect(await rejectionOf(verify.resend(v.id))).toMatchObject({ name: 'RateLimitError', sent: 'no', retryable: false });
    expect(await rejectionOf(verify.start({ to: '+8801712345678' }))).toMatchObject({ name: 'RejectedError', sent: 'no', issues: [{ field: 'to' }] });
  });

  it('a failed delivery shows in the attempts; a canceled verification checks as canceled', async () => {
    const { sim, verify } = await setup({ outcomes: { sms: 'failed' } });
    const v = await verify.start({ to: '+447700900123' });
    expect(sim.lastCode(v.id)).toBeUndefined();
    expect((await verify.cancel(v.id)).status).toBe('canceled');
    expect(await verify.check(v.id, '123456')).toEqual({ verified: false, status: 'canceled', reason: 'canceled' });
    const [listed] = await all(verify.list());
    expect(listed).toMatchObject({ id: v.id, attempts: [{ status: 'failed', raw: 'undelivered' }] });
  });

  it('an API key and secret work as well as the Auth Token; a wrong token is an AuthenticationError', async () => {
    const { sim } = await setup();
    const byKey = twilio({ apiKeySid: sim.apiKeySid, apiKeySecret: sim.apiKeySecret, serviceSid: sim.serviceSid, baseUrl: sim.url });
    expect((await byKey.start({ to: '+447700900123' })).status).toBe('pending');
    const wrong = twilio({ accountSid: sim.accountSid, authToken: 'not-the-token', serviceSid: sim.serviceSid, baseUrl: sim.url, retries: 0 });
    expect(await rejectionOf(wrong.start({ to: '+447700900124' }))).toMatchObject({ name: 'AuthenticationError', sent: 'no' });
  });
});

describe("the README's failover, with Twilio first", () => {
  it('Twilio sends while it can; when it refuses (nothing sent), LOX24 does; the id alone reaches the issuer', async () => {
    const tw = await startSimulator('twilio');
    const lox = await startSimulator('lox24');
    sims.push(tw, lox);
    const twilioConfig = { ...tw.config(), retries: 0 };
    const lox24Config = { ...lox.config(), secret: 'readme-secret-0123456' };
    const resilient = failover([await createProvider(twilioConfig), await createProvider(lox24Config)]); // next vendor only if nothing was sent
    const first = await resilient.start({ to: '+491701234567' });
    expect(first.provider).toBe('twilio');
    expect(await resilient.check(first.id, tw.lastCode(first.id.split(':').pop()!)!)).toEqual({ verified: true, status: 'verified' });
    tw.fault({ refuse: 'rate-limit' });
    const second = await resilient.start({ to: '+491701234568' });
    expect(second.provider).toBe('lox24');
    expect(await resilient.check(second.id, lox.lastCode(second.id.split(':').pop()!)!)).toEqual({ verified: true, status: 'verified' });
  });
});

describe('Fraud Guard under adaptive routing', () => {
  it("a prefix Twilio blocks (60410, nothing sent) moves every start on to the next member, and says so", async () => {
    const tw = await startSimulator('twilio', { blockedPrefixes: ['+880'] });
    const lox = await startSimulator('lox24');
    sims.push(tw, lox);
    const decisions: string[] = [];
    const routed = adaptive({
      members: [twilio({ ...tw.credentials, baseUrl: tw.url, retries: 0 }), await createProvider({ ...lox.config(), secret: 'adaptive-secret-0123456' })],
      seed: 5,
      onEvent: (e) => void (e.type === 'decision' && decisions.push(`${e.member} ${e.decision}${e.error ? ` ${e.error.name} ${e.error.sent}` : ''}`)),
    });
    const providers: string[] = [];
    for (let i = 0; i < 6; i++) providers.push((await routed.start({ to: `+8801712${String(i).padStart(6, '0')}` })).provider);
    expect(providers).toEqual(Array(6).fill('lox24'));
    expect(decisions).toContain('twilio next RejectedError no');
    expect(tw.inbox.last('+8801712000000')).toBeUndefined();
  });
});

describe('the hostile-server kit', () => {
  it('a redirect is never followed: the Basic header and the code stay home', async () => {
    const elsewhere = await startHostileServer({ kind: 'answer', status: 200, body: '{}' });
    const server = await startHostileServer({ kind: 'redirect', status: 307, to: elsewhere.url });
    sims.push(elsewhere, server);
    const verify = twilio({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'token-never-elsewhere', serviceSid: `VA${'0'.repeat(32)}`, baseUrl: server.url, retries: 0 });
    expect(await rejectionOf(verify.start({ to: '+447700900123' }))).toMatchObject({ name: 'InvalidResponseError', status: 307, sent: 'maybe' });
    expect(await rejectionOf(verify.check(`VE${'0'.repeat(32)}`, '123456'))).toMatchObject({ name: 'InvalidResponseError', status: 307, sent: 'no' });
    expect(elsewhere.requests).toEqual([]);
  });

  it('a body that never ends, and a gzip bomb, are typed errors within their bounds', async () => {
    const endless = await startHostileServer({ kind: 'endless' });
    const bomb = await startHostileServer({ kind: 'gzip-bomb', bytes: 8 * 1024 * 1024 });
    sims.push(endless, bomb);
    const options = { accountSid: `AC${'0'.repeat(32)}`, authToken: 'token-0123456789', serviceSid: `VA${'0'.repeat(32)}`, retries: 0 };
    expect(await rejectionOf(twilio({ ...options, baseUrl: endless.url, timeoutMs: 200 }).start({ to: '+447700900123' }))).toMatchObject({ name: 'TimeoutError', sent: 'maybe' });
    expect(await rejectionOf(twilio({ ...options, baseUrl: bomb.url }).listPage())).toMatchObject({ name: 'InvalidResponseError', sent: 'no' });
  });

  it('an Attempts list whose next_page_url repeats ends with an error, not a loop', async () => {
    const page = JSON.stringify({ attempts: [], meta: { next_page_url: '/v2/Attempts?PageToken=again' } });
    const server = await startHostileServer({ kind: 'answer', status: 200, body: page });
    sims.push(server);
    const verify = twilio({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'token-0123456789', serviceSid: `VA${'0'.repeat(32)}`, baseUrl: server.url });
    expect((await rejectionOf(verify.listPage())).message).toBe('twilio list: Twilio pointed to a page it had already given: the walk would never end');
    expect(server.requests).toHaveLength(2);
  });
});

describe('languages', () => {
  it("every language of Twilio's default template is sent as asked, and Twilio's simulator takes it", async () => {
    const sim = await startSimulator('twilio');
    sims.push(sim);
    {
      const p = twilio({ ...sim.credentials, baseUrl: sim.url });
      for (const [i, language] of TWILIO_LANGUAGES.entries()) {
        await p.start({ to: `+1415555${String(i).padStart(4, '0')}`, locale: language });
        expect(new URLSearchParams(sim.requests.at(-1)!.rawBody).get('Locale'), language).toBe(twilioLocale(language));
      }
      expect(sim.requests.filter((r) => r.method === 'POST').map((r) => new URLSearchParams(r.rawBody).get('Locale'))).toContain('pt-BR');
    }
  });
});
