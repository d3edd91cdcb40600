/**
 * The pumping defence of guard() on the seeded market: a burst of never-converting starts to one
 * range is blocked early, genuine traffic elsewhere is untouched, shadow mode only reports.
 */
import { describe, expect, it } from 'vitest';
import { adaptive, guard, type VerifyEvent } from '../../providers/index.js';
import { openMarket } from '../../testing/market.js';

const ATTACK = { prefix: '+2348099', digits: 6, fromMs: 3000 * 1000, starts: 1000 };

async function underAttack(shadow: boolean) {
  const market = openMarket({ ...openMarket().world, pumping: ATTACK }, { seed: 3 });
  const events: VerifyEvent[] = [];
  const verify = guard(adaptive({ members: market.members, seed: 2, now: market.now }), { pumping: { shadow }, now: market.now, onEvent: (e) => events.push(e) });
  const run = await market.run(verify, { starts: 6000, seed: 4 });
  return { run, events };
}

describe('the pumping defence', () => {
  it('blocks a burst of 1 000 never-converting starts to one range after at most 50 are sent, and refuses no genuine start elsewhere', async () => {
    const { run, events } = await underAttack(false);
    expect(run.pumped.sent + run.pumped.refused).toBe(1000);
    expect(run.pumped.sent).toBeLessThanOrEqual(50);
    expect(run.refused).toBe(0);
    const refusals = events.filter((e) => e.type === 'decision' && e.rule === 'pumping' && e.decision === 'refused');
    expect(refusals.length).toBeGreaterThan(900);
    expect(refusals[0]).toMatchObject({ provider: 'adaptive', to: expect.stringMatching(/^\+23480\*+\d\d$/), reason: expect.stringMatching(/^traffic to this number range converts \d % against \d\d % usually, on \d+ recent starts \(SMS pumping\)$/) });
    console.log(`pumping: ${run.pumped.sent} of 1000 attack starts sent; ${run.collateral} genuine starts in the range refused; ${run.refused} elsewhere`);
  });

  it('in shadow mode reports the same burst and refuses nothing', async () => {
    const { run, events } = await underAttack(true);
    expect(run.pumped).toEqual({ sent: 1000, refused: 0 });
    expect(run.refused + run.collateral).toBe(0);
    const would = events.filter((e) => e.type === 'decision' && e.rule === 'pumping');
    expect(would.length).toBeGreaterThan(900);
    expect(would.every((e) => e.type === 'decision' && e.decision === 'allowed' && e.reason!.startsWith('shadow: would refuse: traffic to this number range'))).toBe(true);
  });

  it('a config turns it on as JSON, and refuses a bad setting by name', async () => {
    const market = openMarket();
    expect(() => guard(market.members[0]!, { pumping: { graceSeconds: 0 } })).toThrow(/guard\.pumping/);
    expect(() => guard(market.members[0]!, { pumping: true })).not.toThrow();
  });
});
