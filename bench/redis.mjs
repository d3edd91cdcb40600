// LOX24 `check()` on the Redis store against its anchor: the bare round trip of the very same
// EVALSHA (same script, keys and arguments, captured from the store) on the same node-redis
// connection, sequentially and with 50 in flight, rounds interleaved, medians; and the memory
// one stored verification takes in Redis (MEMORY USAGE of its keys). Starts its own
// redis-server on a free loopback port.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { lox24 } from '../dist/lox24.js';
import { RedisCodeStore } from '../dist/redis.js';
import { createHmac } from 'node:crypto';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = QUICK ? 1 : 5;
const SEQUENTIAL = QUICK ? 200 : 3000;
const CONCURRENT_TOTAL = QUICK ? 500 : 10000;
const IN_FLIGHT = 50;
const SECRET = 'bench-secret-0123456789';

/** A free TCP port on 127.0.0.1 (also for bench/backend.mjs). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  child.on('error', (error) => {
    console.error(`cannot start redis-server (apt-get install -y redis-server): ${error.message}`);
    process.exit(1);
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const client = await createClient({ url, socket: { reconnectStrategy: false } }).on('error', () => undefined).connect();
      return { url, child, client };
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function sequential(run, count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) await run();
  return count / ((performance.now() - started) / 1000);
}

async function concurrent(run, total, inFlight) {
  const started = performance.now();
  let left = total;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (left-- > 0) await run();
  }));
  return total / ((performance.now() - started) / 1000);
}

export async function runRedis() {
  const { url, child, client } = await startRedis();
  try {
    // The store's own client, wrapped to capture one attempt's raw command for the anchor.
    let captured;
    const capturing = { sendCommand: (args) => ((captured ??= args[0] === 'EVALSHA' ? [...args] : undefined), client.sendCommand(args)) };
    const store = new RedisCodeStore({ client: capturing, prefix: 'bench:' });
    const verify = lox24({ token: 'bench0123456789', secret: SECRET, baseUrl: 'http://127.0.0.1:9', codeStore: store });
    const id = '00000000-0000-4000-8000-000000000001';
    const hasher = { hash: (code) => createHmac('sha256', SECRET).update(code).digest('hex') } /* what polyverify stores: HMAC-SHA256(secret, code), hex */;
    const now = Date.now();
    // A verification that never locks: every wrong check is one full attempt (the common, bounded case is the same script).
    await store.save(id, { hash: hasher.hash('123456'), createdAt: now, expiresAt: now + 3_600_000, maxAttempts: 1e12, failedAttempts: 0, state: 'pending' });
    const check = async () => {
      const result = await verify.check(id, '654321');
      if (result.reason !== 'incorrect_code') throw new Error(`unexpected ${result.reason}`);
    };
    await check();
    const raw = captured;
    const bare = async () => {
      await client.sendCommand(raw);
    };
    const ways = { polyverify: check, 'bare EVALSHA': bare };
    const seq = { polyverify: [], 'bare EVALSHA': [] };
    const conc = { polyverify: [], 'bare EVALSHA': [] };
    for (const run of Object.values(ways)) await sequential(run, 500);
    for (let round = 0; round < ROUNDS; round++) {
      // Sequential: the two alternate call by call, so the machine's noise falls on both alike.
      const spent = { polyverify: 0, 'bare EVALSHA': 0 };
      for (let i = 0; i < SEQUENTIAL; i++) {
        for (const [name, run] of Object.entries(ways)) {
          const started = performance.now();
          await run();
          spent[name] += performance.now() - started;
        }
      }
      for (const name of Object.keys(ways)) seq[name].push(SEQUENTIAL / (spent[name] / 1000));
      for (const [name, run] of Object.entries(ways)) conc[name].push(await concurrent(run, CONCURRENT_TOTAL, IN_FLIGHT));
    }
    // Memory per stored verification: 1 000 pending codes as LOX24 leaves them after start.
    const codes = new RedisCodeStore({ client, prefix: 'mem:' });
    let bytes = 0;
    for (let i = 0; i < (QUICK ? 50 : 1000); i++) {
      const key = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      await codes.save(key, { hash: hasher.hash(String(100000 + i)), createdAt: now, expiresAt: now + 600_000, maxAttempts: 5, failedAttempts: 0, state: 'pending' });
      for (const redisKey of codes.keysOf(key)) bytes += Number(await client.sendCommand(['MEMORY', 'USAGE', redisKey]));
    }
    const results = {
      sequential: { polyverify: median(seq.polyverify), bare: median(seq['bare EVALSHA']) },
      concurrent: { polyverify: median(conc.polyverify), bare: median(conc['bare EVALSHA']) },
      bytesPerVerification: bytes / (QUICK ? 50 : 1000),
    };
    const ratio = (r) => (r.polyverify / r.bare).toFixed(2);
    const markdown = [
      `### LOX24 check() on Redis vs the bare EVALSHA (median of ${ROUNDS} rounds; sequential calls alternate one by one)`,
      '',
      '| | polyverify check/s | bare EVALSHA/s | ratio |',
      '|---|---|---|---|',
      `| sequential | ${results.sequential.polyverify.toFixed(0)} | ${results.sequential.bare.toFixed(0)} | ${ratio(results.sequential)}× |`,
      `| ${IN_FLIGHT} in flight | ${results.concurrent.polyverify.toFixed(0)} | ${results.concurrent.bare.toFixed(0)} | ${ratio(results.concurrent)}× |`,
      '',
      `Memory per stored verification (MEMORY USAGE of its two keys): ${results.bytesPerVerification.toFixed(0)} bytes.`,
    ].join('\n');
    return { date: new Date().toISOString(), node: process.version, results, markdown };
  } finally {
    await client.close();
    child.kill('SIGKILL');
  }
}
