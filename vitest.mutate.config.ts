import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation runs (npm run mutate): the suite without the tests that run the built package in
// other processes (the command, the Redis worker and CLI runs, the CLI's secret search): they
// run dist/, which Stryker's sandbox does not build, and cannot see a mutant of the sources.
// Instrumented code on a busy machine runs slower, so the time limits are wider.
export default mergeConfig(
  base,
  defineConfig({ test: { exclude: ['test/cli.test.ts', 'test/redis.test.ts', 'test/secrets.test.ts', 'node_modules/**'], testTimeout: 90_000, hookTimeout: 90_000 } }),
);
