import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation runs (npm run mutate): the suite without the tests that run the built package in
// other processes or bundle it (the CLI through test/cli-run.ts, the Redis worker, the CLI's secret
// search, tree shaking): they run dist/, which Stryker's sandbox does not build, and cannot see a
// mutant of the sources. They are found by what they use, not listed by hand, so a new test that
// runs the CLI cannot break the mutation run (as test/app/first-day.test.ts once did in CI).
// Instrumented code on a busy machine runs slower, so the time limits are wider.
// MUTATE_TESTS (set by `npm run mutate -- FILE --tests GLOB,GLOB`) narrows the run to the tests that
// pin the mutated files: a run over one module then takes minutes, not the whole suite per mutant.
const runsDist = /cli-run\.js|redis-worker\.mjs|dist\/cli\.js|from 'esbuild'/;
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? testFiles(path) : entry.name.endsWith('.test.ts') ? [path] : [];
  });
}
const usingDist = testFiles('test').filter((file) => runsDist.test(readFileSync(file, 'utf8')));
const focus = process.env['MUTATE_TESTS']?.split(',').filter(Boolean);
const config = mergeConfig(base, defineConfig({ test: { exclude: [...usingDist, 'node_modules/**'], testTimeout: 90_000, hookTimeout: 90_000 } }));
// Set, not merged: mergeConfig would add the focus to the base's include.
if (focus?.length) config.test!.include = focus;
export default config;
