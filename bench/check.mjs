// LOX24's local check() (library-owned codes, the in-memory store) against its anchor: the
// store's own attempt plus the HMAC of the code, the work no check can skip. Wrong codes on a
// verification that never locks, and right codes (each on a fresh record); the ways alternate
// in rounds, medians reported as a ratio to the anchor measured in the same run.
import { MemoryCodeStore } from '../dist/index.js';
import { createHmac } from 'node:crypto';
import { lox24 } from '../dist/lox24.js';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = QUICK ? 2 : 7;
const CALLS = QUICK ? 2_000 : 50_000;
const SECRET = 'bench-secret-0123456789';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runCheck() {
  const store = new MemoryCodeStore();
  const hasher = { hash: (code) => createHmac('sha256', SECRET).update(code).digest('hex') } /* what polyverify stores: HMAC-SHA256(secret, code), hex */;
  const verify = lox24({ token: 'bench0123456789', secret: SECRET, baseUrl: 'http://127.0.0.1:9', codeStore: store });
  const now = Date.now();
  const record = (maxAttempts) => ({ hash: hasher.hash('123456'), createdAt: now, expiresAt: now + 3_600_000, maxAttempts, failedAttempts: 0, state: 'pending' });
  const wrongId = '00000000-0000-4000-8000-000000000001';
  await store.save(wrongId, record(Number.MAX_SAFE_INTEGER));
  const ids = Array.from({ length: CALLS }, (_, i) => `00000000-0000-4000-8000-${String(i + 2).padStart(12, '0')}`);
  const freshRecords = async () => {
    for (const id of ids) await store.save(id, record(5));
  };
  const ways = {
    'wrong code': {
      polyverify: async () => {
        for (let i = 0; i < CALLS; i++) await verify.check(wrongId, '654321');
      },
      anchor: async () => {
        for (let i = 0; i < CALLS; i++) await store.attempt(wrongId, hasher.hash('654321'), Date.now());
      },
    },
    'right code': {
      polyverify: async () => {
        for (const id of ids) await verify.check(id, '123456');
      },
      anchor: async () => {
        for (const id of ids) await store.attempt(id, hasher.hash('123456'), Date.now());
      },
    },
  };
  const results = {};
  for (const [name, pair] of Object.entries(ways)) {
    const rates = { polyverify: [], anchor: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const who of round % 2 ? ['anchor', 'polyverify'] : ['polyverify', 'anchor']) {
        if (name === 'right code') await freshRecords();
        globalThis.gc?.();
        const started = performance.now();
        await pair[who]();
        rates[who].push(CALLS / ((performance.now() - started) / 1000));
      }
    }
    results[name] = { polyverify: median(rates.polyverify), anchor: median(rates.anchor) };
  }
  const rows = Object.entries(results).map(([name, r]) => `| ${name} | ${r.polyverify.toFixed(0)} | ${r.anchor.toFixed(0)} | ${(r.polyverify / r.anchor).toFixed(2)}× |`);
  return {
    date: new Date().toISOString(),
    node: process.version,
    results,
    markdown: [`### LOX24 local check() vs store.attempt + HMAC (median of ${ROUNDS} rounds of ${CALLS})`, '', '| code | check()/s | attempt + HMAC/s | ratio |', '|---|---|---|---|', ...rows].join('\n'),
  };
}
