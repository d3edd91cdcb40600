// adaptive() on the seeded market of polyverify/testing (ten countries, three vendors, each strong
// somewhere and weak elsewhere; a ground truth of delivery rates and prices): cost per verified
// user after a warm-up, against the oracle (which knows every true rate and price and picks what
// the policy aims at), the best single vendor and round-robin; the regret of the warm-up; a drift;
// and what a pick costs in CPU over a plain start. Figures, not assertions.
import { performance } from 'node:perf_hooks';
import { adaptive } from '../dist/index.js';
import { openMarket } from '../dist/testing.js';
import { RedisCodeStore } from '../dist/redis.js';
import { startRedis } from './redis.mjs';

const QUICK = Boolean(process.env.BENCH_QUICK);
const WARM = QUICK ? 500 : 5000;
const MEASURE = QUICK ? 500 : 10_000;
const SEEDS = QUICK ? [1] : [1, 2, 3];

/** A provider over the market's members that picks by `choose(country)`. */
function fixed(market, name, choose) {
  const byName = new Map(market.members.map((m) => [m.name, m]));
  const base = market.members[0];
  return { ...base, name, start: (request, options) => byName.get(choose(market.countryOf(request.to)))[`start`](request, options), check: (id, code) => byName.get(id.split('-')[0])?.check(id, code) ?? Promise.resolve({ verified: false, status: 'failed', reason: 'not_found' }) };
}

async function runPolicy(makeProvider, seed) {
  const market = openMarket(undefined, { seed });
  const provider = makeProvider(market);
  const warm = await market.run(provider, { starts: WARM, seed: seed * 100 + 1, every: WARM / 10 });
  const after = await market.run(provider, { starts: MEASURE, seed: seed * 100 + 2 });
  return { warm, after };
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const round = (value, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runAdaptive() {
  const vendors = openMarket().members.map((m) => m.name);
  let robin = 0;
  const contenders = {
    'adaptive (balanced, α = 0.05)': (market) => adaptive({ members: market.members, policy: 'balanced', seed: 9, now: market.now }),
    'adaptive (cost, α = 0.15)': (market) => adaptive({ members: market.members, policy: 'cost', seed: 9, now: market.now }),
    'oracle (α = 0.05)': (market) => fixed(market, 'oracle', (country) => market.oracle(country, 0.05)),
    'oracle (lowest true cost per verified)': (market) => fixed(market, 'oracle', (country) => market.oracle(country)),
    'round-robin': (market) => fixed(market, 'round-robin', () => vendors[robin++ % vendors.length]),
    ...Object.fromEntries(vendors.map((name) => [`${name} alone`, (market) => fixed(market, name, () => name)])),
  };
  const rows = {};
  const warmCurves = {};
  for (const [label, make] of Object.entries(contenders)) {
    const runs = [];
    for (const seed of SEEDS) runs.push(await runPolicy(make, seed));
    rows[label] = { costPerVerified: round(mean(runs.map((r) => r.after.costPerVerified))), verifiedShare: round(mean(runs.map((r) => r.after.verified / r.after.started)), 3), warmCurve: runs[0].warm.curve };
    warmCurves[label] = runs[0].warm.curve;
  }
  const oracle = rows['oracle (α = 0.05)'].costPerVerified;
  const single = Math.min(...vendors.map((name) => rows[`${name} alone`].costPerVerified));
  const adaptiveCpv = rows['adaptive (balanced, α = 0.05)'].costPerVerified;

  // Regret of the warm-up against the oracle: verified users and euros, at each tenth.
  const regret = warmCurves['adaptive (balanced, α = 0.05)'].map((point, i) => {
    const o = warmCurves['oracle (α = 0.05)'][i];
    return { started: point.started, verifiedLost: o.verified - point.verified, eurosOver: round(point.cost - o.cost, 2) };
  });

  // Drift: LOX24's delivery in DE falls from 93 % to 40 %; its share of the next DE starts, by hundred.
  const driftAt = WARM;
  const market = openMarket({ ...openMarket().world, drift: [{ vendor: 'lox24', country: 'DE', fromMs: driftAt * 1000, delivery: 0.4 }] }, { seed: 1 });
  const verify = adaptive({ members: market.members, seed: 9, now: market.now });
  const germany = [];
  await market.run(verify, { starts: WARM + (QUICK ? 1500 : 4000), seed: 5, onStart: (v, i) => void (i >= driftAt && v.to.startsWith('+4917') && germany.push(v.provider)) });
  const driftShares = [];
  for (let from = 0; from + 100 <= Math.min(germany.length, 800); from += 100) driftShares.push({ deStarts: `${from + 1}–${from + 100}`, lox24Share: round(germany.slice(from, from + 100).filter((p) => p === 'lox24').length / 100, 2) });

  // Own cost: CPU of a start through adaptive over a direct start of the member it picks (in memory).
  const cpuMarket = openMarket(undefined, { seed: 4 });
  const through = adaptive({ members: cpuMarket.members, seed: 1, now: cpuMarket.now });
  await cpuMarket.run(through, { starts: 2000, seed: 3 });
  const n = QUICK ? 2000 : 20_000;
  const numbers = Array.from({ length: n }, (_, i) => `+4917${String(10_000_000 + i)}`);
  const direct = cpuMarket.members[0];
  for (const to of numbers.slice(0, 500)) await through.start({ to });
  let t = performance.now();
  for (const to of numbers) await direct.start({ to });
  const directUs = ((performance.now() - t) * 1000) / n;
  t = performance.now();
  for (const to of numbers) await through.start({ to });
  const adaptiveUs = ((performance.now() - t) * 1000) / n;

  // With Redis: the time a start through adaptive() adds over the member's own start, in raw Redis
  // round trips (PING on the same connection, the anchor, measured in the same rounds), and the
  // commands it sends. The pick's reads go out together; the record goes out after the start returned.
  const { child, client } = await startRedis();
  let redis;
  try {
    let commands = 0;
    const counted = new Proxy(client, { get: (target, key) => (key === 'sendCommand' ? (args) => (commands++, target.sendCommand(args)) : Reflect.get(target, key)) });
    const store = new RedisCodeStore({ client: counted, secret: 'bench-secret-0123456789' });
    const redisMarket = openMarket(undefined, { seed: 4 });
    const shared = adaptive({ members: redisMarket.members, seed: 1, now: redisMarket.now, outcomes: store.outcomes });
    const member = redisMarket.members[0];
    const perRound = QUICK ? 200 : 2000;
    const rounds = QUICK ? 1 : 5;
    const time = async (run) => {
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) await run(i);
      return ((performance.now() - t0) * 1000) / perRound;
    };
    for (let i = 0; i < 300; i++) await shared.start({ to: `+4917${20_000_000 + i}` });
    const through = [], alone = [], ping = [];
    let sent = 0;
    for (let round = 0; round < rounds; round++) {
      ping.push(await time(() => client.ping()));
      alone.push(await time((i) => member.start({ to: `+4917${30_000_000 + i}` })));
      const before = commands;
      through.push(await time((i) => shared.start({ to: `+4917${40_000_000 + round * perRound + i}` })));
      sent += commands - before;
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const addedUs = med(through) - med(alone);
    redis = { startUs: round(med(through), 1), memberUs: round(med(alone), 1), pingUs: round(med(ping), 1), addedRoundTrips: round(addedUs / med(ping), 2), commandsPerStart: round(sent / (rounds * perRound), 2) };
  } finally {
    await client.quit().catch(() => undefined);
    child.kill();
  }

  const table = Object.entries(rows).map(([label, r]) => `| ${label} | ${r.costPerVerified.toFixed(4)} € | ${(r.verifiedShare * 100).toFixed(1)} % |`).join('\n');
  const markdown = [
    `### adaptive() on the seeded market (${SEEDS.length} seeds, ${WARM} starts of warm-up, then ${MEASURE} measured)`,
    '',
    '| router | cost per verified user | verified of started |',
    '|---|---|---|',
    table,
    '',
    `adaptive (balanced) vs the oracle: ${(((adaptiveCpv - oracle) / oracle) * 100).toFixed(1)} %; vs the best single vendor: ${(((adaptiveCpv - single) / single) * 100).toFixed(1)} %; vs round-robin: ${(((adaptiveCpv - rows['round-robin'].costPerVerified) / rows['round-robin'].costPerVerified) * 100).toFixed(1)} %`,
    '',
    'Regret of the warm-up against the oracle (seed 1): ' + regret.map((r) => `${r.started}: −${r.verifiedLost} verified, +${r.eurosOver} €`).join('; '),
    '',
    'Drift (LOX24 in DE 93 % → 40 %): its share of each hundred DE starts after the drop: ' + driftShares.map((d) => `${d.deStarts}: ${d.lox24Share}`).join(', '),
    '',
    `Own cost: a start through adaptive() ${adaptiveUs.toFixed(1)} µs vs the member's start alone ${directUs.toFixed(1)} µs (+${(adaptiveUs - directUs).toFixed(1)} µs, memory store, ${n} starts)`,
    '',
    `With Redis (RedisCodeStore.outcomes, node-redis): a start through adaptive() ${redis.startUs} µs vs the member's start alone ${redis.memberUs} µs: +${redis.addedRoundTrips} × a raw Redis round trip (PING ${redis.pingUs} µs, same run); ${redis.commandsPerStart} commands per start (the pick's expire and reads together, the record after the start returned)`,
  ].join('\n');
  return { rows, regret, driftShares, ownCostUs: { adaptive: round(adaptiveUs, 1), direct: round(directUs, 1) }, redis, markdown };
}
