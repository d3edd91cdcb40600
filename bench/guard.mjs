// What guard() costs on a LOX24 start against the simulator, in one run: unguarded, guarded in
// memory (perPhone, perKey, total), the same plus countries and strictNumbers (libphonenumber-js
// "max"), and guarded in Redis (a redis-server of its own on a free loopback port). Sequential
// starts, the ways alternating call by call, medians of rounds; and the RSS the guarded runs add.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { guard } from '../dist/index.js';
import { lox24 } from '../dist/lox24.js';
import { startSimulator } from '../dist/testing.js';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = QUICK ? 1 : 5;
const PER_ROUND = QUICK ? 30 : 400;
const limits = { perPhone: { max: 1e6, windowSeconds: 600 }, perKey: { max: 1e6, windowSeconds: 600 }, total: { max: 1e9, windowSeconds: 600 } };

async function startRedis() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      return { child, client: await createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } }).on('error', () => undefined).connect() };
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runGuard() {
  const sim = await startSimulator('lox24');
  const { child, client } = await startRedis();
  try {
    const vendor = lox24({ token: sim.token, secret: 'bench-secret-0123456789', baseUrl: sim.url });
    const ways = {
      unguarded: vendor,
      'guard, memory': guard(vendor, limits),
      'guard, memory + countries + strictNumbers': guard(vendor, { ...limits, countries: { allow: ['DE'] }, strictNumbers: true }),
      'guard, Redis': guard(vendor, { ...limits, redis: client }),
    };
    let n = 0;
    const phone = () => `+49170${String(1_000_000 + (n++ % 8_999_999))}`;
    for (const way of Object.values(ways)) for (let i = 0; i < 50; i++) await way.start({ to: phone() }, { limitKey: 'bench' });
    const samples = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const spent = Object.fromEntries(Object.keys(ways).map((name) => [name, 0]));
      for (let i = 0; i < PER_ROUND; i++) {
        for (const [name, way] of Object.entries(ways)) {
          const to = phone();
          const started = performance.now();
          await way.start({ to }, { limitKey: 'bench' });
          spent[name] += performance.now() - started;
        }
      }
      for (const name of Object.keys(ways)) samples[name].push((spent[name] / PER_ROUND) * 1000);
    }
    // Memory of the in-process counters: 100 000 distinct phone numbers counted once each.
    // The guard's default store is rate-limiter-flexible's RateLimiterMemory, one per rule: measured directly.
    const { default: RateLimiterMemory } = await import('rate-limiter-flexible/lib/RateLimiterMemory.js');
    const store = new RateLimiterMemory({ points: 3, duration: 600 });
    await store.consume('warm');
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < (QUICK ? 5_000 : 100_000); i++) await store.consume(`key-${i}`);
    globalThis.gc?.();
    const bytesPerKey = (process.memoryUsage().heapUsed - heapBefore) / (QUICK ? 5_000 : 100_000);
    const base = median(samples.unguarded);
    const rows = Object.keys(ways).map((name) => {
      const us = median(samples[name]);
      return `| ${name} | ${us.toFixed(0)} µs | ${name === 'unguarded' ? '—' : `+${(us - base).toFixed(0)} µs`} | ${(base / us).toFixed(2)}× |`;
    });
    const results = Object.fromEntries(Object.keys(ways).map((name) => [name, median(samples[name])]));
    return {
      date: new Date().toISOString(),
      node: process.version,
      results: { microsecondsPerStart: results, memoryBytesPerCountedKey: Math.round(bytesPerKey) },
      markdown: [
        `### A guarded LOX24 start vs an unguarded one (median of ${ROUNDS} rounds of ${PER_ROUND}, alternating call by call)`,
        '',
        '| way | per start | added | throughput vs unguarded |',
        '|---|---|---|---|',
        ...rows,
        '',
        `In-process counters: ${bytesPerKey.toFixed(0)} bytes of heap per counted key (${QUICK ? '5 000' : '100 000'} distinct phone numbers; the default cap is 100 000 keys per rule).`,
      ].join('\n'),
    };
  } finally {
    await client.close();
    child.kill('SIGKILL');
    await sim.close();
  }
}
