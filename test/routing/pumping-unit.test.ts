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
});
