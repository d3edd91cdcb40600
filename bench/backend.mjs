// The example backend (examples/backend.ts, built and started as `npm run backend` starts it: LOX24,
// the guard's recommended rules, codes and counters in Redis) under load, against two floors in
// the same run (bench/backend-floor.mjs): the same two routes on the same stack doing only the one
// vendor call and one Redis SET (start) or GET (check), and that floor with the vendor call
// through ky and the four limits through rate-limiter-flexible (FLOOR_STACK=1: what polyverify's
// chosen libraries cost before its own work). Everything on 127.0.0.1 in processes of their own:
// redis-server, the LOX24 simulator, the three servers; autocannon here with 50
// connections, a new phone number and client address on every start (no limit is reached),
// four wrong codes per started id (LOX24's five tries: every check is evaluated).
//
// Per server and operation: the rate, p99 latency, and the server's CPU per request (from
// /proc/<pid>/stat), rounds alternating the servers, medians. Then, once: Redis round trips and
// commands per operation (sequential requests through a counting TCP proxy, and INFO
// commandstats), and where the CPU goes (each server under --cpu-prof, samples of the load's
// window put in groups by file; polyverify's own files found through dist's source maps).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildBackend } from '../scripts/build-backend.mjs';
import { freePort, startRedis } from './redis.mjs';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = QUICK ? 1 : 3;
const SECONDS = QUICK ? 1 : 5;
const CONNECTIONS = 50;
const WRONG_CHECKS_PER_ID = 4;
const SEQUENTIAL = QUICK ? 10 : 50;
const SECRET = 'bench-backend-secret-0123456789';
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const FLOOR = fileURLToPath(new URL('./backend-floor.mjs', import.meta.url));
const DIST = new URL('../dist/', import.meta.url).href;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Math.round(x * 100) / 100;

// A new phone number and client address for every start of the run.
let counter = 0;
function nextStart() {
  const i = ++counter;
  return { phone: `+4917${10_000_000 + i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
}

/** The CPU time (user + system) a process has used, in ms. */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/** Starts `file` as a server on a free port (its stdout, the example's JSON log lines, to /dev/null); resolves once it answers. */
async function startServer(name, file, env, nodeArgs = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, file], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (gone) throw new Error(`${name} exited before it answered: ${stderr}`);
    if (tries === 200) {
      child.kill();
      throw new Error(`${name} did not answer within 10 s: ${stderr}`);
    }
    if (await fetch(`${url}/nothing`).then(() => true, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    name,
    url,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`${name} exited with ${code}: ${stderr}`);
    },
  };
}

function startRequest(ids) {
  return {
    method: 'POST',
    path: '/verifications',
    setupRequest: (request) => {
      const { phone, ip } = nextStart();
      return { ...request, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ phone }) };
    },
    onResponse: (status, body) => {
      if (status === 201) ids.push(JSON.parse(body).id);
    },
  };
}

function checkRequest(ids) {
  let next = 0;
  return {
    method: 'POST',
    setupRequest: (request) => ({ ...request, path: `/verifications/${encodeURIComponent(ids[next++ % ids.length])}/check`, headers: { 'content-type': 'application/json' }, body: '{"code":"000000"}' }),
  };
}

/** One load of `request` on `server`: rate, p99, CPU per request, and the answers that were not `expected`. */
async function measure(server, request, expected, limit) {
  const before = cpuOf(server.pid);
  const started = process.hrtime.bigint();
  const result = await autocannon({ url: server.url, connections: CONNECTIONS, timeout: 10, requests: [request], ...limit });
  const window = [started, process.hrtime.bigint()];
  const cpu = cpuOf(server.pid) - before;
  const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const good = result.statusCodeStats?.[expected]?.count ?? 0;
  if (good === 0) throw new Error(`${server.name}: no ${expected} answer (${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors)`);
  return { rate: answered / ((Number(window[1] - window[0]) / 1e9)), p99: result.latency.p99, cpuPerRequest: cpu / answered, unexpected: answered - good + result.errors + result.timeouts, answered, window };
}

/** A start load then a wrong-code check load on `server`. */
async function both(server, seconds = SECONDS) {
  const ids = [];
  const start = await measure(server, startRequest(ids), 201, { duration: seconds });
  const check = await measure(server, checkRequest(ids), 422, { amount: ids.length * WRONG_CHECKS_PER_ID });
  return { start, check };
}

/** A TCP proxy to Redis counting what its clients write: one write is one round trip of a sequential client. */
async function startCountingProxy(target) {
  const counts = { writes: 0 };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.hostname);
    client.on('data', (chunk) => {
      counts.writes++;
      upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      a.on('error', () => undefined);
      a.on('close', () => b.destroy());
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `redis://127.0.0.1:${server.address().port}`, counts, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function commandStats(redis) {
  const info = await redis.info('commandstats');
  return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map(([, name, calls]) => [name, Number(calls)]));
}

/** Redis round trips and commands per operation: `count` sequential starts, then as many wrong checks. */
async function roundTrips(server, proxy, redis) {
  const per = async (run) => {
    const [writes, stats] = [proxy.counts.writes, await commandStats(redis)];
    for (let i = 0; i < SEQUENTIAL; i++) await run(i);
    const after = await commandStats(redis);
    const commands = Object.fromEntries(Object.entries(after).map(([name, calls]) => [name, round2((calls - (stats[name] ?? 0) - (name === 'info' ? 1 : 0)) / SEQUENTIAL)]).filter(([, calls]) => calls > 0));
    return { roundTrips: round2((proxy.counts.writes - writes) / SEQUENTIAL), commands };
  };
  const ids = [];
  const start = await per(async () => {
    const { phone, ip } = nextStart();
    const answer = await fetch(`${server.url}/verifications`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ phone }) });
    if (answer.status !== 201) throw new Error(`${server.name}: a start answered ${answer.status}`);
    ids.push((await answer.json()).id);
  });
  const check = await per(async (i) => {
    const answer = await fetch(`${server.url}/verifications/${encodeURIComponent(ids[i])}/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":"000000"}' });
    if (answer.status !== 422) throw new Error(`${server.name}: a check answered ${answer.status}`);
    await answer.arrayBuffer();
  });
  return { start, check };
}

// Where a profile's samples go: polyverify's own sources (through dist's source maps), then packages, then Node.
const OWN = [
  [/^src\/guard\//, 'polyverify: guard'],
  [/^redis\//, 'polyverify: Redis stores'],
  [/^src\/codes\//, 'polyverify: codes (hash, records)'],
  [/^src\/(http|adapter)\//, 'polyverify: HTTP shell'],
  [/^providers\//, 'polyverify: LOX24 adapter'],
  [/^src\/(validate|numbers|body)\.ts$/, 'polyverify: input validation'],
  [/./, 'polyverify: other'],
];
const PACKAGES = {
  ky: 'ky',
  'p-retry': 'p-retry',
  valibot: 'valibot',
  'libphonenumber-js': 'libphonenumber-js',
  'rate-limiter-flexible': 'rate-limiter-flexible',
  '@redis/client': 'node-redis',
  redis: 'node-redis',
  hono: 'Hono',
  '@hono/node-server': 'Hono',
};

function groupOf(callFrame, sourceMaps) {
  const { url, functionName, lineNumber, columnNumber } = callFrame;
  if (url === '') return functionName === '(garbage collector)' ? 'GC' : functionName === '(program)' ? 'V8 and native' : functionName === '(idle)' ? undefined : 'V8 and native';
  if (url.startsWith(DIST)) {
    const file = fileURLToPath(url);
    if (!sourceMaps.has(file)) sourceMaps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
    const source = sourceMaps.get(file).findEntry(lineNumber, columnNumber)?.originalSource ?? '';
    const path = source.replace(/^(\.\.\/)+/, '');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    if (pkg) return PACKAGES[pkg] ?? pkg;
    return OWN.find(([pattern]) => pattern.test(path))[1];
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return PACKAGES[pkg] ?? pkg;
  if (url.endsWith('build/examples/backend.js')) return 'the example app';
  if (url.endsWith('bench/backend-floor.mjs')) return 'the floor app';
  if (url.includes('internal/deps/undici')) return 'fetch (undici)';
  if (/^node:(_http|http|net|stream|internal\/(http|streams|stream_base|js_stream|net))/.test(url)) return 'Node http, net, streams';
  return 'Node, other';
}

/** CPU ms per request of each group, from the samples of `profile` inside each of `windows` (ns, monotonic). */
function itemize(profile, windows) {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const sourceMaps = new Map();
  const groups = new Map();
  const totals = windows.map(() => new Map());
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    const span = profile.timeDeltas[i + 1] ?? 0;
    const w = windows.findIndex(({ from, to }) => at * 1000 >= Number(from) && at * 1000 < Number(to));
    if (w < 0) continue;
    const frame = frames.get(profile.samples[i]);
    const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}:${frame.functionName}`;
    if (!groups.has(key)) groups.set(key, groupOf(frame, sourceMaps));
    const group = groups.get(key);
    if (group === undefined) continue;
    totals[w].set(group, (totals[w].get(group) ?? 0) + span / 1000);
  }
  return windows.map(({ requests }, w) => Object.fromEntries([...totals[w]].map(([group, ms]) => [group, ms / requests])));
}

/** Runs a start load and a check load on a server under --cpu-prof; the CPU per request of each group. */
async function profiled(name, file, env) {
  const dir = mkdtempSync(join(tmpdir(), 'polyverify-prof-'));
  try {
    const server = await startServer(name, file, env, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250']);
    if (!QUICK) await both(server, 1); // warm
    const { start, check } = await both(server);
    await server.stop();
    const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))), 'utf8'));
    const [startGroups, checkGroups] = itemize(profile, [
      { from: start.window[0], to: start.window[1], requests: start.answered },
      { from: check.window[0], to: check.window[1], requests: check.answered },
    ]);
    return { start: startGroups, check: checkGroups };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBackend() {
  const built = buildBackend();
  const redis = await startRedis();
  const simulator = spawn(process.execPath, [fileURLToPath(new URL('./lox24-simulator.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sim = await new Promise((resolve) => simulator.stdout.once('data', (chunk) => resolve(JSON.parse(chunk.toString()))));
  const envOf = (redisUrl, prefix) => ({
    POLYVERIFY_PROVIDER: 'lox24',
    LOX24_TOKEN: sim.token,
    LOX24_BASE_URL: sim.url,
    POLYVERIFY_SECRET: SECRET,
    POLYVERIFY_REDIS_URL: redisUrl,
    POLYVERIFY_REDIS_PREFIX: prefix,
    CLIENT_IP_HEADER: 'x-forwarded-for',
    OTEL_TRACES_EXPORTER: 'none',
  });
  // [name, file, extra environment]: the example, the floor on polyverify's chosen stack (ky, rate-limiter-flexible), the floor.
  const kinds = [
    ['polyverify', built, {}],
    ['stack', FLOOR, { FLOOR_STACK: '1' }],
    ['floor', FLOOR, {}],
  ];
  try {
    // Load: the two servers side by side, rounds alternating which goes first.
    const servers = await Promise.all(kinds.map(([name, file, extra]) => startServer(name, file, { ...envOf(redis.url, `${name}:`), ...extra })));
    const runs = Object.fromEntries(kinds.map(([name]) => [name, []]));
    if (!QUICK) for (const server of servers) await both(server, 1); // warm
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of round % 2 ? [...servers].reverse() : servers) {
        globalThis.gc?.();
        runs[server.name].push(await both(server));
      }
    }
    await Promise.all(servers.map((server) => server.stop()));
    const load = Object.fromEntries(
      Object.entries(runs).map(([name, rs]) => [
        name,
        Object.fromEntries(
          ['start', 'check'].map((op) => [
            op,
            { rate: Math.round(median(rs.map((r) => r[op].rate))), p99: median(rs.map((r) => r[op].p99)), cpuPerRequest: round2(median(rs.map((r) => r[op].cpuPerRequest))), unexpected: rs.reduce((sum, r) => sum + r[op].unexpected, 0) },
          ]),
        ),
      ]),
    );
    // Round trips: each server alone, through the counting proxy.
    const proxy = await startCountingProxy(new URL(redis.url));
    const trips = {};
    for (const [name, file, extra] of kinds) {
      const server = await startServer(name, file, { ...envOf(proxy.url, `${name}-trips:`), ...extra });
      trips[name] = await roundTrips(server, proxy, redis.client);
      await server.stop();
    }
    await proxy.close();
    // Where the CPU goes.
    const cpu = {};
    for (const [name, file, extra] of kinds) cpu[name] = await profiled(name, file, { ...envOf(redis.url, `${name}-prof:`), ...extra });
    return report({ load, trips, cpu });
  } finally {
    simulator.stdin.end();
    await redis.client.quit().catch(() => undefined);
    redis.child.kill();
  }
}

const SERVERS = { polyverify: 'example backend', stack: 'floor on the stack (ky, rate-limiter-flexible)', floor: 'floor' };

function report({ load, trips, cpu }) {
  const ratiosOf = (name, to) =>
    Object.fromEntries(['start', 'check'].map((op) => [op, Object.fromEntries(['rate', 'p99', 'cpuPerRequest'].map((key) => [key, round2(load[name][op][key] / load[to][op][key])]))]));
  const results = {
    connections: CONNECTIONS,
    seconds: SECONDS,
    rounds: ROUNDS,
    load,
    // The example and the stack's floor to the floor; the example to the stack's floor (polyverify's own share).
    ratios: ratiosOf('polyverify', 'floor'),
    stackRatios: ratiosOf('stack', 'floor'),
    ownRatios: ratiosOf('polyverify', 'stack'),
    roundTrips: trips,
    cpuPerRequestByGroup: cpu,
  };
  const lines = [
    `## The example backend under load (${CONNECTIONS} connections, ${SECONDS} s a load, medians of ${ROUNDS} rounds)`,
    '',
    '| operation | server | requests/s | p99 ms | server CPU ms/request | unexpected answers |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  const ratioRow = (label, r) => `| | ${label} | **${r.rate}×** | **${r.p99}×** | ${r.cpuPerRequest}× | |`;
  for (const op of ['start', 'check']) {
    for (const name of Object.keys(SERVERS)) lines.push(`| ${op === 'start' ? 'start' : 'wrong-code check'} | ${SERVERS[name]} | ${load[name][op].rate} | ${load[name][op].p99} | ${load[name][op].cpuPerRequest} | ${load[name][op].unexpected} |`);
    lines.push(ratioRow('**example / floor**', results.ratios[op]), ratioRow('stack / floor', results.stackRatios[op]), ratioRow('example / stack', results.ownRatios[op]));
  }
  lines.push('', '| operation | server | Redis round trips | Redis commands |', '| --- | --- | ---: | --- |');
  for (const op of ['start', 'check']) for (const name of Object.keys(SERVERS)) lines.push(`| ${op} | ${SERVERS[name]} | ${trips[name][op].roundTrips} | ${Object.entries(trips[name][op].commands).map(([c, n]) => `${c} ${n}`).join(', ')} |`);
  const sum = (x) => round2(Object.values(x).reduce((a, b) => a + b, 0));
  for (const op of ['start', 'check']) {
    const groups = [...new Set(Object.keys(SERVERS).flatMap((name) => Object.keys(cpu[name][op])))].sort((a, b) => (cpu.polyverify[op][b] ?? 0) - (cpu.polyverify[op][a] ?? 0));
    lines.push('', `| CPU ms per ${op} (profiled) | example backend | floor on the stack | floor |`, '| --- | ---: | ---: | ---: |');
    for (const group of groups) lines.push(`| ${group} | ${Object.keys(SERVERS).map((name) => round2(cpu[name][op][group] ?? 0)).join(' | ')} |`);
    lines.push(`| **total** | ${Object.keys(SERVERS).map((name) => `**${sum(cpu[name][op])}**`).join(' | ')} |`);
  }
  return { ...results, markdown: lines.join('\n') };
}
