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
    ['members that are not an array', { members: {} }, 'members', 'must be an array of providers'],
    ['a member without a name', { members: [{ name: 5 }] }, 'members.0.name', 'must be a string'],
    ['no members', { members: [] }, 'members', 'must have at least one provider'],
    ['a name that is not a string', { name: 5 }, 'name', 'must be a string'],
    ['a name unfit for ids', { name: 'a:b' }, 'name', 'must be 1 to 40 letters, digits, _ or -'],
    ['an unknown policy', { policy: 'cheap' }, 'policy', 'must be conversion, balanced or cost'],
    ['an α for no country', { alphaByCountry: { Germany: 0.1 } }, 'alphaByCountry.Germany', 'must be ISO 3166-1 alpha-2 codes'],
    ['an α for a three-letter code', { alphaByCountry: { DEU: 0.1 } }, 'alphaByCountry.DEU', 'must be ISO 3166-1 alpha-2 codes'],
    ['an α for a code after a letter', { alphaByCountry: { xDE: 0.1 } }, 'alphaByCountry.xDE', 'must be ISO 3166-1 alpha-2 codes'],
    ['an α that is a string', { alphaByCountry: { DE: '0.1' } }, 'alphaByCountry.DE', 'must be a number'],
    ['an α below 0', { alphaByCountry: { DE: -1 } }, 'alphaByCountry.DE', 'must be at least 0'],
    ['an α above 0.9', { alphaByCountry: { DE: 1 } }, 'alphaByCountry.DE', 'must be at most 0.9'],
    ['a minOutcomes that is a string', { minOutcomes: 'x' }, 'minOutcomes', 'must be a number'],
    ['a fractional minOutcomes', { minOutcomes: 2.5 }, 'minOutcomes', 'must be a whole number'],
    ['a minOutcomes of 0', { minOutcomes: 0 }, 'minOutcomes', 'must be at least 1'],
    ['a minOutcomes above 10 000', { minOutcomes: 20_000 }, 'minOutcomes', 'must be at most 10000'],
    ['a floor that is a string', { floor: 'x' }, 'floor', 'must be a number'],
    ['a floor below 0', { floor: -0.1 }, 'floor', 'must be at least 0'],
    ['a floor above 0.2', { floor: 0.3 }, 'floor', 'must be at most 0.2'],
    ['a price that is a number', { prices: { a: { DE: 5 } } }, 'prices.a.DE', 'must be a decimal string'],
    ['a price with a currency', { prices: { a: { DE: '5 EUR' } } }, 'prices.a.DE', 'must be a decimal string such as 0.05'],
    ['a price after a letter', { prices: { a: { DE: 'a5' } } }, 'prices.a.DE', 'must be a decimal string such as 0.05'],
    ['a currency in words', { currency: 'euro' }, 'currency', 'must be an ISO 4217 code such as EUR'],
    ['a currency of four letters', { currency: 'EURO' }, 'currency', 'must be an ISO 4217 code such as EUR'],
    ['a currency after a letter', { currency: 'xEUR' }, 'currency', 'must be an ISO 4217 code such as EUR'],
    ['a seed that is a string', { seed: 'x' }, 'seed', 'must be a number'],
    ['a fractional seed', { seed: 1.5 }, 'seed', 'must be a whole number'],
  ])('refuses %s, naming the field', (_why, extra, field, message) => {
    const error = (() => {
      try {
        adaptive({ members: [member('a')], ...(extra as object) });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toBe(`Invalid adaptive options: ${field}: ${message}`);
    expect(error).toMatchObject({ provider: typeof (extra as { name?: unknown }).name === 'string' ? 'a:b' : 'adaptive', operation: 'config' });
    expect(error!.issues).toEqual([{ field, message }]);
  });

  it('takes every option at its bounds', () => {
    expect(() => adaptive({ members: [member('a')], name: 'a-Z_9', policy: 'cost', alphaByCountry: { DE: 0, FR: 0.9 }, minOutcomes: 1, floor: 0.2, prices: { a: { DE: '10', FR: '5', '*': '0.05' } }, currency: 'USD', seed: 0 })).not.toThrow();
    expect(() => adaptive({ members: [member('a')], minOutcomes: 10_000, floor: 0 })).not.toThrow();
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
      link: (...a: Parameters<MemoryOutcomeStore['link']>) => (broken ? fail() : memory.link(...a)),
      linked: (...a: Parameters<MemoryOutcomeStore['linked']>) => (broken ? fail() : memory.linked(...a)),
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

describe('what the store is asked, and when', () => {
  /** A memory store whose calls are logged, and whose `pend` waits until released. */
  function held() {
    const memory = new MemoryOutcomeStore();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store = {
      pend: async (...a: Parameters<MemoryOutcomeStore['pend']>) => { log.push('pend'); await gate; await memory.pend(...a); log.push('pended'); },
      settle: async (...a: Parameters<MemoryOutcomeStore['settle']>) => (log.push('settle'), memory.settle(...a)),
      retract: async (...a: Parameters<MemoryOutcomeStore['retract']>) => (log.push('retract'), memory.retract(...a)),
      // Expiry answers only once the tallies were asked for too: a start that waited for one before asking the other would hang.
      expire: async (...a: Parameters<MemoryOutcomeStore['expire']>) => (log.push('expire'), await Promise.resolve(), await Promise.resolve(), log.at(-2) === 'tallies' || log.at(-1) === 'tallies' ? memory.expire(...a) : new Promise<number>(() => undefined)),
      tallies: async (...a: Parameters<MemoryOutcomeStore['tallies']>) => (log.push('tallies'), memory.tallies(...a)),
      link: (...a: Parameters<MemoryOutcomeStore['link']>) => memory.link(...a),
      linked: (...a: Parameters<MemoryOutcomeStore['linked']>) => memory.linked(...a),
    };
    return { memory, store, log, release };
  }

  it('reads for the pick together (one round trip with Redis), and a start does not wait for its record', async () => {
    const { memory, store, log, release } = held();
    const verify = adaptive({ members: [member('a')], outcomes: store, now: () => NOW });
    const v = await verify.start({ to: '+491701234567' });
    expect(log).toEqual(['expire', 'tallies', 'pend']);
    // The check waits for the record before it settles, so the outcome is counted.
    const checked = verify.check(v.id, '1');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(log).toEqual(['expire', 'tallies', 'pend']);
    release();
    expect(await checked).toEqual({ verified: true, status: 'verified' });
    expect(log).toEqual(['expire', 'tallies', 'pend', 'pended', 'settle']);
    expect((await memory.tallies(['a|*'], NOW))[0]!.converted).toBe(1);
  });

  it('fraud feedback waits for the record too, and a record that fails (even by a throw) fails nothing', async () => {
    const { memory, store, log, release } = held();
    const verify = adaptive({ members: [member('a')], outcomes: store, now: () => NOW });
    const v = await verify.start({ to: '+491701234567' });
    await verify.feedback(v.id, 'genuine');
    const flagged = verify.feedback(v.id, 'fraud');
    release();
    await flagged;
    expect(log.slice(-2)).toEqual(['pended', 'retract']);
    expect((await memory.tallies(['a|*'], NOW))[0]).toMatchObject({ converted: 0, notConverted: 0 });
    const throwing = { ...store, pend: () => { throw new Error('no Redis'); } };
    const plain = adaptive({ members: [member('b')], outcomes: throwing, now: () => NOW });
    const w = await plain.start({ to: '+491701234567' });
    expect(await plain.check(w.id, '1')).toEqual({ verified: true, status: 'verified' });
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

  it('another instance on the same outcome store follows the first id to the new start', async () => {
    const lost = member('lost', { undelivered: true });
    const other = member('other');
    const outcomes = new MemoryOutcomeStore();
    const one = adaptive({ members: [lost, other], outcomes, seed: 3, now: () => NOW });
    const two = adaptive({ members: [lost, other], outcomes, seed: 3, now: () => NOW });
    let first: Verification | undefined;
    for (let i = 0; i < 10 && !first; i++) {
      const v = await one.start({ to: '+491701234567' });
      if (v.id.startsWith('lost:')) first = v;
    }
    const next = await one.resend(first!.id);
    expect((await two.get(first!.id)).id).toBe(next.id);
    expect((await two.cancel(first!.id)).id).toBe(`other:canceled-${next.id.slice('other:'.length)}`);
    expect(await two.check(first!.id, '1234')).toEqual({ verified: true, status: 'verified' });
    // Settled once, under the member that sent what the user received.
    expect((await outcomes.tallies(['other|*'], NOW))[0]!.converted).toBe(1);
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

describe('edges', () => {
  const picks = async (verify: VerifyProvider, count: number, request: Parameters<VerifyProvider['start']>[0] = { to: '+491701234567' }) => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push((await verify.start(request)).id.split(':')[0]!);
    return out;
  };

  it('an e-mail start goes only to members that take e-mail, a code of your own only to those that take one, every time', async () => {
    const verify = adaptive({ members: [member('phone'), member('mail', { caps: { recipients: ['email'], channels: ['email'] } }), member('own', { caps: { customCode: true } })], seed: 2, now: () => NOW });
    expect(new Set(await picks(verify, 20, { to: { email: 'ann@example.com' } }))).toEqual(new Set(['mail']));
    expect(new Set(await picks(verify, 20, { to: '+491701234567', code: '4321' }))).toEqual(new Set(['own']));
  });

  it('the country of a number is its own, even where two countries share leading digits (+1 204 is Canada, +1 202 the US)', async () => {
    const events: VerifyEvent[] = [];
    const verify = adaptive({ members: [member('a')], now: () => NOW, onEvent: (e) => events.push(e) });
    for (const to of ['+12025550123', '+12045550123', '+447700900123']) await verify.start({ to });
    // The last is in Ofcom's drama range: no single country by the metadata, the first possible one.
    expect(decisions(events).filter((e) => e.country).map((e) => e.country)).toEqual(['US', 'CA', 'GB']);
  });

  it('without a seed, picks are random (two providers differ); with one, the floor sets the share of the others', async () => {
    const unseeded = async () => (await picks(adaptive({ members: [member('a'), member('b'), member('c')], now: () => NOW }), 40)).join();
    expect(await unseeded()).not.toBe(await unseeded());
    // a converts, b never: after learning, b keeps about the floor's share.
    const share = async (floor: number | undefined) => {
      const b = member('b', { result: { verified: false, status: 'expired', reason: 'expired' } });
      const verify = adaptive({ members: [member('a'), b], minOutcomes: 5, seed: 7, now: () => NOW, ...(floor === undefined ? {} : { floor }) });
      for (let i = 0; i < 40; i++) {
        const v = await verify.start({ to: '+491701234567' });
        await verify.check(v.id, '1');
      }
      return (await picks(verify, 400)).filter((p) => p === 'b').length / 400;
    };
    expect(await share(0.2)).toBeGreaterThan(0.12);
    expect(await share(undefined)).toBeLessThan(0.06);
  });

  it('a country with no costs seen takes the member’s costs seen everywhere as its price', async () => {
    const events: VerifyEvent[] = [];
    const verify = adaptive({ members: [member('a', { cost: { amount: '0.07', currency: 'EUR' } })], now: () => NOW, onEvent: (e) => events.push(e) });
    const v = await verify.start({ to: '+491701234567' });
    await verify.check(v.id, '1');
    await verify.start({ to: '+33612345678' });
    expect(decisions(events).filter((e) => e.figures).at(-1)!.figures!.map((f) => [f.member, f.price])).toEqual([['a', 0.07]]);
  });

  it('refuses a bad start request and bad call options as itself, before any member is asked', async () => {
    const a = member('a');
    const verify = adaptive({ members: [a], now: () => NOW });
    const bad = (await rejectionOf(verify.start({ to: '12345' }))) as ValidationError;
    expect(bad).toMatchObject({ name: 'ValidationError', provider: 'adaptive', operation: 'start' });
    expect(bad.message).toMatch(/^Invalid start request: to: /);
    const options = (await rejectionOf(verify.start({ to: '+491701234567' }, { timeoutMs: -1 } as never))) as ValidationError;
    expect(options).toMatchObject({ name: 'ValidationError', provider: 'adaptive', operation: 'start' });
    expect(options.issues.map((i) => i.field)).toEqual(['options.timeoutMs']);
    expect(a.starts).toEqual([]);
  });

  it('events: the decision, try and sent, all named start; exhausted names the last member tried', async () => {
    const events: VerifyEvent[] = [];
    const verify = adaptive({ members: [member('a')], now: () => NOW, onEvent: (e) => events.push(e) });
    await verify.start({ to: '+491701234567' });
    expect(decisions(events).map((e) => [e.operation, e.member, e.decision])).toEqual([['start', 'a', 'explore'], ['start', 'a', 'try'], ['start', 'a', 'sent']]);
    const refuse = (name: string) => member(name, { error: new RejectedError(`${name} start: HTTP 402`, { provider: name, operation: 'start', sent: 'no' }) });
    const failing: VerifyEvent[] = [];
    const all = adaptive({ members: [refuse('x'), refuse('y'), refuse('z')], seed: 1, now: () => NOW, onEvent: (e) => failing.push(e) });
    await rejectionOf(all.start({ to: '+491701234567' }));
    const tried = decisions(failing).filter((e) => e.decision === 'try').map((e) => e.member);
    expect(decisions(failing).at(-1)).toMatchObject({ decision: 'exhausted', member: tried.at(-1) });
    // What is not a polyverify error stops the start without a stop event.
    const bugs: VerifyEvent[] = [];
    await rejectionOf(adaptive({ members: [member('q', { error: new TypeError('a bug') })], onEvent: (e) => bugs.push(e) }).start({ to: '+491701234567' }));
    expect(decisions(bugs).map((e) => e.decision)).toEqual(['explore', 'try']);
  });

  it('when the store fails, the last pick holds only where it ranked every member that can take the start', async () => {
    const memory = new MemoryOutcomeStore();
    let broken = false;
    const store = new Proxy(memory, { get: (target, key) => (broken ? () => Promise.reject(new Error('down')) : (Reflect.get(target, key) as (...a: unknown[]) => unknown).bind(target)) }) as MemoryOutcomeStore;
    const never = (name: string, caps?: Partial<Capabilities>) => member(name, { caps, result: { verified: false, status: 'expired', reason: 'expired' } });
    const events: VerifyEvent[] = [];
    const verify = adaptive({ members: [never('a', { customCode: true }), member('b', { caps: { customCode: true } }), never('c')], outcomes: store, minOutcomes: 2, floor: 0, seed: 1, now: () => NOW, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 15; i++) {
      const v = await verify.start({ to: '+491701234567' });
      await verify.check(v.id, '1');
    }
    // The last pick (all three able) put b first.
    await verify.start({ to: '+491701234567' });
    broken = true;
    // Only a and b take a code of your own: the last pick, without c, still ranks them: b.
    expect((await verify.start({ to: '+491701234567', code: '1234' })).id).toMatch(/^b:/);
    expect(decisions(events).at(-3)).toMatchObject({ decision: 'exploit', reason: 'the outcome store failed: the last pick for this country', figures: [] });
    broken = false;
    // A pick made with only a and b able leaves c unranked: with the store down again, a plain start goes by the members' order.
    await verify.start({ to: '+491701234567', code: '1234' });
    broken = true;
    expect((await verify.start({ to: '+491701234567' })).id).toMatch(/^a:/);
    expect(decisions(events).at(-3)).toMatchObject({ reason: 'the outcome store failed: the members in order' });
    expect(events.filter((e) => e.type === 'warning').map((e) => [e.operation, (e as { message: string }).message])).toEqual([
      ['start', 'the outcome store failed (down); routing on the last pick for DE'],
      ['start', 'the outcome store failed (down); routing on the members in order'],
    ]);
  });

  it('a resend never goes back to the member whose delivery failed, even when no other can take the start', async () => {
    const lost = member('lost', { undelivered: true });
    const mailOnly = member('mail', { caps: { recipients: ['email'], channels: ['email'] } });
    const verify = adaptive({ members: [lost, mailOnly], seed: 5, now: () => NOW });
    for (let i = 0; i < 10; i++) {
      const v = await verify.start({ to: '+491701234567' });
      expect((await verify.resend(v.id)).id).toMatch(/^mail:/);
    }
    expect(lost.starts).toHaveLength(10);
  });

  it('a delivery with one attempt failed and one delivered did not fail: the member’s own resend', async () => {
    const mixed: Fake = { ...member('mixed'), resends: [] };
    const resends: string[] = [];
    const m: Fake = {
      ...mixed,
      get: async (id) => ({ ...fakeVerification('mixed', id, NOW), status: 'pending', attempts: [{ channel: 'sms', status: 'failed', at: undefined, messageId: undefined, raw: {} }, { channel: 'voice', status: 'delivered', at: undefined, messageId: undefined, raw: {} }] }),
      resend: async (id) => (resends.push(id), fakeVerification('mixed', id, NOW)),
    };
    const verify = adaptive({ members: [m, member('other')], seed: 2, now: () => NOW });
    let v: Verification | undefined;
    for (let i = 0; i < 20 && !v; i++) {
      const started = await verify.start({ to: '+491701234567' });
      if (started.id.startsWith('mixed:')) v = started;
    }
    await verify.resend(v!.id);
    expect(resends).toEqual([v!.id.slice('mixed:'.length)]);
  });

  it('in dry run, lists through the serving provider, and learns a member’s start under the member', async () => {
    const outcomes = new MemoryOutcomeStore();
    const served: VerifyProvider = {
      ...member('static'),
      start: async () => ({ ...fakeVerification('inner', 'inner:1', NOW), expiresAt: new Date(NOW + 60_000) }),
      list: () => (async function* () { yield fakeVerification('static', 'v9', NOW); })(),
      listPage: async () => ({ items: [fakeVerification('static', 'v9', NOW)] }),
    };
    const dryEvents: VerifyEvent[] = [];
    const verify = adaptive({ members: [member('a')], dryRun: served, outcomes, now: () => NOW, onEvent: (e) => dryEvents.push(e) });
    const listed: string[] = [];
    for await (const item of verify.list()) listed.push(item.id);
    expect(listed).toEqual(['static:v9']);
    const v = await verify.start({ to: '+491701234567' });
    await verify.check(v.id, '1');
    expect(decisions(dryEvents)).toEqual([expect.objectContaining({ operation: 'start', member: 'a', decision: 'explore', servedBy: 'static' })]);
    // 'inner' is neither a member nor the server: learned under the server's name.
    expect((await outcomes.tallies(['static|*', 'inner|*'], NOW)).map((t) => t.converted)).toEqual([1, 0]);
    const asMember = adaptive({ members: [member('a')], dryRun: { ...served, start: async () => fakeVerification('a', 'a:1', NOW) }, outcomes, now: () => NOW });
    const w = await asMember.start({ to: '+491701234567' });
    await asMember.check(w.id, '1');
    expect((await outcomes.tallies(['a|*'], NOW))[0]!.converted).toBe(1);
  });
});
