/** The example backend, driven over HTTP against the simulators. */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../examples/backend.js';
import { createFromConfig, type Verification } from '../providers/index.js';
import { startAll, type RunningSimulators } from '../cli/simulate.js';

let sims: RunningSimulators;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  sims = await startAll();
  // Notificore first, LOX24 if it cannot send: the backend does not care which.
  const verify = await createFromConfig([sims.configs[1]!, sims.configs[0]!]);
  const server = createApp(verify);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await sims.close();
  };
});
afterAll(() => close());

const post = async (path: string, payload: unknown) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

it('starts, refuses a wrong code with the tries left, accepts the right one', async () => {
  const started = await post('/verifications', { phone: '+61401629754' });
  expect(started.status).toBe(201);
  const id = started.body['id'] as string;
  expect(id).toMatch(/^notificore:/);
  expect(await post(`/verifications/${encodeURIComponent(id)}/check`, { code: '000000' })).toEqual({
    status: 422,
    body: { verified: false, reason: 'incorrect_code', attemptsRemaining: 2 },
  });
  const code = sims.inbox({ id } as Verification).code;
  expect(await post(`/verifications/${encodeURIComponent(id)}/check`, { code })).toEqual({ status: 200, body: { verified: true } });
});

it('answers bad input with 400 and an unknown verification with 404, leaking nothing', async () => {
  expect(await post('/verifications', { phone: 'call me' })).toEqual({ status: 400, body: { error: 'invalid request' } });
  expect((await post('/verifications/notificore%3A00000000-0000-4000-8000-000000000000/check', { code: '123456' })).status).toBe(404);
});

it('guards starts: a fourth code for one phone within 10 minutes is 429 with Retry-After, and a number that cannot exist is 400', async () => {
  const phone = '+61401629755';
  for (let i = 0; i < 3; i++) expect((await post('/verifications', { phone })).status).toBe(201);
  const res = await fetch(`${base}/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) });
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(590);
  expect(await res.json()).toEqual({ error: 'too many verification requests; try again later' });
  expect(await post('/verifications', { phone: '+4917012' })).toEqual({ status: 400, body: { error: 'invalid request' } });
});
