import { defineConfig } from 'tsup';
// @ts-expect-error: a plain .mjs helper shared with the vitest config and the tests
import { publicEntries } from './scripts/entries.mjs';

// One entry per public subpath, so `polyverify/lox24` pulls in no other vendor's code.
const entries = publicEntries as Record<string, string>;
export default defineConfig({
  entry: { ...entries, cli: 'cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: entries },
  sourcemap: true,
  // createProvider loads adapters by the package's own name (self-reference), so the core
  // bundle never contains them.
  external: [/^polyverify\//],
  clean: true,
  splitting: true,
  treeshake: true,
});
