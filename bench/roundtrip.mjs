// start + check round trips against the LOX24 simulator, in one process, three ways:
// through polyverify, through a bare ky instance making the same HTTP call, and through
// plain fetch. Each way runs sequentially and with 50 in flight; rounds are interleaved
// and the median of each is reported, with the ratios measured in this one run.
import ky from 'ky';
import { lox24 } from '../dist/lox24.js';
import { startSimulator } from '../dist/testing.js';

const TO = '+491701234567';
const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = QUICK ? 1 : 5;
const SEQUENTIAL = QUICK ? 40 : 400;
const CONCURRENT_TOTAL = QUICK ? 100 : 1000;
const IN_FLIGHT = 50;

function body(code) {
  return { phone: TO, code, is_code_deleted: true, routing_strategy: [{ channel: 'sms' }] };
}

function ways(sim) {
  const verify = lox24({ token: sim.token, secret: 'bench-secret-0123456789', baseUrl: sim.url });
  const api = ky.create({ prefixUrl: sim.url, retry: 0, headers: { accept: 'application/json', 'X-LOX24-AUTH-TOKEN': sim.token } });
  const url = `${sim.url}/verify_codes`;
  const headers = { accept: 'application/json', 'content-type': 'application/json', 'X-LOX24-AUTH-TOKEN': sim.token };
  let n = 0;
  const code = () => String(100000 + (n++ % 900000));
  return {
    polyverify: async () => {
      const v = await verify.start({ to: TO });
      const result = await verify.check(v.id, sim.lastCode(v.id));
      if (!result.verified) throw new Error('not verified');
    },
    ky: async () => {
      const sent = code();
      const v = await api.post('verify_codes', { json: body(sent) }).json();
      if (sim.lastCode(v.id) !== sent) throw new Error('not verified');
    },
    fetch: async () => {
      const sent = code();
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body(sent)) });
      const v = await response.json();
      if (sim.lastCode(v.id) !== sent) throw new Error('not verified');
    },
  };
}

/** CPU microseconds (user + system) per round trip of the last sequential run of each way. */
const cpuPerTrip = {};

async function sequential(run, count) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) await run();
  const used = process.cpuUsage(cpu);
  (cpuPerTrip[run.label] ??= []).push((used.user + used.system) / count);
  return count / ((performance.now() - started) / 1000);
}

async function concurrent(run, total, inFlight) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < total) await run();
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function runRoundTrips() {
  const sim = await startSimulator('lox24');
  const runs = ways(sim);
  const names = Object.keys(runs);
  for (const name of names) runs[name].label = name;
  for (const name of names) await sequential(runs[name], 100); // warm-up
  for (const name of names) cpuPerTrip[name] = [];
  const samples = { sequential: {}, concurrent: {} };
  for (const name of names) {
    samples.sequential[name] = [];
    samples.concurrent[name] = [];
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no way always runs first.
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) samples.sequential[name].push(await sequential(runs[name], SEQUENTIAL));
    for (const name of order) samples.concurrent[name].push(await concurrent(runs[name], CONCURRENT_TOTAL, IN_FLIGHT));
  }
  await sim.close();
  const table = {};
  for (const mode of ['sequential', 'concurrent']) {
    const m = Object.fromEntries(names.map((name) => [name, median(samples[mode][name])]));
    table[mode] = { ...m, polyverifyVsKy: m.polyverify / m.ky, polyverifyVsFetch: m.polyverify / m.fetch, kyVsFetch: m.ky / m.fetch };
  }
  const fmt = (x) => x.toFixed(0);
  const ratio = (x) => `${x.toFixed(2)}×`;
  const markdown = [
    `LOX24 start + check round trips on the simulator (127.0.0.1), round trips per second, median of ${ROUNDS} interleaved rounds`,
    '',
    '| mode | polyverify | bare ky | plain fetch | polyverify / ky | polyverify / fetch | ky / fetch |',
    '|---|---|---|---|---|---|---|',
    ...['sequential', 'concurrent'].map((mode) => {
      const r = table[mode];
      const label = mode === 'sequential' ? 'sequential' : `${IN_FLIGHT} concurrent`;
      return `| ${label} | ${fmt(r.polyverify)} | ${fmt(r.ky)} | ${fmt(r.fetch)} | ${ratio(r.polyverifyVsKy)} | ${ratio(r.polyverifyVsFetch)} | ${ratio(r.kyVsFetch)} |`;
    }),
    '',
    `Process CPU per sequential round trip (the simulator's share included, the same for all three): ${names.map((name) => `${name} ${median(cpuPerTrip[name]).toFixed(0)} µs`).join(', ')}; polyverify over bare ky: ${(median(cpuPerTrip.polyverify) - median(cpuPerTrip.ky)).toFixed(0)} µs.`,
  ].join('\n');
  return { node: process.version, rounds: ROUNDS, sequential: SEQUENTIAL, concurrentTotal: CONCURRENT_TOTAL, inFlight: IN_FLIGHT, samples, table, markdown };
}
