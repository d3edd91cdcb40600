/**
 * `polyverify demo`: the main job on the built-in simulators of all four vendors, no
 * credentials, nothing leaving 127.0.0.1.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createProvider } from '../providers/index.js';
import { builtIn } from '../providers/built-in.js';
import type { VerifyEvent } from '../src/events.js';
import { failover } from '../src/failover.js';
import { adaptive } from '../src/routing/adaptive.js';
import { listAcross } from '../src/listing/merge.js';
import type { Verification } from '../src/model.js';
import { maskPhone } from '../src/redact.js';
import { summarize } from '../src/listing/summary.js';
import { scorecard } from '../src/listing/scorecard.js';
import { MemoryCodeStore } from '../src/codes/memory-store.js';
import { seedHistory } from './demo-data.js';
import { describeScorecard } from './report.js';
import { scorecardHtml } from '../src/listing/report/html.js';
import { startAll } from './simulate.js';
import { describeSummary, money, tableLines } from './format.js';
import type { Command } from './operations.js';
import type { MarketRun } from '../testing/market.js';
import { COMMON_OPTIONS, parse } from './context.js';

type Print = (line: string) => void;

/** A loopback URL nothing listens on: a port taken, then given back. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Runs the demo, printing each step, and writes the scorecard to `htmlPath`; resolves when done. */
export async function runDemo(print: Print, htmlPath: string): Promise<void> {
  const sims = await startAll();
  try {
    const [loxConfig, ncConfig, birdConfig, twilioConfig] = sims.configs as [never, never, never, never];
    print('polyverify demo: LOX24, Notificore, Bird and Twilio on their built-in simulators (no credentials; nothing leaves 127.0.0.1)');
    print('');
    // LOX24's verified codes are known to polyverify's store, not to LOX24: the store is kept for
    // the weeks of history the scorecard reads.
    const loxStore = new MemoryCodeStore({ retainMs: 60 * 86_400_000 });
    const { lox24 } = await import('polyverify/lox24');
    const { provider: _name, ...loxOptions } = loxConfig as { provider: string; token: string; baseUrl: string };
    const lox = lox24({ ...loxOptions, codeStore: loxStore });
    const nc = await createProvider(ncConfig);
    const bird = await createProvider(birdConfig);
    const tw = await createProvider(twilioConfig);
    const inbox = (v: Verification) => sims.inbox(v);

    print('1. LOX24 transports codes: polyverify generates the code, keeps only its HMAC, and checks it itself');
    const a = await lox.start({ to: '+491701234567', locale: 'en', reference: 'signup-42', channels: [{ channel: 'telegram' }, { channel: 'sms', sender: 'LOX24' }] });
    print(`   start       ${a.id} to ${maskPhone(a.to)}, status ${a.status}`);
    print(`   inbox       "${inbox(a).text}" by ${inbox(a).channel} (the demo shows the code; polyverify never logs one)`);
    const wrong = await lox.check(a.id, inbox(a).code === '000000' ? '111111' : '000000');
    print(`   wrong code  verified ${wrong.verified}, reason ${wrong.reason}, ${wrong.attemptsRemaining} attempts left`);
    const right = await lox.check(a.id, inbox(a).code);
    print(`   right code  verified ${right.verified}, status ${right.status}`);
    const replay = await lox.check(a.id, inbox(a).code);
    print(`   again       verified ${replay.verified}, reason ${replay.reason} (single use)`);

    print('2. Notificore owns the code: Viber first, SMS as its own fallback');
    const b = await nc.start({ to: '+61401629754', channels: [{ channel: 'viber' }, { channel: 'sms', sender: 'MyAppSMS' }] });
    print(`   start       ${b.id} to ${maskPhone(b.to)}, status ${b.status}`);
    print(`   inbox       "${inbox(b).text}" by ${inbox(b).channel}`);
    const nWrong = await nc.check(b.id, inbox(b).code.replace(/./g, (d) => String((Number(d) + 1) % 10)));
    print(`   wrong code  verified ${nWrong.verified}, reason ${nWrong.reason}, ${nWrong.attemptsRemaining} attempts left`);
    const nRight = await nc.check(b.id, inbox(b).code);
    // The verify answer has no message prices; the verification read back has the final cost.
    print(`   right code  verified ${nRight.verified}, cost ${money((await nc.get(b.id)).cost)}`);

    print('3. Bird: SMS through a navigator, checked at Bird');
    const c = await bird.start({ to: '+31612345678', locale: 'nl-NL' });
    print(`   start       ${c.id} to ${maskPhone(c.to)}, status ${c.status}`);
    print(`   inbox       "${inbox(c).text}" by ${inbox(c).channel}`);
    print(`   right code  verified ${(await bird.check(c.id, inbox(c).code)).verified}`);

    print('4. Twilio: WhatsApp through a Verify Service; Twilio deletes what ended, polyverify reads its attempts');
    const t = await tw.start({ to: '+14155552671', channels: [{ channel: 'whatsapp' }] });
    print(`   start       ${t.id} to ${maskPhone(t.to)}, status ${t.status}`);
    print(`   inbox       "${inbox(t).text}" by ${inbox(t).channel}`);
    const tWrong = await tw.check(t.id, inbox(t).code === '000000' ? '111111' : '000000');
    print(`   wrong code  verified ${tWrong.verified}, reason ${tWrong.reason}, ${tWrong.attemptsRemaining} attempts left`);
    print(`   right code  verified ${(await tw.check(t.id, inbox(t).code)).verified}`);
    const tAgain = await tw.check(t.id, inbox(t).code);
    print(`   again       verified ${tAgain.verified}, reason ${tAgain.reason} (Twilio answered 404; its attempts say it was approved)`);
    print(`   cost        ${money((await tw.get(t.id)).cost)} (Twilio prices each delivery attempt)`);

    print('5. Failover: a LOX24 that refuses connections, then Notificore; nothing was sent, so moving on is safe');
    const decisions: string[] = [];
    const onEvent = (e: VerifyEvent) => {
      if (e.type === 'decision') decisions.push(`${e.member} ${e.decision}${e.error ? ` (${e.error.code}, sent ${e.error.sent})` : ''}`);
    };
    const closed = await closedPortUrl();
    const refusing = await createProvider({ ...(loxConfig as object), baseUrl: closed, retries: 0 } as never);
    const resilient = failover([refusing, nc], { onEvent });
    const d = await resilient.start({ to: '+491709876543' });
    print(`   decisions   ${decisions.join(' → ')}`);
    print(`   start       ${d.id} (the id names the vendor that sent it)`);
    const fresh = await builtIn.createFromConfig([{ ...(loxConfig as object), baseUrl: closed, retries: 0 } as never, ncConfig]);
    print(`   check       through a fresh failover from the same config: verified ${(await fresh.check(d.id, inbox(d).code)).verified}`);

    print('6. Everything, across the four vendors, newest first');
    const all: Verification[] = [];
    for await (const v of listAcross([lox, nc, bird, tw])) all.push(v);
    const rows = all.map((v) => [v.createdAt.toISOString(), v.provider, maskPhone(v.to), v.status, v.channels[0]?.channel ?? '', money(v.cost)]);
    for (const line of tableLines(['created', 'provider', 'to', 'status', 'channel', 'cost'], rows)) print(`   ${line}`);

    print('7. Exact cost summary');
    for (const line of describeSummary(summarize(all))) print(line ? `   ${line}` : '');
    const [loxSim, ncSim, birdSim, twilioSim] = ['lox24', 'notificore', 'messagebird', 'twilio'].map((name) => sims.simulators.find((sim) => sim.config().provider === name)!);
    const history = await seedHistory({ lox24: loxSim!, notificore: ncSim!, messagebird: birdSim!, twilio: twilioSim!, lox24Store: loxStore }, { now: Date.now() });
    print(`8. The vendor scorecard: ${history.count} past verifications seeded over 14 days, each vendor with its own conversion, speed and prices per country`);
    const card = await scorecard(listAcross([lox, nc, bird, tw], { from: history.from }));
    for (const line of describeScorecard(card).slice(2, 2 + card.byProvider.length + 2)) print(`   ${line}`);
    await writeFile(htmlPath, scorecardHtml(card, { from: history.from, to: undefined, generatedAt: new Date() }));
    print(`   report      ${htmlPath} (charts and every table; open it in a browser)`);

    print('9. Routing from the data: a market with a ground truth, 8 000 starts through a static failover, then through adaptive()');
    for (const line of await routingOnTheMarket()) print(line ? `   ${line}` : '');
    print('');
    print("10. A test number for app-store review: a reviewer logs in with +1 555-0100 and a fixed code; no vendor is asked");
    const reviewed = await createProvider({ failover: [loxConfig, ncConfig], guard: { perPhone: { max: 5, windowSeconds: 600 } }, testNumbers: { numbers: { '+15555550100': '424242' }, validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) } });
    const requestsBefore = sims.simulators.reduce((n, sim) => n + sim.requestCount, 0);
    const review = await reviewed.start({ to: '+15555550100' });
    print(`   start       ${review.id.slice(0, 24)}… to ${maskPhone(review.to)}, status ${review.status}, test ${review.test}, cost ${review.cost ?? 'none'}`);
    const reviewWrong = await reviewed.check(review.id, '000000');
    print(`   wrong code  verified ${reviewWrong.verified}, reason ${reviewWrong.reason}, ${reviewWrong.attemptsRemaining} attempts left (the limit holds)`);
    const reviewRight = await reviewed.check(review.id, '424242');
    print(`   right code  verified ${reviewRight.verified}, status ${reviewRight.status}`);
    print(`   vendors     ${sims.simulators.reduce((n, sim) => n + sim.requestCount, 0) - requestsBefore} requests (starts after validUntil are refused; the guard still counts them)`);
    print('');
    print('done: four vendors, codes from the inboxes, wrong and right checks, a safe failover, one list, exact costs, a scorecard, routing that learns, a test number.');
  } finally {
    await sims.close();
  }
}

/**
 * Step 8: the market of polyverify/testing (ten countries; each vendor strong somewhere, weak
 * elsewhere), the same 8 000 starts through a static failover and through `adaptive()`; the last
 * 4 000 of each compared as a scorecard per country — verified share, cost per verified user and
 * the vendor that served most — with adaptive's pick against the pick of one who knows the truth.
 */
async function routingOnTheMarket(): Promise<string[]> {
  const { openMarket } = await import('../testing/market.js');
  const runs: { label: string; run: MarketRun }[] = [];
  let oracle: (country: string) => string = () => '';
  for (const label of ['static failover (lox24, notificore, messagebird)', 'adaptive (balanced)']) {
    const market = openMarket(undefined, { seed: 7 });
    oracle = (country) => market.oracle(country, 0.05);
    const provider = label.startsWith('static') ? failover(market.members) : adaptive({ members: market.members, seed: 3, now: market.now });
    await market.run(provider, { starts: 4000, seed: 11 });
    runs.push({ label, run: await market.run(provider, { starts: 4000, seed: 12 }) });
  }
  const [fixed, learned] = runs.map((r) => r.run) as [MarketRun, MarketRun];
  const lines = runs.map(({ label, run }) => `${label.padEnd(50)} ${run.costPerVerified.toFixed(4)} EUR per verified user, ${((100 * run.verified) / run.started).toFixed(1)} % verified`);
  const countries = Object.keys(learned.countries).sort();
  const topOf = (run: MarketRun, country: string) => Object.entries(run.shares[country] ?? {}).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '-';
  const figures = (run: MarketRun, country: string) => {
    const { started, verified, cost } = run.countries[country] ?? { started: 0, verified: 0, cost: 0 };
    return [`${((100 * verified) / Math.max(1, started)).toFixed(1)} %`, verified ? (cost / verified).toFixed(4) : '-', topOf(run, country)];
  };
  const rows = countries.map((country) => {
    const pick = topOf(learned, country);
    return [country, ...figures(fixed, country), ...figures(learned, country).slice(0, 2), pick === oracle(country) ? pick : `${pick} (oracle: ${oracle(country)})`];
  });
  lines.push('', 'the scorecard per country, static → adaptive:', ...tableLines(['country', 'verified', 'EUR/verified', 'vendor', '→ verified', 'EUR/verified', 'vendor'], rows));
  const onOracle = countries.filter((country) => topOf(learned, country) === oracle(country)).length;
  lines.push('', `${((100 * (fixed.costPerVerified - learned.costPerVerified)) / fixed.costPerVerified).toFixed(0)} % less per verified user; adaptive's pick is the oracle's (cheapest within 5 % of the best conversion) in ${onOracle} of ${countries.length} countries`);
  return lines;
}

/** The flags of `demo`. */
export const DEMO_OPTIONS = { help: COMMON_OPTIONS.help, debug: COMMON_OPTIONS.debug, html: { type: 'string' } } as const;

export const demo: Command = async (args, io) => {
  const { values } = parse(args, DEMO_OPTIONS, 0);
  await runDemo(io.out, resolve(values.html ?? 'polyverify-report.html'));
  return 0;
};
