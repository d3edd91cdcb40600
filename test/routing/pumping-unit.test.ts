/** The pumping defence's rule on figures given step by step (src/guard/pumping.ts). */
import { describe, expect, it } from 'vitest';
import { PumpingDefence } from '../../src/guard/pumping.js';
import { MemoryOutcomeStore } from '../../src/outcomes/memory-store.js';

const P = '+447700';
const MIN = 60_000;

/** `count` starts to the prefix at `at`, each checked `verified` (right code) or left unchecked; returns the time after. */
async function traffic(defence: PumpingDefence, at: number, count: number, verified: boolean, prefix = P, first = 0): Promise<number> {
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${first + i}-${at}`;
    await defence.started(id, prefix, 'GB', at + 5 * MIN, at);
    if (verified) await defence.checked(id, true, true, at + 1000);
  }
  return at;
}

describe('PumpingDefence', () => {
  it('needs minOutcomes recent outcomes, a conversion far below the usual and a volume far above it', async () => {
    const defence = new PumpingDefence({ minOutcomes: 10 });
    await traffic(defence, 0, 9, false);
    // Grace (30 s) passed: 9 unconverted outcomes are not yet 10.
    expect(await defence.verdict(P, 'GB', 31_000)).toEqual({ block: false });
    // Two more: the first nine weigh a little less by now (decay), the eleven make 10.5.
    await traffic(defence, 31_000, 2, false, P, 100);
    expect(await defence.verdict(P, 'GB', 62_000)).toEqual({ block: true, retryAfterMs: 5 * MIN, reason: 'converts 0 % against 60 % usually, on 11 recent starts' });
  });

  it('leaves a range that converts alone, and one whose volume is its usual', async () => {
    const converting = new PumpingDefence({ minOutcomes: 10 });
    await traffic(converting, 0, 20, true);
    expect(await converting.verdict(P, 'GB', 31_000)).toEqual({ block: false });
    // A range that always converts poorly: a week of its traffic makes 20 unconverted starts its usual volume.
    const usual = new MemoryOutcomeStore({ windowMs: 7 * 86_400_000, maxOutcomes: 1_000_000 });
    const poor = new PumpingDefence({ minOutcomes: 10, recentSeconds: 600 }, { usual });
    for (let i = 0; i < 20_000; i++) await usual.pend(`old-${i}`, { keys: [`p:${P}`], expiresAt: 0 });
    await usual.expire(1, 100_000);
    await traffic(poor, 1, 20, false);
    expect(await poor.verdict(P, 'GB', 40_000)).toEqual({ block: false });
  });

  it('takes the usual rate from the prefix, else the country, else the default', async () => {
    const usual = new MemoryOutcomeStore({ windowMs: 7 * 86_400_000, maxOutcomes: 1_000_000 });
    const defence = new PumpingDefence({ minOutcomes: 5, conversionFactor: 0.5 }, { usual });
    for (let i = 0; i < 100; i++) {
      await usual.pend(`c-${i}`, { keys: ['c:GB'], expiresAt: 10 });
      if (i < 90) await usual.settle(`c-${i}`, true, 5);
    }
    await usual.expire(11, 1000);
    await traffic(defence, 20, 5, false);
    expect((await defence.verdict(P, 'GB', 60_000)) as { reason: string }).toMatchObject({ block: true, reason: 'converts 0 % against 90 % usually, on 5 recent starts' });
    const bare = new PumpingDefence({ minOutcomes: 5, defaultConversion: 0.8 });
    await traffic(bare, 0, 5, false);
    expect(await bare.verdict(P, 'FR', 40_000)).toMatchObject({ block: true, reason: 'converts 0 % against 80 % usually, on 5 recent starts' });
  });

  it('blocks 5 minutes, then lets one probe through; others wait its grace; a probe not verified blocks twice as long', async () => {
    const defence = new PumpingDefence({ minOutcomes: 5 });
    await traffic(defence, 0, 5, false);
    expect(await defence.verdict(P, 'GB', 40_000)).toMatchObject({ block: true, retryAfterMs: 5 * MIN });
    expect(await defence.verdict(P, 'GB', 40_000 + 4 * MIN)).toEqual({ block: true, retryAfterMs: MIN, reason: 'blocked' });
    const end = 40_000 + 5 * MIN;
    expect(await defence.verdict(P, 'GB', end)).toEqual({ block: false });
    await defence.started('probe-1', P, 'GB', end + 5 * MIN, end);
    expect(await defence.verdict(P, 'GB', end + 10_000)).toEqual({ block: true, retryAfterMs: 20_000, reason: 'blocked' });
    expect(await defence.verdict(P, 'GB', end + 30_000)).toEqual({ block: true, retryAfterMs: 10 * MIN, reason: 'was still not converting after a block' });
    // The levels double up to 12 hours.
    let at = end + 30_000 + 10 * MIN;
    let last = 0;
    for (let level = 2; level < 12; level++) {
      expect(await defence.verdict(P, 'GB', at)).toEqual({ block: false });
      const verdict = (await defence.verdict(P, 'GB', at + 30_000)) as { retryAfterMs: number };
      last = verdict.retryAfterMs;
      at += 30_000 + last;
    }
    expect(last).toBe(12 * 3_600_000);
  });

  it('a probe verified in time lifts the block; another start’s check does not', async () => {
    const defence = new PumpingDefence({ minOutcomes: 5 });
    await traffic(defence, 0, 5, false);
    await defence.verdict(P, 'GB', 40_000);
    const end = 40_000 + 5 * MIN;
    await defence.verdict(P, 'GB', end);
    await defence.started('probe', P, 'GB', end + 5 * MIN, end);
    await defence.checked('someone-else', true, true, end + 1000);
    expect(await defence.verdict(P, 'GB', end + 2000)).toMatchObject({ block: true, reason: 'blocked' });
    await defence.checked('probe', true, true, end + 3000);
    // The block is lifted: the next judgement is a fresh one, on recent figures that have decayed below minOutcomes.
    expect(await defence.verdict(P, 'GB', end + 4000)).toEqual({ block: false });
  });

  it('a wrong code with tries left counts nothing; a final refusal counts as not converted at once', async () => {
    const recent = new MemoryOutcomeStore({ windowMs: 600_000 });
    const defence = new PumpingDefence({}, { recent });
    await defence.started('a', P, 'GB', 300_000, 0);
    await defence.checked('a', false, false, 1000);
    expect((await recent.tallies([`p:${P}`], 1000))[0]).toMatchObject({ converted: 0, notConverted: 0 });
    await defence.checked('a', false, true, 2000);
    expect((await recent.tallies([`p:${P}`], 2000))[0]!.notConverted).toBeCloseTo(1, 6);
  });

  it('fraud feedback takes a start out of the usual figures; shadow never blocks', async () => {
    const usual = new MemoryOutcomeStore({ windowMs: 7 * 86_400_000 });
    const defence = new PumpingDefence({}, { usual });
    await defence.started('a', P, 'GB', 10, 0);
    await defence.checked('a', true, true, 5);
    await defence.fraud('a', 6);
    expect((await usual.tallies([`p:${P}`], 6))[0]!.converted).toBeCloseTo(0, 6);
    const shadow = new PumpingDefence({ shadow: true, minOutcomes: 5 });
    await traffic(shadow, 0, 6, false);
    // Judged afresh each time: it would block again and again, but never holds a block.
    expect(await shadow.verdict(P, 'GB', 40_000)).toMatchObject({ block: true, retryAfterMs: 5 * MIN });
    expect(await shadow.verdict(P, 'GB', 41_000)).toMatchObject({ block: true, retryAfterMs: 5 * MIN, reason: 'converts 0 % against 60 % usually, on 6 recent starts' });
    expect(shadow.shadow).toBe(true);
  });

  it('holds at its boundaries: a history of exactly 50, a conversion of exactly the factor, a volume of exactly the factor', async () => {
    // A prefix's history of 40 outcomes (38 converted) before; the 10 recent starts join it: 50 outcomes, 40 converted (80 %).
    const history = async (outcomes: number, converted: number) => {
      const usual = new MemoryOutcomeStore({ windowMs: 7 * 86_400_000, maxOutcomes: 1_000_000 });
      for (let i = 0; i < outcomes; i++) {
        await usual.pend(`h-${i}`, { keys: [`p:${P}`], expiresAt: 10 });
        await usual.settle(`h-${i}`, i < converted, 5);
      }
      return usual;
    };
    const recentStarts = async (d: PumpingDefence, at: number, converted: number, count = 10) => {
      for (let i = 0; i < count; i++) {
        await d.started(`r-${at}-${i}`, P, 'GB', at + 5 * MIN, at);
        await d.checked(`r-${at}-${i}`, i < converted, true, at);
      }
    };
    // 2 of 10 converted: 20 % against 80 % is exactly a quarter of it: not blocked (the default, 90 %, would block).
    const defence = new PumpingDefence({ minOutcomes: 10, conversionFactor: 0.25, defaultConversion: 0.9 }, { usual: await history(40, 38) });
    await recentStarts(defence, 5, 2);
    expect(await defence.verdict(P, 'GB', 5)).toEqual({ block: false });
    // 1 of 10: below a quarter of 78 %: blocked, and the message gives the rates.
    const lower = new PumpingDefence({ minOutcomes: 10, conversionFactor: 0.25 }, { usual: await history(40, 38) });
    await recentStarts(lower, 5, 1);
    expect(await lower.verdict(P, 'GB', 5)).toEqual({ block: true, retryAfterMs: 5 * MIN, reason: 'converts 10 % against 78 % usually, on 10 recent starts' });
    // 49 outcomes of history in all: the prefix does not stand for itself, the country has too few, the default does.
    // A country's history of exactly 50 (40 before, the 10 recent) stands for a prefix without its own.
    const countryHistory = new MemoryOutcomeStore({ windowMs: 7 * 86_400_000, maxOutcomes: 1_000_000 });
    for (let i = 0; i < 40; i++) {
      await countryHistory.pend(`c-${i}`, { keys: ['c:GB'], expiresAt: 10 });
      await countryHistory.settle(`c-${i}`, true, 5);
    }
    const byCountry = new PumpingDefence({ minOutcomes: 10, defaultConversion: 0.5 }, { usual: countryHistory });
    await recentStarts(byCountry, 5, 0);
    expect(await byCountry.verdict(P, 'GB', 5)).toMatchObject({ reason: 'converts 0 % against 80 % usually, on 10 recent starts' });
    const defaulted = new PumpingDefence({ minOutcomes: 10, defaultConversion: 0.5 }, { usual: await history(39, 39) });
    await recentStarts(defaulted, 5, 0);
    expect(await defaulted.verdict(P, 'GB', 5)).toMatchObject({ reason: 'converts 0 % against 50 % usually, on 10 recent starts' });
    // The volume: a usual of 10 080 outcomes a week (10 070 before, the 10 recent) is 10 per 600 s; with
    // volumeFactor 1, 10 recent starts are not above it; 11 (of 10 081) are.
    const busy = new MemoryOutcomeStore({ windowMs: 7 * 86_400_000, maxOutcomes: 1_000_000 });
    for (let i = 0; i < 10_070; i++) {
      await busy.pend(`b-${i}`, { keys: [`p:${P}`], expiresAt: 0 });
      await busy.settle(`b-${i}`, true, 0);
    }
    const atVolume = new PumpingDefence({ minOutcomes: 10, volumeFactor: 1 }, { usual: busy });
    await recentStarts(atVolume, 0, 0);
    expect(await atVolume.verdict(P, 'GB', 0)).toEqual({ block: false });
    const aboveVolume = new PumpingDefence({ minOutcomes: 10, volumeFactor: 1 }, { usual: busy });
    await recentStarts(aboveVolume, 0, 0, 11);
    expect(await aboveVolume.verdict(P, 'GB', 0)).toMatchObject({ block: true });
  });

  it('keeps a busy range’s usual volume past 500 outcomes (its own stores are not capped like adaptive’s)', async () => {
    // 6 000 converted starts at time 0; 16 unconverted recent starts later are within 3 × its usual volume (≈ 6 per 600 s).
    const defence = new PumpingDefence({});
    for (let i = 0; i < 6000; i++) {
      await defence.started(`old-${i}`, P, 'GB', 5 * MIN, 0);
      await defence.checked(`old-${i}`, true, true, 1000);
    }
    // Three hours on, the recent figures have forgotten them (e⁻¹⁸); the week's have not.
    const later = 3 * 3_600_000;
    await traffic(defence, later, 16, false);
    expect(await defence.verdict(P, 'GB', later + 31_000)).toEqual({ block: false });
  });

  it('counts a start verified within its grace as converted, even when judged before the check', async () => {
    const recent = new MemoryOutcomeStore({ windowMs: 600_000 });
    const defence = new PumpingDefence({}, { recent });
    await defence.started('a', P, 'GB', 300_000, 0);
    await defence.verdict(P, 'GB', 29_000);
    await defence.checked('a', true, true, 29_500);
    expect((await recent.tallies([`p:${P}`], 29_500))[0]).toMatchObject({ converted: 1, notConverted: 0 });
  });

  it('the first start after a block is the probe, whoever starts next; a check while no probe is out is harmless', async () => {
    const defence = new PumpingDefence({ minOutcomes: 5 });
    await traffic(defence, 0, 5, false);
    await defence.verdict(P, 'GB', 40_000);
    // Blocked, no probe out yet: a verified check of anything else changes nothing and does not throw.
    await expect(defence.checked('elsewhere', true, true, 41_000)).resolves.toBeUndefined();
    const end = 40_000 + 5 * MIN;
    await defence.verdict(P, 'GB', end);
    await defence.started('probe', P, 'GB', end + 5 * MIN, end);
    // Another instance's start to the range at the same moment is not the probe.
    await defence.started('late', P, 'GB', end + 5 * MIN, end);
    await defence.checked('probe', true, true, end + 1000);
    expect(await defence.verdict(P, 'GB', end + 2000)).toEqual({ block: false });
  });

  it('a final refusal counts as not converted in the usual figures too', async () => {
    const usual = new MemoryOutcomeStore({ windowMs: 7 * 86_400_000 });
    const defence = new PumpingDefence({}, { usual });
    await defence.started('a', P, 'GB', 300_000, 0);
    await defence.checked('a', false, true, 1000);
    expect((await usual.tallies([`p:${P}`, 'c:GB'], 1000)).map((t) => [t.converted, Math.round(t.notConverted)])).toEqual([[0, 1], [0, 1]]);
  });
});
