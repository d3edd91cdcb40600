// The package's entry points, from the layout: the core, polyverify/adapter, polyverify/testing,
// the CLI, and one per vendor folder under providers/ (test/principles/layers.test.ts checks that the
// folders are the registry's vendors, and that package.json, tsconfig and typedoc agree).
import { readdirSync } from 'node:fs';

const root = new URL('../', import.meta.url);
export const vendors = readdirSync(new URL('providers/', root), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** Public subpaths (without `polyverify/`) → source files. */
export const publicEntries = {
  index: 'providers/index.ts',
  adapter: 'src/adapter/index.ts',
  ...Object.fromEntries(vendors.map((vendor) => [vendor, `providers/${vendor}/index.ts`])),
  testing: 'testing/index.ts',
  redis: 'redis/index.ts',
  otel: 'otel/index.ts',
};
