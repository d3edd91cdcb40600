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

it('docs/runtimes.md shows the Worker and the Deno examples verbatim (CI runs both: scripts/check-runtimes.sh)', () => {
  const doc = readFileSync(new URL('../../docs/runtimes.md', import.meta.url), 'utf8');
  for (const file of ['cloudflare-worker.ts', 'deno.ts']) {
    expect(doc).toContain('```ts\n' + readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8') + '```');
  }
});

it('the Worker example answers start and check as documented, over the Notificore simulator', async () => {
  const { startSimulator } = await import('polyverify/testing');
  const { default: worker } = await import('../../examples/cloudflare-worker.js');
  const sim = await startSimulator('notificore');
  const env = { NOTIFICORE_API_KEY: sim.apiKey, NOTIFICORE_TEMPLATE_ID: '1', NOTIFICORE_BASE_URL: sim.url };
  const post = async (path: string, body: unknown) => {
    const response = await worker.fetch(new Request(`https://worker.example${path}`, { method: 'POST', body: JSON.stringify(body) }), env);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  try {
    const started = await post('/start', { phone: '+61401629754' });
    expect(started.status).toBe(201);
    const id = started.body['id'] as string;
    expect(await post('/start', { phone: '0170 1234567' })).toEqual({ status: 400, body: { error: 'Invalid start request: to: must be an E.164 phone number such as +491701234567' } });
    expect(await post('/check', { id, code: sim.lastCode(id) === '000000' ? '111111' : '000000' })).toEqual({ status: 200, body: { verified: false, reason: 'incorrect_code' } });
    expect(await post('/check', { id, code: sim.lastCode(id) })).toEqual({ status: 200, body: { verified: true } });
    // An id nobody issued is a result, not an error.
    expect(await post('/check', { id: `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`, code: '123456' })).toEqual({ status: 200, body: { verified: false, reason: 'not_found' } });
  } finally {
    await sim.close();
  }
});
