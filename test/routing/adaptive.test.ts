/**
 * adaptive() on a seeded market with a ground truth (testing/market.ts, the world of
 * test/routing/world.ts): it learns each country's best member, follows a drift, fails over on
 * "nothing sent", learns from checks, forgets fraud, and in dry run only says what it would do.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError, adaptive, failover, type VerifyEvent, type VerifyProvider } from '../../providers/index.js';
import { ProviderUnavailableError, RejectedError } from '../../src/errors.js';
import { MemoryOutcomeStore } from '../../src/outcomes/memory-store.js';
import { openMarket } from '../../testing/market.js';
import { rejectionOf } from '../helpers.js';
import { WORLD } from './world.js';

describe('learning the market', () => {
  it('after a warm-up, the oracle’s pick (cheapest within 5 % of the best) has the most of each country’s traffic, and 85 % of it all', async () => {
    const market = openMarket(WORLD, { seed: 7 });
    const verify = adaptive({ members: market.members, policy: 'balanced', seed: 3, now: market.now });
    await market.run(verify, { starts: 5000, seed: 11 });
    const after = await market.run(verify, { starts: 3000, seed: 12 });
    let right = 0;
    for (const { code } of WORLD.countries) {
      const shares = after.shares[code]!;
      const top = Object.entries(shares).sort((a, b) => b[1] - a[1])[0]![0];
      expect({ code, top }).toEqual({ code, top: market.oracle(code, 0.05) });
      right += shares[market.oracle(code, 0.05)] ?? 0;
    }
    expect(right / after.started).toBeGreaterThan(0.85);
    // The run's scorecard per country adds up to the run.
    const sum = (field: 'started' | 'verified' | 'cost') => Object.values(after.countries).reduce((total, c) => total + c[field], 0);
    expect([sum('started'), sum('verified')]).toEqual([after.started, after.verified]);
    expect(sum('cost')).toBeCloseTo(after.cost, 1);
    for (const { code } of WORLD.countries) expect(after.countries[code]!.started).toBe(Object.values(after.shares[code]!).reduce((a, b) => a + b, 0));
  });

  it('follows a drift: a member whose delivery drops from 93 % to 40 % falls below a fifth of its country within 500 starts there', async () => {
    const driftAt = 4000 * 1000;
    const market = openMarket({ ...WORLD, drift: [{ vendor: 'lox24', country: 'DE', fromMs: driftAt, delivery: 0.4 }] }, { seed: 7 });
    const verify = adaptive({ members: market.members, seed: 3, now: market.now });
    const germany: string[] = [];
    await market.run(verify, { starts: 9000, seed: 11, onStart: (v, i) => void (v.to.startsWith('+4917') && i >= 4000 && germany.push(v.provider)) });
    const window = (from: number) => germany.slice(from, from + 100).filter((p) => p === 'lox24').length / 100;
    expect(window(0)).toBeGreaterThan(0.8);
    expect(window(400)).toBeLessThan(0.2);
  });
});

/** A member that fails its starts with `error` and records them. */
function failing(name: string, error: Error): VerifyProvider & { starts: number } {
  const market = openMarket({ ...WORLD, vendors: [{ ...WORLD.vendors[0]!, name }] });
  const member = market.members[0]!;
  const wrapped = { ...member, starts: 0, start: async () => { wrapped.starts++; throw error; } };
  return wrapped;
}

describe('failing over', () => {
  it('moves to the next choice when nothing was sent, and stops when something may have been', async () => {
    const market = openMarket(WORLD, { seed: 7 });
    const events: VerifyEvent[] = [];
    const broke = failing('broke', new RejectedError('broke start: HTTP 402', { provider: 'broke', operation: 'start', sent: 'no' }));
    const verify = adaptive({ members: [broke, ...market.members], seed: 1, now: market.now, minOutcomes: 1, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 20; i++) expect((await verify.start({ to: `+4917${String(10_000_000 + i)}` })).id).not.toMatch(/^broke:/);
    expect(broke.starts).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'decision' && e.decision === 'next' && e.member === 'broke')).toBe(true);
    const maybe = failing('maybe', new ProviderUnavailableError('maybe start: HTTP 503', { provider: 'maybe', operation: 'start', sent: 'maybe' }));
    const stopping = adaptive({ members: [maybe], now: market.now });
    expect(await rejectionOf(stopping.start({ to: '+491701234567' }))).toMatchObject({ sent: 'maybe', provider: 'maybe' });
  });
});

describe('outcomes', () => {
  it('a check counts the start converted; an expired one counts as not; fraud feedback takes a start back out', async () => {
    const market = openMarket({ ...WORLD, vendors: [WORLD.vendors[0]!] }, { seed: 7 });
    const outcomes = new MemoryOutcomeStore();
    const verify = adaptive({ members: market.members, outcomes, now: market.now });
    const a = await verify.start({ to: '+491701000001' });
    const b = await verify.start({ to: '+491701000002' });
    expect(a.id).toMatch(/^lox24:/);
    const tally = async () => (await outcomes.tallies(['lox24|c:DE'], market.now()))[0]!;
    expect(await tally()).toEqual({ converted: 0, notConverted: 0, cost: 0, costed: 0 });
    if (market.delivered(a.id)) expect(await verify.check(a.id, '123456')).toEqual({ verified: true, status: 'verified' });
    market.advance(301_000);
    await verify.start({ to: '+491701000003' }); // each start settles what expired
    const counted = await tally();
    expect(counted.converted + counted.notConverted).toBeCloseTo(2, 3);
    expect(counted.costed).toBeCloseTo(2, 3);
    await verify.feedback(b.id, 'fraud');
    expect((await tally()).converted + (await tally()).notConverted).toBeCloseTo(1, 3);
    await verify.feedback(a.id, 'genuine');
    expect((await tally()).converted + (await tally()).notConverted).toBeCloseTo(1, 3);
  });

  it('every pick is an explore or exploit decision with the figures behind it', async () => {
    const market = openMarket(WORLD, { seed: 7 });
    const events: VerifyEvent[] = [];
    const verify = adaptive({ members: market.members, seed: 5, now: market.now, minOutcomes: 5, onEvent: (e) => events.push(e) });
    await market.run(verify, { starts: 400, seed: 11 });
    const picks = events.filter((e): e is Extract<VerifyEvent, { type: 'decision' }> => e.type === 'decision' && (e.decision === 'explore' || e.decision === 'exploit'));
    expect(picks).toHaveLength(400);
    // The first start knows nothing yet: every member has no outcome, and the prices it reported are not learned yet either.
    expect(picks[0]).toMatchObject({ decision: 'explore', reason: 'fewer than 5 outcomes here', figures: [
      { member: 'lox24', outcomes: 0, conversion: null, price: null },
      { member: 'notificore', outcomes: 0, conversion: null, price: null },
      { member: 'messagebird', outcomes: 0, conversion: null, price: null },
    ] });
    const late = picks.at(-1)!;
    expect(late.figures!.every((f) => f.price !== null && f.conversion !== null)).toBe(true);
    expect(picks.some((e) => e.decision === 'exploit' && e.reason === 'cheapest within 5 % of the best conversion')).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/\+\d{9,}/);
  });
});

describe('dry run', () => {
  it('serves every start through the static provider, says what it would pick, and learns from what was served', async () => {
    const market = openMarket(WORLD, { seed: 7 });
    const events: VerifyEvent[] = [];
    const outcomes = new MemoryOutcomeStore();
    const fixed = failover([market.members[1]!]);
    const verify = adaptive({ members: market.members, dryRun: fixed, outcomes, seed: 1, now: market.now, onEvent: (e) => events.push(e) });
    const run = await market.run(verify, { starts: 300, seed: 11 });
    expect(Object.values(run.shares).every((s) => Object.keys(s).join() === 'notificore')).toBe(true);
    const picks = events.filter((e) => e.type === 'decision' && e.servedBy !== undefined);
    expect(picks).toHaveLength(300);
    expect(picks.every((e) => e.type === 'decision' && e.servedBy === 'notificore')).toBe(true);
    market.advance(301_000);
    await verify.start({ to: '+491701000001' }); // settles what expired
    const [learned] = await outcomes.tallies(['notificore|*'], market.now());
    expect(learned!.converted + learned!.notConverted).toBeCloseTo(300, 0);
  });
});

describe('options', () => {
  it('refuses bad options naming the field', () => {
    expect(() => adaptive({ members: [] })).toThrow(ValidationError);
    const error = (() => {
      try {
        adaptive({ members: openMarket(WORLD).members, policy: 'cheap' as never, floor: 0.5, prices: { lox24: { DE: 'five' } } });
      } catch (e) {
        return e as ValidationError;
      }
    })()!;
    expect(error.issues.map((i) => i.field)).toEqual(['policy', 'floor', 'prices.lox24.DE']);
  });
});
