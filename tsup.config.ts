import { readFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';
import pkg from './package.json' with { type: 'json' };
// @ts-expect-error: a plain .mjs helper shared with the vitest config and the tests
import { publicEntries } from './scripts/entries.mjs';

// One entry per public subpath, so `polyverify/lox24` pulls in no other vendor's code.
const entries = publicEntries as Record<string, string>;

// Valibot's schema constructors (`v.object(…)`, `v.pipe(…)`) are pure, but a bundler cannot know
// it: a module-level schema nobody uses would stay in a user's bundle, with every module that
// shares its chunk. Marking each constructor call `@__PURE__` at build time lets a user's bundler
// drop what the user's imports do not reach (test/principles/tree-shaking.test.ts). Parsing calls stay as they are.
const VALIBOT_CONSTRUCTOR = /\bv\.(?!safeParse\b|parse\b|is\b|assert\b)([a-zA-Z]+)\(/g;
const pureValibot = {
  name: 'pure-valibot',
  setup(build: { onLoad: (options: { filter: RegExp }, load: (args: { path: string }) => Promise<{ contents: string; loader: 'ts' } | undefined>) => void }) {
    build.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      if (path.includes('node_modules')) return undefined;
      const source = await readFile(path, 'utf8');
      if (!source.includes("from 'valibot'")) return undefined;
      return { contents: source.replace(VALIBOT_CONSTRUCTOR, '/* @__PURE__ */ v.$1('), loader: 'ts' };
    });
  },
};
export default defineConfig({
  entry: { ...entries, cli: 'cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  // Keep `node:` in imports: a Worker resolves `node:crypto` under nodejs_compat, never a bare `crypto`.
  removeNodeProtocol: false,
  dts: { entry: entries },
  sourcemap: true,
  // createProvider loads adapters by the package's own name (self-reference), so the core
  // bundle never contains them.
  external: [/^polyverify\//],
  clean: true,
  splitting: true,
  treeshake: true,
  esbuildPlugins: [pureValibot],
  define: { __POLYVERIFY_VERSION__: JSON.stringify(pkg.version) },
});
