/**
 * The registry is the one list of vendors: the vendor folders, the package's entry points
 * (package.json, tsconfig paths, typedoc, and the tsup and vitest configs, which are
 * generated from the folders) and the layering rules all agree with it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { REGISTRY } from '../../providers/registry.js';
import { SIMULATED_VENDORS } from '../../testing/index.js';
// @ts-expect-error: a plain .mjs helper
import { publicEntries, vendors as vendorFolders } from '../../scripts/entries.mjs';
import { VENDORS as BUILT_IN_VENDORS } from '../../providers/registry.js';
import { ENV } from '../../providers/built-in.js';

const root = new URL('../../', import.meta.url);
const json = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
const names = Object.keys(REGISTRY).sort();

describe('the registry', () => {
  it('lists exactly the vendor folders, each under its own name', () => {
    expect(vendorFolders).toEqual(names);
    for (const [name, vendor] of Object.entries(REGISTRY)) expect(vendor.name).toBe(name);
    expect(BUILT_IN_VENDORS.map((v) => v.name).sort()).toEqual(names);
    expect([...SIMULATED_VENDORS].sort()).toEqual(names);
    for (const name of names) expect(ENV).toHaveProperty(name);
  });

  it('every public entry is in package.json exports, tsconfig paths and typedoc', () => {
    const entries = publicEntries as Record<string, string>;
    const exportsField = json('package.json').exports as Record<string, unknown>;
    const paths = json('tsconfig.json').compilerOptions.paths as Record<string, string[]>;
    const typedoc = json('typedoc.json').entryPoints as string[];
    const subpaths = Object.keys(entries).map((key) => (key === 'index' ? '.' : `./${key}`));
    expect(Object.keys(exportsField).filter((key) => key !== './package.json').sort()).toEqual(subpaths.sort());
    for (const [key, file] of Object.entries(entries)) {
      const built = key === 'index' ? 'index' : key;
      expect(exportsField[key === 'index' ? '.' : `./${key}`]).toEqual({ types: `./dist/${built}.d.ts`, default: `./dist/${built}.js` });
      expect(paths[key === 'index' ? 'polyverify' : `polyverify/${key}`]).toEqual([`./${file}`]);
      expect(typedoc).toContain(file);
      // The API reference names each module by the path users import it by.
      expect(readFileSync(new URL(file, root), 'utf8')).toMatch(new RegExp(`^ \\* @module ${key === 'index' ? 'polyverify' : `polyverify/${key}`}$`, 'm'));
    }
    expect(typedoc).toHaveLength(Object.keys(entries).length);
  });
});

describe('layers', () => {
  const files = (dir: string): string[] =>
    readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(`${dir}${entry.name}/`) : entry.name.endsWith('.ts') ? [`${dir}${entry.name}`] : []));
  // Imports of the code, comments (examples in TSDoc) left out.
  const imports = (file: string) =>
    [...readFileSync(new URL(file, root), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/^\s*(?:import|export)[^;]*?(?:from|import\()\s*'([^']+)'|import\(\s*'([^']+)'/gm)].map((m) => (m[1] ?? m[2])!);

  it('src/ imports nothing from providers/, testing/ or cli/, and its code names no vendor', () => {
    for (const file of files('src/')) {
      for (const target of imports(file)) expect(target, `${file} imports ${target}`).not.toMatch(/(^|\/)(providers|testing|cli|redis)\/|^polyverify|^(redis|ioredis)$/);
      // Comments may give a vendor as an example; code names none.
      const code = readFileSync(new URL(file, root), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const vendor of names) expect(code.toLowerCase(), `${file} names ${vendor}`).not.toContain(vendor);
    }
  });

  it('the testing kit imports only the core; simulators import only the kit and the core (their wire facts are their own)', () => {
    const typeOnly = (file: string, target: string) =>
      new RegExp(`(?:import|export) type [^;]*'${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`).test(readFileSync(new URL(file, root), 'utf8'));
    for (const file of files('testing/').filter((f) => f !== 'testing/index.ts')) {
      for (const target of imports(file)) expect(target, `${file} imports ${target}`).toMatch(/^(\.\/|\.\.\/src\/|node:)/);
    }
    for (const vendor of names) {
      const file = `providers/${vendor}/simulator.ts`;
      for (const target of imports(file)) {
        if (typeOnly(file, target)) continue; // a type (the config it hands out) leaves nothing at run time
        expect(target, `${file} imports ${target}`).toMatch(/^(\.\.\/\.\.\/testing\/(?!index)|\.\.\/\.\.\/src\/|node:)/);
      }
    }
    // Only polyverify/testing (and the CLI, an app above it) loads simulators; no production module reaches the kit.
    const production = [...files('src/'), ...files('providers/').filter((f) => !f.endsWith('/simulator.ts')), ...files('redis/')];
    const loaders = production.filter((f) => imports(f).some((t) => /simulator(\.js)?$|testing/.test(t)));
    expect(loaders).toEqual([]);
  });

  it('no Redis client is imported outside polyverify/redis', () => {
    for (const file of [...files('src/'), ...files('providers/'), ...files('testing/')]) {
      for (const target of imports(file)) expect(target, `${file} imports ${target}`).not.toMatch(/^(redis|ioredis)$|redis\//);
    }
  });

  it('an adapter imports no other vendor, and no testing or CLI code at run time', () => {
    for (const vendor of names) {
      for (const file of files(`providers/${vendor}/`).filter((f) => !f.endsWith('simulator.ts'))) {
        const text = readFileSync(new URL(file, root), 'utf8');
        for (const target of imports(file)) {
          const typeOnly = new RegExp(`(?:import|export) type [^;]*'${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`).test(text);
          if (!typeOnly) expect(target, `${file} imports ${target}`).not.toMatch(/testing|cli|\.\/simulator/);
          for (const other of names.filter((n) => n !== vendor)) expect(target, `${file} imports ${target}`).not.toContain(other);
        }
      }
    }
  });
});
