// What a user's bundler keeps of the built package: only the code an import reaches. The
// package is `sideEffects: false` and its module-level schemas and tables are marked pure, so
// a bundler drops what is not used; these tests bundle dist/ with esbuild as a user's build would.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the build
import { publicEntries } from '../../scripts/entries.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    external: ['ky', 'valibot', 'p-retry', 'rate-limiter-flexible', 'libphonenumber-js', 'libphonenumber-js/*'],
    alias: { polyverify: `${root}dist/index.js`, 'polyverify/lox24': `${root}dist/lox24.js` },
    // createProvider's adapter imports are split off by a bundler, not part of this bundle.
    plugins: [{ name: 'lazy-imports', setup: (b) => b.onResolve({ filter: /.*/, namespace: 'file' }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined)) }],
  });
  return result.outputFiles[0]!.text;
}

/** The whole graph of a built entry, static and dynamic imports followed (self-references to dist/). */
async function wholeGraph(entry: string): Promise<string> {
  const alias = Object.fromEntries(Object.keys(publicEntries as Record<string, string>).map((key) => [key === 'index' ? 'polyverify' : `polyverify/${key}`, `${root}dist/${key}.js`]));
  const result = await build({
    stdin: { contents: `export * from '${entry}';`, resolveDir: root, loader: 'js' },
    bundle: true,
    splitting: true,
    outdir: `${root}.graph`,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    external: ['ky', 'valibot', 'p-retry', 'rate-limiter-flexible', 'libphonenumber-js', 'libphonenumber-js/*', 'redis', 'ioredis', 'd3-scale', 'd3-shape'],
    alias,
  });
  return result.outputFiles.map((file) => file.text).join('\n');
}

describe('layers, as a user\'s bundler sees them', () => {
  const production = ['polyverify', 'polyverify/adapter', 'polyverify/lox24', 'polyverify/notificore', 'polyverify/messagebird', 'polyverify/redis'];
  it.each(production)('%s reaches no simulator and no node:http, dynamic imports followed', async (entry) => {
    const code = await wholeGraph(entry);
    for (const marker of ['Lox24Simulator', 'NotificoreSimulator', 'MessagebirdSimulator', 'SimulatorBase', 'startHostileServer']) expect(code, `${entry} reaches ${marker}`).not.toContain(marker);
    expect(code).not.toMatch(/from\s*"(node:)?http"/);
  });

  it('polyverify/testing reaches all three simulators and node:http (so the check above can fail)', async () => {
    const code = await wholeGraph('polyverify/testing');
    for (const marker of ['Lox24Simulator', 'NotificoreSimulator', 'MessagebirdSimulator']) expect(code).toContain(marker);
    expect(code).toMatch(/from\s*"(node:)?http"/);
  });
});

describe('tree shaking of the built package', () => {
  it('summarize from polyverify brings neither the guard, nor the config loader, nor the vendors', async () => {
    const code = await bundle("import { summarize } from 'polyverify'; console.log(summarize);");
    expect(code).toContain('Summarizer = class');
    expect(code).not.toContain('ISO 3166-1 alpha-2'); // the guard's option schema
    expect(code).not.toContain('POLYVERIFY_CONFIG'); // the config and environment loader
    expect(code).not.toContain('LOX24_TOKEN');
    expect(code).not.toContain('NOTIFICORE_API_KEY');
    expect(code).not.toContain('MESSAGEBIRD_BASE_URL');
    expect(code).not.toContain('HttpClient = class');
  });

  it('polyverify/lox24 brings no other vendor and no guard', async () => {
    const code = await bundle("import { lox24 } from 'polyverify/lox24'; console.log(lox24);");
    expect(code).toContain('https://api.lox24.eu');
    expect(code).not.toContain('NOTIFICORE_API_KEY');
    expect(code).not.toContain('MESSAGEBIRD_BASE_URL');
    expect(code).not.toContain('ISO 3166-1 alpha-2');
    expect(code).not.toContain('POLYVERIFY_CONFIG');
  });

  it('createProvider brings the registry but no adapter code', async () => {
    const code = await bundle("import { createProvider } from 'polyverify'; console.log(createProvider);");
    expect(code).toContain('POLYVERIFY_CONFIG');
    expect(code).toContain('NOTIFICORE_API_KEY'); // every vendor's descriptor: its options and variables
    expect(code).not.toContain('HttpClient = class'); // adapters are loaded on demand
  });
});
