import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation runs (npm run mutate): the suite without the tests of the built command, which run
// dist/ and so cannot see a mutant of the sources.
export default mergeConfig(base, defineConfig({ test: { exclude: ['test/cli.test.ts', 'node_modules/**'] } }));
