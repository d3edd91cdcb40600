// Cold imports: each module imported in a fresh `node` process, many times, the median of the
// import's own time (performance.now around `await import()`) and of the whole process, next to
// the anchors measured in the same run: an empty process, and `import('ky')` alone (ky loads
// undici at import time to probe for stream support).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNS = process.env.BENCH_QUICK ? 3 : 21;
const root = fileURLToPath(new URL('..', import.meta.url));
const MODULES = { 'empty process': null, ky: 'ky', valibot: 'valibot', 'polyverify (core)': './dist/index.js', 'polyverify/lox24': './dist/lox24.js' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runImports() {
  const samples = Object.fromEntries(Object.keys(MODULES).map((name) => [name, { importMs: [], processMs: [] }]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, specifier] of Object.entries(MODULES)) {
      const code = specifier === null ? 'console.log(0)' : `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t)`;
      const started = performance.now();
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
      const processMs = performance.now() - started;
      if (child.status !== 0) throw new Error(`import of ${name} failed: ${child.stderr}`);
      samples[name].importMs.push(Number(child.stdout.trim()));
      samples[name].processMs.push(processMs);
    }
  }
  const results = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, { importMs: median(s.importMs), processMs: median(s.processMs) }]));
  const ky = results.ky.importMs;
  const rows = Object.entries(results).map(([name, r]) => `| ${name} | ${name === 'empty process' ? '—' : `${r.importMs.toFixed(1)} ms`} | ${r.processMs.toFixed(0)} ms | ${name.startsWith('polyverify') ? `${r.importMs - ky >= 0 ? '+' : '−'}${Math.abs(r.importMs - ky).toFixed(1)} ms` : ''} |`);
  return {
    date: new Date().toISOString(),
    node: process.version,
    runs: RUNS,
    results,
    markdown: [`### Cold imports (median of ${RUNS} fresh processes each)`, '', '| module | import | whole process | over import(\'ky\') |', '|---|---|---|---|', ...rows].join('\n'),
  };
}
