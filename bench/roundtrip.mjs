// start + check round trips against a simulator, in one process, three ways: through
// polyverify, through a bare ky instance making the same HTTP calls, and through plain fetch.
// Each way runs sequentially and with 50 in flight; rounds are interleaved and the median of
// each is reported, with the ratios measured in this one run. Two vendors: LOX24 (one request a
// trip: polyverify checks its own code) and Twilio (two: the form-encoded create and check).
import ky from 'ky';
import { lox24 } from '../dist/lox24.js';
import { twilio } from '../dist/twilio.js';
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

function lox24Ways(sim) {
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

/** Twilio: the create and the check, form-encoded with Basic auth, to a new number each trip. */
function twilioWays(sim) {
  const verify = twilio({ ...sim.credentials, baseUrl: sim.url });
  const authorization = `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`;
  const service = `v2/Services/${sim.serviceSid}`;
  const api = ky.create({ prefixUrl: sim.url, retry: 0, headers: { accept: 'application/json', authorization } });
  const headers = { accept: 'application/json', authorization };
  let n = 0;
  const to = () => `+1415${String(1_000_000 + (n++ % 8_000_000)).padStart(7, '0')}`;
  return {
    polyverify: async () => {
      const v = await verify.start({ to: to() });
      const result = await verify.check(v.id, sim.lastCode(v.id));
      if (!result.verified) throw new Error('not verified');
    },
    ky: async () => {
      const v = await api.post(`${service}/Verifications`, { body: new URLSearchParams({ To: to(), Channel: 'sms', Locale: 'en' }) }).json();
      const checked = await api.post(`${service}/VerificationCheck`, { body: new URLSearchParams({ VerificationSid: v.sid, Code: sim.lastCode(v.sid) }) }).json();
      if (checked.status !== 'approved') throw new Error('not verified');
    },
    fetch: async () => {
      const created = await fetch(`${sim.url}/${service}/Verifications`, { method: 'POST', headers, body: new URLSearchParams({ To: to(), Channel: 'sms', Locale: 'en' }) });
      const v = await created.json();
      const checked = await fetch(`${sim.url}/${service}/VerificationCheck`, { method: 'POST', headers, body: new URLSearchParams({ VerificationSid: v.sid, Code: sim.lastCode(v.sid) }) });
      if ((await checked.json()).status !== 'approved') throw new Error('not verified');
    },
  };
}

/** CPU microseconds (user + system) per round trip of the last sequential run of each way. */
let cpuPerTrip = {};

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

/** One vendor's three ways, interleaved rounds, medians and ratios. */
async function measure(sim, runs) {
  cpuPerTrip = {};
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
  const cpu = Object.fromEntries(names.map((name) => [name, median(cpuPerTrip[name])]));
  return { samples, table, cpu };
}

function describe(title, result) {
  const fmt = (x) => x.toFixed(0);
  const ratio = (x) => `${x.toFixed(2)}×`;
  const { table, cpu } = result;
  return [
    `${title}, round trips per second, median of ${ROUNDS} interleaved rounds`,
    '',
    '| mode | polyverify | bare ky | plain fetch | polyverify / ky | polyverify / fetch | ky / fetch |',
    '|---|---|---|---|---|---|---|',
    ...['sequential', 'concurrent'].map((mode) => {
      const r = table[mode];
      const label = mode === 'sequential' ? 'sequential' : `${IN_FLIGHT} concurrent`;
      return `| ${label} | ${fmt(r.polyverify)} | ${fmt(r.ky)} | ${fmt(r.fetch)} | ${ratio(r.polyverifyVsKy)} | ${ratio(r.polyverifyVsFetch)} | ${ratio(r.kyVsFetch)} |`;
    }),
    '',
    `Process CPU per sequential round trip (the simulator's share included, the same for all three): ${Object.entries(cpu).map(([name, us]) => `${name} ${us.toFixed(0)} µs`).join(', ')}; polyverify over bare ky: ${(cpu.polyverify - cpu.ky).toFixed(0)} µs.`,
  ].join('\n');
}

export async function runRoundTrips() {
  const loxSim = await startSimulator('lox24');
  const lox = await measure(loxSim, lox24Ways(loxSim));
  const twilioSim = await startSimulator('twilio');
  const tw = await measure(twilioSim, twilioWays(twilioSim));
  const markdown = [
    describe('LOX24 start + check round trips on the simulator (127.0.0.1; one HTTP request a trip)', lox),
    '',
    describe('Twilio start + check round trips on the simulator (127.0.0.1; two form-encoded requests a trip)', tw),
  ].join('\n');
  return { node: process.version, rounds: ROUNDS, sequential: SEQUENTIAL, concurrentTotal: CONCURRENT_TOTAL, inFlight: IN_FLIGHT, samples: lox.samples, table: lox.table, twilio: { samples: tw.samples, table: tw.table, cpu: tw.cpu }, markdown };
}
