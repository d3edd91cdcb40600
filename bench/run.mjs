// Benchmarks: `npm run bench` (builds first). Each benchmark runs in a process of its own, so
// one's memory high-water mark does not hide another's. Writes bench/results/*.json and prints
// Markdown. `node --expose-gc bench/run.mjs listing` runs one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benches = {
  roundtrip: () => import('./roundtrip.mjs').then((m) => m.runRoundTrips()),
  listing: () => import('./listing.mjs').then((m) => m.runListing()),
  bundle: () => import('./bundle.mjs').then((m) => m.runBundle()),
  boundary: () => import('./boundary.mjs').then((m) => m.runBoundary()),
  redis: () => import('./redis.mjs').then((m) => m.runRedis()),
  guard: () => import('./guard.mjs').then((m) => m.runGuard()),
  check: () => import('./check.mjs').then((m) => m.runCheck()),
  imports: () => import('./imports.mjs').then((m) => m.runImports()),
  scorecard: () => import('./scorecard.mjs').then((m) => m.runScorecard()),
  adaptive: () => import('./adaptive.mjs').then((m) => m.runAdaptive()),
  tracing: () => import('./tracing.mjs').then((m) => m.runTracing()),
  backend: () => import('./backend.mjs').then((m) => m.runBackend()),
};
// `--quick`: every benchmark on a small load (CI runs it so the benchmarks never rot: a smoke run,
// not a timed assertion). The children read BENCH_QUICK.
const args = process.argv.slice(2);
if (args.includes('--quick')) process.env.BENCH_QUICK = '1';
const only = args.find((arg) => !arg.startsWith('--'));
if (only === undefined) {
  for (const name of Object.keys(benches)) {
    const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), name], { stdio: 'inherit', env: process.env });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
} else {
  if (!(only in benches)) throw new Error(`no benchmark '${only}'; there are ${Object.keys(benches).join(', ')}`);
  const results = await benches[only]();
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  if (!process.env.BENCH_QUICK) writeFileSync(new URL(`./results/${only}.json`, import.meta.url), JSON.stringify(results, null, 2) + '\n');
  console.log(results.markdown + '\n');
}
