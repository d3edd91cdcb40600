/**
 * `polyverify demo`: the main job on the built-in simulators, no credentials, nothing
 * leaving 127.0.0.1.
 */
import { lox24 } from '../../providers/lox24/index.js';
import { startLox24Simulator } from '../../providers/lox24/simulator.js';
import { sumCosts } from '../money.js';
import type { Verification } from '../model.js';
import { maskPhone } from '../redact.js';

type Print = (line: string) => void;

function describeAttempts(v: Verification): string {
  if (v.attempts.length === 0) return 'no delivery attempt yet';
  return v.attempts.map((a) => `${a.channel} ${a.status}`).join(', ');
}

/** Runs the demo, printing each step; resolves when done. */
export async function runDemo(print: Print): Promise<void> {
  const phone = '+491701234567';
  const sim = await startLox24Simulator({ outcomes: { telegram: 'failed' }, prices: { telegram: 5, voice: 20, sms: 9 } });
  try {
    print('polyverify demo: LOX24 on its built-in simulator (no credentials; nothing leaves 127.0.0.1)');
    print(`simulator at ${sim.url}; telegram is set to fail, so LOX24 falls back to sms`);
    print('');
    const verify = lox24({ token: sim.token, secret: 'demo-secret-not-for-production', baseUrl: sim.url, now: () => sim.now() });

    print('1. start a verification: telegram first, then sms');
    const v = await verify.start({
      to: phone,
      locale: 'en',
      reference: 'signup-42',
      channels: [{ channel: 'telegram', timeoutSec: 30 }, { channel: 'sms', sender: 'LOX24', template: 'Your code is {{code}}' }],
    });
    print(`   id ${v.id}, to ${maskPhone(v.to)}, status ${v.status}; polyverify generated the code and kept only its HMAC`);

    const code = sim.lastCode(v.id)!;
    const message = sim.inbox.last(v.id)!;
    print(`2. the simulator's inbox: "${message.text}" by ${message.channel} (the demo shows the code; polyverify never logs it)`);

    const wrong = code === '000000' ? '111111' : '000000';
    const miss = await verify.check(v.id, wrong);
    print(`3. check a wrong code: verified ${miss.verified}, reason ${miss.reason}, ${miss.attemptsRemaining} attempts left`);

    const hit = await verify.check(v.id, code);
    print(`4. check the right code: verified ${hit.verified}, status ${hit.status}`);

    const replay = await verify.check(v.id, code);
    print(`5. check it again: verified ${replay.verified}, reason ${replay.reason} (codes are single-use)`);

    const got = await verify.get(v.id);
    print(`6. get: status ${got.status}; attempts: ${describeAttempts(got)}; delivered by ${got.deliveredChannel}; cost ${got.cost ? `${got.cost.amount} ${got.cost.currency}` : 'not final'}`);

    print('7. two more verifications, one left to expire');
    const second = await verify.start({ to: '+4915112345678', reference: 'login-7', ttlSeconds: 60 });
    await verify.start({ to: '+436641234567', reference: 'reset-3', channels: [{ channel: 'voice' }, { channel: 'sms' }] });
    sim.lastCode(second.id);
    sim.advance(61_000);
    const expired = await verify.check(second.id, sim.lastCode(second.id)!);
    print(`   the 60-second code checked late: reason ${expired.reason}`);

    print('8. list everything');
    const all: Verification[] = [];
    for await (const item of verify.list()) {
      all.push(item);
      print(`   ${item.createdAt.toISOString()}  ${maskPhone(item.to).padEnd(14)}  ${item.status.padEnd(8)}  ${(item.reference ?? '').padEnd(9)}  ${item.cost ? `${item.cost.amount} ${item.cost.currency}` : '-'}`);
    }
    const { totals, priced, unpriced } = sumCosts(all);
    print(`9. exact cost total: ${totals.map((m) => `${m.amount} ${m.currency}`).join(', ') || '0'} over ${priced} priced (${unpriced} not final yet)`);
    print('');
    print('done: start, inbox, wrong code, right code, replay refused, get, expiry, list and costs, all on LOX24.');
  } finally {
    await sim.close();
  }
}
