/**
 * adaptive() on hand-made members: who can serve what, prices, what a check counts, the events
 * of a start, failing over, dry run, options. (test/routing/adaptive.test.ts runs it on the market.)
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError, RejectedError, ValidationError, adaptive, type CheckResult, type Verification, type VerifyEvent, type VerifyProvider } from '../../providers/index.js';
import { MemoryOutcomeStore } from '../../src/outcomes/memory-store.js';
import type { Capabilities } from '../../src/provider.js';
import { SMS_CAPABILITIES, fakeVerification } from '../array-provider.js';
import { rejectionOf } from '../helpers.js';

const CAPS = SMS_CAPABILITIES;
const NOW = Date.UTC(2026, 11, 5, 12);

interface Fake extends VerifyProvider {
  readonly starts: string[];
  readonly resends: string[];
}

/** A member that starts (or throws `error`), with a cost and an expiry, and answers checks with `result`. */
function member(name: string, options: { caps?: Partial<Capabilities>; cost?: { amount: string; currency: string } | null; expires?: boolean; error?: unknown; result?: CheckResult; undelivered?: boolean | 'attempts'; to?: string } = {}): Fake {
  const starts: string[] = [];
  const resends: string[] = [];
  return {
    name,
    starts,
    resends,
    capabilities: { ...CAPS, ...options.caps },
    async start(request) {
      starts.push(typeof request.to === 'string' ? request.to : request.to.email);
      if (options.error) throw options.error;
      const v = fakeVerification(name, `${name}-${starts.length}`, NOW);
      return { ...v, cost: options.cost === undefined ? { amount: '0.05', currency: 'EUR' } : options.cost, expiresAt: options.expires === false ? undefined : new Date(NOW + 300_000) } as Verification;
    },
    check: async () => options.result ?? { verified: true, status: 'verified' },
    get: async (id) => ({
      ...fakeVerification(name, id, NOW),
      to: options.to ?? '+491701234567',
      status: options.undelivered === true ? 'failed' : 'pending',
      attempts: options.undelivered === 'attempts' ? [{ channel: 'sms', status: 'failed', at: undefined, messageId: undefined, raw: {} }, { channel: 'voice', status: 'error', at: undefined, messageId: undefined, raw: {} }] : [],
    }),
    cancel: async (id) => fakeVerification(name, `canceled-${id}`, NOW),
    resend: async (id) => (resends.push(id), fakeVerification(name, id, NOW)),
    failover: async (id) => fakeVerification(name, id, NOW),
    list: () => (async function* () {})(),
    listPage: async () => ({ items: [] }),
  };
}

const decisions = (events: VerifyEvent[]) => events.filter((e): e is Extract<VerifyEvent, { type: 'decision' }> => e.type === 'decision');

describe('who can serve', () => {
  it('only members that take the recipient kind, the channels and a code of your own; all of them when none can', async () => {
    const phone = member('phone');
    const mail = member('mail', { caps: { recipients: ['email'], channels: ['email'] } });
    const own = member('own', { caps: { customCode: true, channels: ['sms', 'voice'] } });
    const verify = adaptive({ members: [phone, mail, own], seed: 1, now: () => NOW });
    expect((await verify.start({ to: { email: 'a@example.com' } })).id).toMatch(/^mail:/);
    expect((await verify.start({ to: '+491701234567', code: '1234' })).id).toMatch(/^own:/);
    expect((await verify.start({ to: '+491701234567', channels: [{ channel: 'voice' }] })).id).toMatch(/^own:/);
    for (let i = 0; i < 30; i++) expect((await verify.start({ to: '+491701234567' })).id).not.toMatch(/^mail:/);
    // Nobody takes viber: every member is tried, each refuses for itself.
    const none = adaptive({ members: [member('a', { error: new ValidationError([{ field: 'channels.0.channel', message: 'no viber' }], { provider: 'a', operation: 'start' }) })] });
    expect(await rejectionOf(none.start({ to: '+491701234567', channels: [{ channel: 'viber' }] }))).toMatchObject({ name: 'ValidationError', provider: 'a' });
  });
});

describe('prices', () => {
  it('from the table (the country, else *), else the costs seen in the currency', async () => {
    const events: VerifyEvent[] = [];
    const verify = adaptive({
      members: [member('tabled', { cost: null }), member('star', { cost: null }), member('seen', { cost: { amount: '0.07', currency: 'EUR' } }), member('dollars', { cost: { amount: '0.01', currency: 'USD' } })],
      prices: { tabled: { DE: '0.02', '*': '0.09' }, star: { '*': '0.03' } },
      seed: 1,
      now: () => NOW,
      onEvent: (e) => events.push(e),
    });
    const outcomes = [];
    for (let i = 0; i < 8; i++) outcomes.push(await verify.start({ to: '+491701234567' }));
    for (const v of outcomes) await verify.check(v.id, '1234');
    await verify.start({ to: '+491701234567' });
    const last = decisions(events).filter((e) => e.figures).at(-1)!;
    expect(last.figures!.map((f) => [f.member, f.price])).toEqual([['tabled', 0.02], ['star', 0.03], ['seen', 0.07], ['dollars', null]]);
  });
});

describe('what a check counts', () => {
  const counted = async (result: CheckResult) => {
    const outcomes = new MemoryOutcomeStore();
    const verify = adaptive({ members: [member('a', { result })], outcomes, now: () => NOW });
    const v = await verify.start({ to: '+491701234567' });
    expect(await verify.check(v.id, '1234')).toEqual(result);
    const [t] = await outcomes.tallies(['a|*'], NOW);
    return [t!.converted, t!.notConverted];
  };
  it('verified: converted; a final refusal: not; a wrong code with tries left, an unknown id or a second check: nothing', async () => {
    expect(await counted({ verified: true, status: 'verified' })).toEqual([1, 0]);
    expect(await counted({ verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0 })).toEqual([0, 1]);
    expect(await counted({ verified: false, status: 'expired', reason: 'expired' })).toEqual([0, 1]);
    expect(await counted({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 2 })).toEqual([0, 0]);
    expect(await counted({ verified: false, status: 'failed', reason: 'not_found' })).toEqual([0, 0]);
    expect(await counted({ verified: false, status: 'verified', reason: 'already_verified' })).toEqual([0, 0]);
  });

  it('a start without an expiry counts as not converted ten minutes on', async () => {
    let now = NOW;
    const outcomes = new MemoryOutcomeStore();
    const verify = adaptive({ members: [member('a', { expires: false })], outcomes, now: () => now });
    await verify.start({ to: '+491701234567' });
    now += 599_999;
    await verify.start({ to: '+491701234567' });
    expect((await outcomes.tallies(['a|*'], now))[0]!.notConverted).toBe(0);
    now += 2;
    await verify.start({ to: '+491701234567' });
    expect((await outcomes.tallies(['a|*'], now))[0]!.notConverted).toBeCloseTo(1, 6);
  });

  it('feedback takes only genuine or fraud', async () => {
    const verify = adaptive({ members: [member('a')] });
    await expect(verify.feedback('a:x', 'bot' as never)).rejects.toThrow("verdict must be 'genuine' or 'fraud'");
    await expect(verify.feedback('a:x', 'fraud')).resolves.toBeUndefined();
  });
});

describe('a start’s events and failures', () => {
  it('try, next with the error, then sent; exhausted with the first error when all refuse', async () => {
    const events: VerifyEvent[] = [];
    const refusal = new RejectedError('a start: HTTP 402', { provider: 'a', operation: 'start', sent: 'no' });
    const later = new RejectedError('b start: HTTP 403', { provider: 'b', operation: 'start', sent: 'no' });
    const verify = adaptive({ members: [member('a', { error: refusal }), member('b', { error: later })], seed: 4, now: () => NOW, onEvent: (e) => events.push(e) });
    const error = await rejectionOf(verify.start({ to: '+491701234567' }));
    const first = decisions(events)[0]!;
    expect(error).toBe(first.member === 'a' ? refusal : later);
    expect(decisions(events).map((e) => [e.decision, e.member === first.member ? 'first' : 'second', e.error?.code])).toEqual([
      ['explore', 'first', undefined],
      ['try', 'first', undefined],
      ['next', 'first', 'rejected'],
      ['try', 'second', undefined],
      ['next', 'second', 'rejected'],
      ['exhausted', 'second', 'rejected'],
    ]);
    expect(first).toMatchObject({ provider: 'adaptive', operation: 'start', country: 'DE', reason: 'fewer than 50 outcomes here' });
  });

  it('stops at a failure that may have sent (with a stop event), and passes on what is not a polyverify error', async () => {
    const events: VerifyEvent[] = [];
    const maybe = new ProviderUnavailableError('a start: HTTP 503', { provider: 'a', operation: 'start', sent: 'maybe' });
    const b = member('b');
    const verify = adaptive({ members: [member('a', { error: maybe }), b], minOutcomes: 1, seed: 1, now: () => NOW, onEvent: (e) => events.push(e) });
    // Teach it that a is the one to pick.
    let stopped = false;
    for (let i = 0; i < 20 && !stopped; i++) stopped = await verify.start({ to: '+491701234567' }).then(() => false, (e: unknown) => e === maybe);
    expect(stopped).toBe(true);
    expect(decisions(events).some((e) => e.decision === 'stop' && e.member === 'a' && e.error?.sent === 'maybe')).toBe(true);
    const bug = new TypeError('a bug');
    const plain = adaptive({ members: [member('x', { error: bug })] });
    expect(await rejectionOf(plain.start({ to: '+491701234567' }))).toBe(bug);
  });
});

describe('dry run and inspection', () => {
  it('names itself, its members, and who serves in dry run', () => {
    const members = [member('a'), member('b')];
    expect(inspect(adaptive({ members }))).toBe("VerifyProvider { name: 'adaptive', adaptive: ['a', 'b'] }");
    expect(inspect(adaptive({ members, name: 'smart', dryRun: member('static') }))).toBe("VerifyProvider { name: 'smart', adaptive: ['a', 'b'] (dry run: static serves) }");
  });

  it('in dry run, calls go to the serving provider with its own ids', async () => {
    const served = member('static');
    const verify = adaptive({ members: [member('a')], dryRun: served, now: () => NOW });
    const v = await verify.start({ to: '+491701234567' });
    expect(v.id).toBe('static-1');
    expect((await verify.get(v.id)).id).toBe(v.id);
    expect(await verify.check(v.id, '1')).toEqual({ verified: true, status: 'verified' });
  });

  it('the same seed gives the same picks', async () => {
    const picks = async (seed: number) => {
      const members = [member('a'), member('b'), member('c')];
      const verify = adaptive({ members, seed, now: () => NOW });
      const out: string[] = [];
      for (let i = 0; i < 12; i++) out.push((await verify.start({ to: '+491701234567' })).id.split(':')[0]!);
      return out.join();
    };
    expect(await picks(5)).toBe(await picks(5));
    expect(await picks(5)).not.toBe(await picks(6));
  });
});

describe('options', () => {
  it.each([
    ['a name unfit for ids', { name: 'a:b' }, 'name'],
    ['an unknown policy', { policy: 'cheap' }, 'policy'],
    ['an α for no country', { alphaByCountry: { Germany: 0.1 } }, 'alphaByCountry.Germany'],
    ['an α above 0.9', { alphaByCountry: { DE: 1 } }, 'alphaByCountry.DE'],
    ['a fractional minOutcomes', { minOutcomes: 2.5 }, 'minOutcomes'],
    ['a floor above 0.2', { floor: 0.3 }, 'floor'],
    ['a price that is not a decimal', { prices: { a: { DE: '5 EUR' } } }, 'prices.a.DE'],
    ['a currency that is not ISO 4217', { currency: 'euro' }, 'currency'],
    ['a fractional seed', { seed: 1.5 }, 'seed'],
  ])('refuses %s, naming the field', (_why, extra, field) => {
    const error = (() => {
      try {
        adaptive({ members: [member('a')], ...(extra as object) });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toMatch(/^Invalid adaptive options: /);
    expect(error!.provider).toBe(typeof (extra as { name?: string }).name === 'string' ? 'a:b' : 'adaptive');
    expect(error!.issues.map((i) => i.field)).toEqual([field]);
  });

  it('refuses no members and two members of one name', () => {
    expect(() => adaptive({ members: [] })).toThrow(ValidationError);
    expect(() => adaptive({ members: [member('a'), member('a')] })).toThrow(/two different providers named 'a'/);
  });
});

describe('when the outcome store fails', () => {
  it('routes on the last pick for the country, else the members in order, with a warning; never an error', async () => {
    const memory = new MemoryOutcomeStore();
    let broken = false;
    const fail = () => Promise.reject(new Error('Redis did not answer within 500 ms'));
    const store = {
      pend: (...a: Parameters<MemoryOutcomeStore['pend']>) => (broken ? fail() : memory.pend(...a)),
      settle: (...a: Parameters<MemoryOutcomeStore['settle']>) => (broken ? fail() : memory.settle(...a)),
      expire: (...a: Parameters<MemoryOutcomeStore['expire']>) => (broken ? fail() : memory.expire(...a)),
      retract: (...a: Parameters<MemoryOutcomeStore['retract']>) => (broken ? fail() : memory.retract(...a)),
      tallies: (...a: Parameters<MemoryOutcomeStore['tallies']>) => (broken ? fail() : memory.tallies(...a)),
    };
    const events: VerifyEvent[] = [];
    const never = member('a', { result: { verified: false, status: 'expired', reason: 'expired' } });
    const verify = adaptive({ members: [never, member('b')], outcomes: store, minOutcomes: 2, floor: 0, seed: 1, now: () => NOW, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 12; i++) {
      const v = await verify.start({ to: '+491701234567' });
      await verify.check(v.id, '1');
    }
    expect((await verify.start({ to: '+491701234567' })).id).toMatch(/^b:/);
    broken = true;
    const v = await verify.start({ to: '+491701234567' });
    expect(v.id).toMatch(/^b:/);
    expect(await verify.check(v.id, '1')).toEqual({ verified: true, status: 'verified' });
    expect((await verify.start({ to: '+33612345678' })).id).toMatch(/^a:/);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings).toEqual([
      'the outcome store failed (Redis did not answer within 500 ms); routing on the last pick for DE',
      'the outcome store failed (Redis did not answer within 500 ms); routing on the members in order',
    ]);
  });
});

describe('a resend after a failed delivery', () => {
  it('goes to the best other member; the first id then reaches what the user last received', async () => {
    const lost = member('lost', { undelivered: true });
    const other = member('other');
    const outcomes = new MemoryOutcomeStore();
    const verify = adaptive({ members: [lost, other], outcomes, seed: 3, now: () => NOW });
    let first: Verification | undefined;
    for (let i = 0; i < 10 && !first; i++) {
      const v = await verify.start({ to: '+491701234567' });
      if (v.id.startsWith('lost:')) first = v;
    }
    const otherStarts = other.starts.length;
    const next = await verify.resend(first!.id);
    expect(next.id).toMatch(/^other:/);
    expect(other.starts).toHaveLength(otherStarts + 1);
    expect(lost.resends).toEqual([]);
    expect((await verify.get(first!.id)).id).toBe(next.id);
    expect(await verify.check(first!.id, '1234')).toEqual({ verified: true, status: 'verified' });
    const [lostTally] = await outcomes.tallies(['lost|*'], NOW);
    expect(lostTally!.notConverted).toBe(1);
  });

  it('where the delivery did not fail, is the member’s own resend', async () => {
    const only = member('only');
    const verify = adaptive({ members: [only, member('spare')], seed: 3, now: () => NOW });
    let v: Verification | undefined;
    for (let i = 0; i < 10 && !v; i++) {
      const started = await verify.start({ to: '+491701234567' });
      if (started.id.startsWith('only:')) v = started;
    }
    await verify.resend(v!.id);
    expect(only.resends).toEqual([v!.id.slice('only:'.length)]);
  });
});

describe('a resend, more cases', () => {
  const startOn = async (verify: VerifyProvider & { feedback: unknown }, prefix: string, to: string | { email: string } = '+491701234567') => {
    for (let i = 0; i < 20; i++) {
      const v = await verify.start({ to });
      if (v.id.startsWith(prefix)) return v;
    }
    throw new Error(`never started on ${prefix}`);
  };

  it('every delivery attempt failed counts as a failed delivery; get and cancel follow the new id', async () => {
    const lost = member('lost', { undelivered: 'attempts' });
    const verify = adaptive({ members: [lost, member('other')], seed: 2, now: () => NOW });
    const first = await startOn(verify, 'lost:');
    const next = await verify.resend(first.id);
    expect(next.id).toMatch(/^other:/);
    expect((await verify.cancel(first.id)).id).toBe(`other:canceled-${next.id.slice('other:'.length)}`);
    // A second resend of the first id goes on from what the user last received (which delivered): its own resend.
    await verify.resend(first.id);
  });

  it('an e-mail recipient is started again as an e-mail address; one member alone resends itself', async () => {
    const caps = { recipients: ['email'] as const, channels: ['email'] as const };
    const lost = member('lost', { undelivered: true, to: 'ann@example.com', caps: { recipients: [...caps.recipients], channels: [...caps.channels] } });
    const other = member('other', { caps: { recipients: [...caps.recipients], channels: [...caps.channels] } });
    const verify = adaptive({ members: [lost, other], seed: 2, now: () => NOW });
    const first = await startOn(verify, 'lost:', { email: 'ann@example.com' });
    await verify.resend(first.id);
    expect(other.starts.at(-1)).toBe('ann@example.com');
    const alone = member('alone', { undelivered: true });
    const single = adaptive({ members: [alone] });
    const v = await single.start({ to: '+491701234567' });
    await single.resend(v.id);
    expect(alone.resends).toEqual([v.id.slice('alone:'.length)]);
  });

  it('in dry run, a start served by a provider that is not a member is learned under the server’s name', async () => {
    const outcomes = new MemoryOutcomeStore();
    const verify = adaptive({ members: [member('a')], dryRun: member('static'), outcomes, now: () => NOW });
    const v = await verify.start({ to: '+491701234567' });
    await verify.check(v.id, '1');
    expect((await outcomes.tallies(['static|*', 'a|*'], NOW)).map((t) => t.converted)).toEqual([1, 0]);
  });
});
