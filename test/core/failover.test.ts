/**
 * failover() and route() on the three simulators: failing over only when nothing was sent,
 * stopping on "maybe sent", ids that reach the issuer from a fresh instance, routing by
 * destination, and a property test that no recipient gets codes from two vendors.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  TimeoutError,
  ValidationError,
  createProvider,
  failover,
  listAcross,
  route,
  type ProviderConfig,
  type VerifyEvent,
  type VerifyProvider,
} from '../../providers/index.js';
import { startSimulator } from '../../testing/index.js';
import { rejectionOf } from '../helpers.js';
import type { Lox24Simulator } from '../../providers/lox24/simulator.js';
import type { NotificoreSimulator } from '../../providers/notificore/simulator.js';
import type { MessagebirdSimulator } from '../../providers/messagebird/simulator.js';

let lox: Lox24Simulator;
let nc: NotificoreSimulator;
let bird: MessagebirdSimulator;
let deadUrl: string;
const SECRET = 'failover-secret-0123456';

beforeAll(async () => {
  [lox, nc, bird] = await Promise.all([startSimulator('lox24'), startSimulator('notificore'), startSimulator('messagebird')]);
  const dead = await startSimulator('lox24');
  deadUrl = dead.url;
  await dead.close();
});
afterAll(async () => Promise.all([lox.close(), nc.close(), bird.close()]));

/** The configs of the three simulators; `dead` members point at a closed port. */
function configs(dead: { lox24?: boolean; notificore?: boolean; messagebird?: boolean } = {}, timeoutMs = 2_000): ProviderConfig[] {
  return [
    { provider: 'lox24', token: lox.token, secret: SECRET, baseUrl: dead.lox24 ? deadUrl : lox.url, retries: 0, timeoutMs },
    { provider: 'notificore', apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: dead.notificore ? deadUrl : nc.url, retries: 0, timeoutMs },
    {
      provider: 'messagebird',
      accessKey: bird.accessKey,
      workspaceId: bird.workspaceId,
      channels: { sms: { navigatorId: bird.ids.smsNavigatorId } },
      baseUrl: dead.messagebird ? deadUrl : bird.url,
      retries: 0,
      timeoutMs,
    },
  ];
}

const counts = () => [lox.requestCount, nc.requestCount, bird.requestCount];
/** Vendors whose inbox holds a message for `to`. */
const delivered = (to: string) =>
  [lox.inbox.messages(to).length && 'lox24', nc.inbox.messages(to).length && 'notificore', bird.inbox.messages(to).length && 'messagebird'].filter(Boolean);
let phoneSeq = 0;
const nextPhone = () => `+49170${String(1_000_000 + phoneSeq++).padStart(7, '0')}`;

describe('failover', () => {
  it('primary refusing connections: the secondary sends, and every decision is reported', async () => {
    const events: VerifyEvent[] = [];
    const verify = await createProvider(configs({ lox24: true }), { onEvent: (e) => events.push(e) });
    const to = nextPhone();
    const v = await verify.start({ to });
    expect(v.id).toMatch(/^notificore:[0-9a-f-]{36}$/);
    expect(v.provider).toBe('notificore');
    expect(delivered(to)).toEqual(['notificore']);
    expect(events.filter((e) => e.type === 'decision').map((e) => e.type === 'decision' && [e.member, e.decision, e.error?.code])).toEqual([
      ['lox24', 'try', undefined],
      ['lox24', 'next', 'connection'],
      ['notificore', 'try', undefined],
      ['notificore', 'sent', undefined],
    ]);
  });

  it('primary timing out after receiving the request: no other vendor is contacted, sent is maybe', async () => {
    lox.fault({ method: 'POST', path: '/verify_codes', delayMs: 300 });
    const verify = await createProvider(configs({}, 100));
    const before = counts();
    const to = nextPhone();
    const error = await rejectionOf(verify.start({ to }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.sent).toBe('maybe');
    const after = counts();
    expect([after[1]! - before[1]!, after[2]! - before[2]!]).toEqual([0, 0]);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(delivered(to)).toEqual(['lox24']); // the primary did send it: a second vendor would have been a second code
  });

  it('goes on past "maybe sent" only when the caller opts in', async () => {
    lox.fault({ method: 'POST', path: '/verify_codes', status: 502, body: { detail: 'bad gateway' } });
    const providers = await Promise.all(configs().map((c) => createProvider(c)));
    const v = await failover(providers, { onMaybeSent: 'continue' }).start({ to: nextPhone() });
    expect(v.provider).toBe('notificore');
  });

  it('insufficient funds at the primary: the secondary sends', async () => {
    lox.balanceCents = 0;
    try {
      const events: VerifyEvent[] = [];
      const verify = await createProvider(configs(), { onEvent: (e) => events.push(e) });
      const to = nextPhone();
      const v = await verify.start({ to });
      expect(v.provider).toBe('notificore');
      expect(events.some((e) => e.type === 'decision' && e.decision === 'next' && e.error?.code === 'insufficient_funds')).toBe(true);
    } finally {
      lox.balanceCents = Number.POSITIVE_INFINITY;
    }
  });

  it('when every member refuses with nothing sent, the last error is thrown', async () => {
    const verify = await createProvider(configs({ lox24: true, notificore: true, messagebird: true }));
    const error = await rejectionOf(verify.start({ to: nextPhone() }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ provider: 'messagebird', sent: 'no' });
  });

  it('an input no member accepts fails before any member is asked', async () => {
    const verify = await createProvider(configs());
    const before = counts();
    const error = await rejectionOf(verify.start({ to: '0170 123' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(counts()).toEqual(before);
  });

  it('check, get, resend and cancel reach the issuer from the stored id alone, through a fresh instance', async () => {
    const first = await createProvider(configs({ lox24: true }));
    const to = nextPhone();
    const stored = (await first.start({ to })).id;
    // A restart: a new failover from the same config, and the stored string only.
    const fresh = await createProvider(configs({ lox24: true }));
    expect((await fresh.get(stored)).id).toBe(stored);
    await fresh.resend(stored);
    const code = nc.lastCode(stored.slice('notificore:'.length))!;
    expect(await fresh.check(stored, code)).toEqual({ verified: true, status: 'verified' });
    const other = (await fresh.start({ to: nextPhone() })).id;
    expect((await fresh.cancel(other)).status).toBe('canceled');
    const lost = await rejectionOf(fresh.get('twilio:123'));
    expect(lost.issues).toEqual([{ field: 'id', message: "names 'twilio', which failover does not have" }]);
  });

  it('lists its members merged, newest first, with ids that route back', async () => {
    const verify = await createProvider(configs());
    const started = await verify.start({ to: nextPhone() });
    const seen: string[] = [];
    for await (const v of verify.list({ from: new Date(Date.now() - 60_000) })) seen.push(v.id);
    expect(seen).toContain(started.id);
    expect(seen.every((id) => /^(lox24|notificore|messagebird):/.test(id))).toBe(true);
    const page = await verify.listPage({ limit: 1, from: new Date(Date.now() - 60_000) });
    expect((await verify.get(page.items[0]!.id)).id).toBe(page.items[0]!.id);
  });

  it('filters by the ids start() returned, routable or bare, through failover, route and listAcross', async () => {
    const starter = await createProvider(configs({ lox24: true }));
    const a = await starter.start({ to: nextPhone() });
    const b = await starter.start({ to: nextPhone() });
    expect(a.id.startsWith('notificore:')).toBe(true);
    const verify = await createProvider(configs());
    const ids = async (items: AsyncIterable<{ id: string }>) => {
      const out: string[] = [];
      for await (const v of items) out.push(v.id);
      return out;
    };
    expect(await ids(verify.list({ ids: [a.id] }))).toEqual([a.id]);
    expect((await verify.listPage({ ids: [b.id, a.id] })).items.map((v) => v.id).sort()).toEqual([a.id, b.id].sort());
    const bare = a.id.slice('notificore:'.length);
    expect(await ids(verify.list({ ids: [bare] }))).toEqual([a.id]);
    expect(await ids(verify.list({ ids: ['lox24:00000000-0000-4000-8000-000000000000'] }))).toEqual([]);
    const byCountry = route({ '+49': verify, default: verify }, { name: 'r' });
    expect(await ids(byCountry.list({ ids: [`failover:${a.id}`] }))).toEqual([`failover:${a.id}`]);
    const members = await Promise.all(configs().map((c) => createProvider(c)));
    expect(await ids(listAcross(members, { ids: [a.id] }))).toEqual([bare]);
    expect(await ids(listAcross(members, { ids: [bare] }))).toEqual([bare]);
  });

  it('combines capabilities honestly', async () => {
    const verify = await createProvider(configs());
    expect(verify.capabilities).toMatchObject({
      codeOwner: 'mixed',
      customCode: false,
      codeLength: { min: 6, max: 8 },
      ttlSeconds: { min: 30, max: 300 },
      resend: true,
      failover: true,
      cancel: 'mixed',
      cost: true,
      reference: false,
      listFilters: { server: [] },
    });
  });
});

describe('route', () => {
  it('chooses by the longest E.164 prefix, then e-mail rules, then the default; composes with failover', async () => {
    const [loxP, ncP, birdP] = await Promise.all(configs().map((c) => createProvider(c)));
    const events: VerifyEvent[] = [];
    const resilient = failover([birdP!, ncP!], { name: 'resilient' });
    const byCountry = route({ '+49': loxP!, '+4915': ncP!, default: resilient }, { onEvent: (e) => events.push(e) });
    const a = await byCountry.start({ to: '+491701234567' });
    const b = await byCountry.start({ to: '+4915112345678' });
    const c = await byCountry.start({ to: '+31612345678' });
    expect([a.id.split(':')[0], b.id.split(':')[0], c.id.split(':').slice(0, 2).join(':')]).toEqual(['lox24', 'notificore', 'resilient:messagebird']);
    expect(events.map((e) => e.type === 'decision' && e.member)).toEqual(['lox24', 'notificore', 'resilient']);
    // Ids route back through both layers.
    expect(await byCountry.check(c.id, bird.lastCode(c.id.split(':')[2]!)!)).toMatchObject({ verified: true });
    expect(await byCountry.check(a.id, lox.lastCode(a.id.split(':')[1]!)!)).toMatchObject({ verified: true });
  });

  it('refuses a destination with no route and no default, and a malformed table', async () => {
    const [loxP] = await Promise.all(configs().map((c) => createProvider(c)));
    const error = await rejectionOf(route({ '+49': loxP! }).start({ to: '+31612345678' }));
    expect(error.issues).toEqual([{ field: 'to', message: 'matches no route and there is no default' }]);
    expect(() => route({ '49': loxP! })).toThrow(ValidationError);
    const mail = await rejectionOf(route({ '+49': loxP! }).start({ to: { email: 'a@example.com' } }));
    expect(mail.issues).toEqual([{ field: 'to', message: 'matches no route and there is no default' }]);
  });
});

describe('property: one start never reaches a recipient through two vendors', () => {
  type Fault = 'ok' | 'refused' | 'funds' | 'rejected' | 'late' | 'server-error' | 'dropped';
  const fault = fc.constantFrom<Fault>('ok', 'refused', 'funds', 'rejected', 'late', 'server-error', 'dropped');

  /** Applies a fault to one member; returns whether its URL must be the dead one. */
  function apply(vendor: 'lox24' | 'notificore' | 'messagebird', f: Fault): boolean {
    const sim = { lox24: lox, notificore: nc, messagebird: bird }[vendor];
    const path = { lox24: '/verify_codes', notificore: '/api/2fa/authentications/otp', messagebird: `/workspaces/${bird.workspaceId}/verify` }[vendor];
    if (f === 'funds') sim.fault({ method: 'POST', path, status: vendor === 'lox24' ? 402 : 422, body: vendor === 'notificore' ? { message: 'The given data was invalid.', errors: ['Insufficient funds'] } : { detail: 'no funds' } });
    if (f === 'rejected') sim.fault({ method: 'POST', path, status: 422, body: { message: 'The given data was invalid.', errors: { channel: ['not available'] } } });
    if (f === 'late') sim.fault({ method: 'POST', path, delayMs: 150 });
    if (f === 'server-error') sim.fault({ method: 'POST', path, status: 500, body: { message: 'oops' } });
    if (f === 'dropped') sim.fault({ method: 'POST', path, drop: 'after' });
    return f === 'refused';
  }

  it('holds over random fault sequences unless the caller opts in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(fault, fault, fault), fc.boolean(), async ([f1, f2, f3], optIn) => {
        for (const sim of [lox, nc, bird]) sim.clearFaults();
        const dead = { lox24: apply('lox24', f1), notificore: apply('notificore', f2), messagebird: apply('messagebird', f3) };
        const providers = await Promise.all(configs(dead, 60).map((c) => createProvider(c)));
        const verify: VerifyProvider = failover(providers, { onMaybeSent: optIn ? 'continue' : 'stop' });
        const to = nextPhone();
        await verify.start({ to }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, f1 === 'late' || f2 === 'late' || f3 === 'late' ? 200 : 0));
        const vendors = delivered(to);
        if (!optIn) expect(vendors.length).toBeLessThanOrEqual(1);
        for (const sim of [lox, nc, bird]) sim.clearFaults();
      }),
      { numRuns: 60 },
    );
  });
});
