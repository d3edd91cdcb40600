/** The outcome store in memory: settling once, expiry, decay, the cap, retraction, bounds; destinations. */
import { describe, expect, it } from 'vitest';
import { destinationOf, outcomeKeys } from '../../src/outcomes/destination.js';
import { MemoryOutcomeStore } from '../../src/outcomes/memory-store.js';
import { counted, decayed, decayOptions } from '../../src/outcomes/store.js';

const DAY = 86_400_000;
const pending = (expiresAt: number, cost?: number) => ({ keys: ['m|c:DE', 'm|*'], expiresAt, ...(cost !== undefined && { cost }) });

describe('MemoryOutcomeStore', () => {
  it('settles a start once, under each of its keys, with its cost', async () => {
    const store = new MemoryOutcomeStore();
    await store.pend('a', pending(1000, 0.05));
    expect(await store.settle('a', true, 10)).toEqual({ keys: ['m|c:DE', 'm|*'], expiresAt: 1000, cost: 0.05, converted: true, at: 10 });
    expect(await store.settle('a', false, 20)).toBeUndefined();
    expect(await store.settle('never', true, 20)).toBeUndefined();
    const [de, all, other] = await store.tallies(['m|c:DE', 'm|*', 'x|*'], 10);
    expect(de).toEqual({ converted: 1, notConverted: 0, cost: 0.05, costed: 1 });
    expect(all).toEqual(de);
    expect(other).toEqual({ converted: 0, notConverted: 0, cost: 0, costed: 0 });
  });

  it('counts starts past their expiry as not converted, oldest first, at most `limit`', async () => {
    const store = new MemoryOutcomeStore();
    for (const [id, at] of [['a', 100], ['b', 200], ['c', 300]] as const) await store.pend(id, pending(at));
    expect(await store.expire(150, 10)).toBe(1);
    expect(await store.expire(1000, 1)).toBe(1);
    expect(await store.expire(1000, 10)).toBe(1);
    expect(await store.expire(1000, 10)).toBe(0);
    expect((await store.tallies(['m|*'], 1000))[0]!.notConverted).toBeCloseTo(3, 4);
    expect(await store.settle('a', true, 1000)).toBeUndefined();
  });

  it('decays with the window, and takes a fraud outcome back out at its weight now', async () => {
    const store = new MemoryOutcomeStore({ windowMs: DAY });
    await store.pend('a', pending(DAY * 10));
    await store.pend('b', pending(DAY * 10));
    await store.settle('a', true, 0);
    await store.settle('b', false, 0);
    const [later] = await store.tallies(['m|*'], DAY);
    expect(later!.converted).toBeCloseTo(Math.exp(-1), 10);
    expect(await store.retract('b', DAY)).toMatchObject({ converted: false });
    expect(await store.retract('b', DAY)).toBeUndefined();
    const [after] = await store.tallies(['m|*'], DAY);
    expect(after!.notConverted).toBeCloseTo(0, 10);
    expect(after!.converted).toBeCloseTo(Math.exp(-1), 10);
  });

  it('keeps memory bounded: the oldest pending start counts as not converted, old keys and settled outcomes go', async () => {
    const store = new MemoryOutcomeStore({ maxPending: 2, maxKeys: 2, maxSettled: 1 });
    await store.pend('a', { keys: ['k1'], expiresAt: 50 });
    await store.pend('b', { keys: ['k2'], expiresAt: 60 });
    await store.pend('c', { keys: ['k3'], expiresAt: 70 });
    expect(await store.settle('a', true, 1)).toBeUndefined();
    expect((await store.tallies(['k1'], 50))[0]!.notConverted).toBe(1);
    await store.settle('b', true, 60);
    await store.settle('c', true, 70);
    expect((await store.tallies(['k1'], 70))[0]!.notConverted).toBe(0);
    expect(await store.retract('b', 70)).toBeUndefined();
    expect(await store.retract('c', 70)).toMatchObject({ converted: true });
  });
});

describe('counters', () => {
  const options = decayOptions({ windowMs: 1000, maxOutcomes: 4 });
  it('cap the outcomes a key holds, scaling every count alike', () => {
    let t = counted(undefined, { converted: true, cost: 2 }, 0, options);
    for (let i = 0; i < 7; i++) t = counted(t, { converted: false }, 0, options);
    expect(t.converted + t.notConverted).toBeCloseTo(4, 10);
    expect(t.converted / (t.converted + t.notConverted)).toBeLessThan(0.2);
    expect(t.cost / t.costed).toBeCloseTo(2, 10);
    expect(decayed(undefined, 5, 1000)).toEqual({ converted: 0, notConverted: 0, cost: 0, costed: 0 });
    expect(decayed({ ...t, at: 10 }, 5, 1000).converted).toBe(t.converted);
    expect(decayOptions()).toEqual({ windowMs: 7 * 86_400_000, maxOutcomes: 500 });
  });

  it('never go below zero when an outcome is taken out', () => {
    expect(counted(undefined, { converted: true, cost: 1 }, 0, options, -1)).toEqual({ converted: 0, notConverted: 0, cost: 0, costed: 0, at: 0 });
  });
});

describe('destinations', () => {
  it('a number’s country and its prefix without the last six digits; an address’s domain', () => {
    const country = (phone: string) => (phone.startsWith('+49') ? 'DE' : undefined);
    expect(destinationOf('+491701234567', country)).toEqual({ country: 'DE', prefix: '+491701' });
    expect(destinationOf('+1234567', country)).toEqual({ country: 'unknown', prefix: '+12' });
    expect(destinationOf({ email: 'Ann@Example.COM' }, country)).toEqual({ country: 'email', prefix: '@example.com' });
    expect(outcomeKeys('lox24', { country: 'DE', prefix: '+491701' })).toEqual(['lox24|*', 'lox24|c:DE', 'lox24|p:+491701']);
  });
});
