import { defineConfig } from 'tsup';

// One entry per public subpath, so `polyverify/lox24` pulls in no other vendor's code.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    lox24: 'providers/lox24/index.ts',
    notificore: 'providers/notificore/index.ts',
    messagebird: 'providers/messagebird/index.ts',
    testing: 'testing/index.ts',
    cli: 'cli/main.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'src/index.ts', lox24: 'providers/lox24/index.ts', notificore: 'providers/notificore/index.ts', messagebird: 'providers/messagebird/index.ts', testing: 'testing/index.ts' } },
  sourcemap: true,
  // createProvider loads adapters by the package's own name (self-reference), so the core
  // bundle never contains them.
  external: [/^polyverify\//],
  clean: true,
  splitting: true,
  treeshake: true,
});
