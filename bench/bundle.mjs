// What a user's bundle weighs: `polyverify` alone and with one adapter, minified and gzipped,
// with ky, valibot and p-retry bundled in. createProvider's adapter imports stay out of the
// core (they are loaded only when a config names them), so they are left external here.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = {
  'polyverify (core)': "import { createProvider, listAcross, summarize } from 'polyverify'; console.log(createProvider, listAcross, summarize);",
  'polyverify + polyverify/lox24': "import { summarize } from 'polyverify'; import { lox24 } from 'polyverify/lox24'; console.log(summarize, lox24);",
  'polyverify + polyverify/notificore': "import { summarize } from 'polyverify'; import { notificore } from 'polyverify/notificore'; console.log(summarize, notificore);",
  'polyverify + polyverify/messagebird': "import { summarize } from 'polyverify'; import { messagebird } from 'polyverify/messagebird'; console.log(summarize, messagebird);",
  'polyverify + polyverify/twilio': "import { summarize } from 'polyverify'; import { twilio } from 'polyverify/twilio'; console.log(summarize, twilio);",
  'polyverify/lox24 alone': "import { lox24 } from 'polyverify/lox24'; console.log(lox24);",
};

/** The package's dependencies, left out of the "own code" rows. */
const DEPENDENCIES = ['ky', 'valibot', 'p-retry', 'rate-limiter-flexible', 'libphonenumber-js'];

async function size(contents, ownOnly = false) {
  const result = await build({
    ...(ownOnly && { external: DEPENDENCIES.flatMap((d) => [d, `${d}/*`]) }),
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'error', // tsup's bare chunk imports are dropped under sideEffects: false, as intended
    alias: {
      polyverify: `${root}dist/index.js`,
      'polyverify/lox24': `${root}dist/lox24.js`,
      'polyverify/notificore': `${root}dist/notificore.js`,
      'polyverify/messagebird': `${root}dist/messagebird.js`,
      'polyverify/twilio': `${root}dist/twilio.js`,
    },
    // The dynamic imports inside createProvider and the registry (adapters, simulators): loaded
    // on demand, not part of this bundle.
    plugins: [{ name: 'lazy-imports', setup: (b) => b.onResolve({ filter: /.*/, namespace: 'file' }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined)) }],
  });
  const code = result.outputFiles[0].contents;
  return { bytes: code.length, gzip: gzipSync(code).length };
}

export async function runBundle() {
  const results = {};
  for (const [label, contents] of Object.entries(entries)) results[label] = await size(contents);
  // polyverify's own code, its dependencies counted apart.
  results['own code: polyverify + polyverify/lox24'] = await size(entries['polyverify + polyverify/lox24'], true);
  results['own code: polyverify/lox24 alone'] = await size(entries['polyverify/lox24 alone'], true);
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const markdown = [
    'Bundle sizes (esbuild, minified; dependencies bundled in, except in the "own code" rows)',
    '',
    '| import | minified | gzip |',
    '|---|---|---|',
    ...Object.entries(results).map(([label, r]) => `| ${label} | ${kib(r.bytes)} | ${kib(r.gzip)} |`),
  ].join('\n');
  return { results, markdown };
}
