import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation runs (npm run mutate): the suite without the tests that run the built package in
// other processes or bundle it (the command and its report, the Redis worker and CLI runs, the CLI's
// secret search, tree shaking): they
// run dist/, which Stryker's sandbox does not build, and cannot see a mutant of the sources.
// Instrumented code on a busy machine runs slower, so the time limits are wider.
// MUTATE_TESTS (set by `npm run mutate -- FILE --tests GLOB,GLOB`) narrows the run to the tests that
// pin the mutated files: a run over one module then takes minutes, not the whole suite per mutant.
const focus = process.env['MUTATE_TESTS']?.split(',').filter(Boolean);
const config = mergeConfig(
  base,
  defineConfig({ test: { exclude: ['test/app/cli.test.ts', 'test/app/cli.edges.test.ts', 'test/core/redis.test.ts', 'test/principles/secrets.test.ts', 'test/app/report.test.ts', 'test/principles/tree-shaking.test.ts', 'node_modules/**'], testTimeout: 90_000, hookTimeout: 90_000 } }),
);
// Set, not merged: mergeConfig would add the focus to the base's include.
if (focus?.length) config.test!.include = focus;
export default config;
