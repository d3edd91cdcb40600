#!/usr/bin/env node
/**
 * npm run mutate [-- FILE...] [--min-score N] [--tests GLOB,GLOB]: StrykerJS over the files of
 * stryker.config.json, or over the files named. Prints the score of each file from the JSON
 * report; with --min-score, exits 1 when a file scores below N (CI runs a small subset this way).
 * --tests runs only the test files that pin the named files (a run of minutes, not hours).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { 'min-score': { type: 'string' }, tests: { type: 'string' } }, allowPositionals: true });
const report = 'reports/mutation/mutation.json';
const args = ['stryker', 'run', ...(positionals.length ? ['--mutate', positionals.join(',')] : [])];
const run = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, ...(values.tests && { MUTATE_TESTS: values.tests }) } });
if (run.status !== 0) process.exit(run.status ?? 1);

// Killed and timed-out mutants over every mutant that ran or had no test (compile and runtime errors aside).
const counted = (m) => !['CompileError', 'RuntimeError', 'Ignored'].includes(m.status);
const detected = (m) => m.status === 'Killed' || m.status === 'Timeout';
const min = values['min-score'] === undefined ? undefined : Number(values['min-score']);
let failed = false;
for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
  const valid = mutants.filter(counted);
  const score = valid.length ? (100 * valid.filter(detected).length) / valid.length : 100;
  const low = min !== undefined && score < min;
  failed ||= low;
  console.log(`${low ? 'BELOW' : 'score'} ${score.toFixed(1).padStart(5)} %  ${file}`);
}
if (failed) {
  console.error(`mutation score below ${min} %: see the survivors above, or reports/mutation/mutation.json`);
  process.exit(1);
}
