/** The README's quick start is examples/quickstart.ts, verbatim, and it runs. */
import { readFileSync } from 'node:fs';
import { expect, it, vi } from 'vitest';

it('the README quick start is the example file and works as written against the simulator', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../../examples/quickstart.ts', import.meta.url), 'utf8');
  expect(readme).toContain('```ts\n' + example + '```');
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import('../../examples/quickstart.js');
  expect(log).toHaveBeenCalledWith({ verified: true, status: 'verified' });
  log.mockRestore();
});
