import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The package's own names, resolved to the sources, so examples run as users write them.
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^polyverify\/lox24$/, replacement: source('./providers/lox24/index.ts') },
      { find: /^polyverify\/notificore$/, replacement: source('./providers/notificore/index.ts') },
      { find: /^polyverify\/messagebird$/, replacement: source('./providers/messagebird/index.ts') },
      { find: /^polyverify\/testing$/, replacement: source('./testing/index.ts') },
      { find: /^polyverify$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own nock state and simulators; files run in parallel on 2 cores.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
