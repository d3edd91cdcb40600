/**
 * The public surface: every exported name (values and types) of each entry, read from the
 * sources with the TypeScript checker. A name lives in one entry only, and the count may not
 * grow past the ceiling below (issue 26's goal was 130 in all; docs/architecture.md has the table).
 * Each vendor entry exports the same kinds of names: its factory, its options type, and its
 * webhook where it has one.
 */
import ts from 'typescript';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the build
import { publicEntries, vendors } from '../../scripts/entries.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entries = publicEntries as Record<string, string>;

function exportsOf(): Map<string, string[]> {
  const program = ts.createProgram(
    Object.values(entries).map((file) => `${root}${file}`),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, noEmit: true },
  );
  const checker = program.getTypeChecker();
  return new Map(
    Object.entries(entries).map(([key, file]) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(`${root}${file}`)!)!;
      return [key === 'index' ? 'polyverify' : `polyverify/${key}`, checker.getExportsOfModule(module).map((symbol) => symbol.name).sort()];
    }),
  );
}

/** Today's count; lower it as names go, never raise it. */
const CEILING = 109;

describe('the public surface', () => {
  const surface = exportsOf();
  const counts = Object.fromEntries([...surface].map(([entry, names]) => [entry, names.length]));

  it('each name is exported by one entry only', () => {
    const where = new Map<string, string[]>();
    for (const [entry, names] of surface) for (const name of names) where.set(name, [...(where.get(name) ?? []), entry]);
    const twice = [...where].filter(([, entries]) => entries.length > 1).map(([name, entries]) => `${name} (${entries.join(', ')})`);
    expect(twice, `names in two entries; counts per entry: ${JSON.stringify(counts)}`).toEqual([]);
  });

  it(`has at most ${CEILING} names in all`, () => {
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    console.log(`surface: ${total} names; ${JSON.stringify(counts)}`);
    expect(total, `counts per entry: ${JSON.stringify(counts)}`).toBeLessThanOrEqual(CEILING);
  });

  it('each vendor entry exports its factory, its options type and (where it has one) its webhook, nothing else', () => {
    const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
    for (const vendor of vendors as string[]) {
      const names = surface.get(`polyverify/${vendor}`)!;
      const expected = [vendor, `${pascal(vendor)}Options`, ...(names.includes(`${vendor}Webhook`) ? [`${vendor}Webhook`] : [])].sort();
      expect(names, vendor).toEqual(expected);
    }
  });
});
