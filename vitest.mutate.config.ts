import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation runs (npm run mutate): the suite without the tests of the built command, which run
// dist/ and so cannot see a mutant of the sources; instrumented code on a busy machine runs
// slower, so the time limits are wider.
export default mergeConfig(base, defineConfig({ test: { exclude: ['test/cli.test.ts', 'node_modules/**'], testTimeout: 90_000, hookTimeout: 90_000 } }));
