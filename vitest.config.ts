import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import pkg from './package.json' with { type: 'json' };
// @ts-expect-error: a plain .mjs helper shared with the tsup config and the tests
import { publicEntries } from './scripts/entries.mjs';

// The package's own names, resolved to the sources, so examples run as users write them.
const source = (path: string) => fileURLToPath(new URL(`./${path}`, import.meta.url));
const entries = Object.entries(publicEntries as Record<string, string>);

export default defineConfig({
  // The version written in at build time (src/version.ts), the same in the sources under test.
  define: { __POLYVERIFY_VERSION__: JSON.stringify(pkg.version) },
  resolve: {
    alias: entries.map(([subpath, file]) => ({ find: new RegExp(`^polyverify${subpath === 'index' ? '' : `/${subpath}`}$`), replacement: source(file) })),
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own nock state and simulators; files run in parallel on 2 cores.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
