/**
 * polyverify/redis across processes, against a real redis-server (started here on a free
 * loopback port): two worker processes (test/redis-worker.mjs, on dist/) share one verification —
 * at most maxAttempts codes evaluated, a right code accepted once — and the CLI (dist/cli.js)
 * shares codes with an application through --redis, on the application's prefix. In a file of
 * its own because it runs the built package: the mutation runs leave it out and score the
 * in-process Redis tests (test/core/redis.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { providerFromEnv } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { RedisCodeStore } from '../../redis/index.js';
import { startSimulator } from '../../testing/index.js';
import type { RedisServer } from '../redis-server.js';
import { useRedisServer, PHONE, SECRET, TOKEN, type ClientKind } from '../redis-clients.js';

let redis: RedisServer;
/** Clients as a user makes them, and a new key prefix per test (test/redis-clients.ts). */
const { clients: CLIENTS, freshPrefix } = useRedisServer('pvproc', (server) => (redis = server));

describe('many processes, one truth', () => {
  let sim: Awaited<ReturnType<typeof startSimulator<'lox24'>>>;
  beforeAll(async () => {
    sim = await startSimulator('lox24');
  });
  afterAll(() => sim.close());

  const worker = (kind: ClientKind, prefix: string, id: string, code: string, count: number) =>
    new Promise<{ verified: boolean; reason: string | null; attemptsRemaining: number | null }[]>((resolve, reject) => {
      execFile(process.execPath, [fileURLToPath(new URL('../redis-worker.mjs', import.meta.url)), kind, redis.url, prefix, 'check', id, code, String(count)], { timeout: 30_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`worker failed: ${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });

  it('two processes, 100 concurrent wrong checks: exactly maxAttempts evaluated, then the right code is refused', async () => {
    const prefix = freshPrefix();
    const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: new RedisCodeStore({ client: await CLIENTS['node-redis'](), prefix }) });
    const started = await verify.start({ to: PHONE, maxAttempts: 5 });
    const code = sim.lastCode(PHONE)!;
    const wrong = code === '000000' ? '111111' : '000000';
    const results = (await Promise.all([worker('node-redis', prefix, started.id, wrong, 50), worker('ioredis', prefix, started.id, wrong, 50)])).flat();
    expect(results).toHaveLength(100);
    const evaluated = results.filter((r) => r.reason === 'incorrect_code');
    expect(evaluated.map((r) => r.attemptsRemaining).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results.filter((r) => r.reason === 'max_attempts')).toHaveLength(95);
    expect(await verify.check(started.id, code)).toMatchObject({ verified: false, reason: 'max_attempts' });
  });

  it('two processes, 100 concurrent right checks: accepted exactly once', async () => {
    const prefix = freshPrefix();
    const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: new RedisCodeStore({ client: await CLIENTS.ioredis(), prefix }) });
    const started = await verify.start({ to: PHONE });
    const code = sim.lastCode(PHONE)!;
    const results = (await Promise.all([worker('node-redis', prefix, started.id, code, 50), worker('ioredis', prefix, started.id, code, 50)])).flat();
    expect(results.filter((r) => r.verified)).toHaveLength(1);
    expect(results.filter((r) => r.reason === 'already_verified')).toHaveLength(99);
  });

  it('the CLI: start in one process, check in another, with --redis (and without it, the code is not found)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyverify-redis-'));
    const config = join(dir, 'lox24.json');
    writeFileSync(config, JSON.stringify({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }));
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [cli, ...args], { timeout: 30_000, env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const start = await run(['start', '--to', PHONE, '--config', config, '--redis', redis.url, '--json']);
    expect(start.stderr).toBe('');
    const { id } = JSON.parse(start.stdout) as { id: string };
    const code = sim.lastCode(PHONE)!;
    expect((await run(['check', id, code, '--config', config])).code).toBe(9); // another process without the shared store
    const wrong = await run(['check', id, code === '000000' ? '111111' : '000000', '--config', config, '--json'], { POLYVERIFY_REDIS_URL: redis.url });
    expect(JSON.parse(wrong.stdout)).toMatchObject({ verified: false, reason: 'incorrect_code', attemptsRemaining: 4 });
    const right = await run(['check', id, code, '--config', config, '--redis', redis.url, '--json']);
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ verified: true, status: 'verified' });
    const got = await run(['get', id, '--config', config, '--redis', redis.url, '--json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, status: 'verified' });
    const down = await run(['check', id, code, '--config', config, '--redis', 'redis://127.0.0.1:9']);
    expect(down.code).toBe(8);
    expect(down.stderr).toMatch(/^polyverify check: StoreUnavailableError: redis: cannot connect to redis:\/\/127\.0\.0\.1:9 \(/);
  });

  it('an application on its own prefix and the CLI see the same codes: --redis-prefix or POLYVERIFY_REDIS_PREFIX (issue 33, trap 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polyverify-prefix-'));
    const config = join(dir, 'lox24.json');
    writeFileSync(config, JSON.stringify({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }));
    const prefix = `${freshPrefix()}app:`;
    const app = await providerFromEnv({ POLYVERIFY_PROVIDER: 'lox24', LOX24_TOKEN: TOKEN, POLYVERIFY_SECRET: SECRET, LOX24_BASE_URL: sim.url, POLYVERIFY_REDIS_URL: redis.url, POLYVERIFY_REDIS_PREFIX: prefix });
    const v = await app.start({ to: PHONE });
    expect(await app.check(v.id, sim.lastCode(v.id)!)).toMatchObject({ verified: true });
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const get = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [cli, 'get', v.id, '--config', config, '--redis', redis.url, '--json', ...args], { timeout: 30_000, env: { PATH: process.env.PATH!, ...env } }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    // The default prefix finds no record: the verified code reads as LOX24 alone says (pending).
    expect(JSON.parse((await get([])).stdout)).toMatchObject({ id: v.id, status: 'pending' });
    expect(JSON.parse((await get(['--redis-prefix', prefix])).stdout)).toMatchObject({ id: v.id, status: 'verified' });
    expect(JSON.parse((await get([], { POLYVERIFY_REDIS_PREFIX: prefix })).stdout)).toMatchObject({ id: v.id, status: 'verified' });
    const bad = await get(['--redis-prefix', 'my app', '--redis-retain-seconds', '5']);
    expect(bad.code).toBe(3); // a configuration error
    expect(bad.stderr).toContain('--redis-prefix: must be 1 to 64 letters, digits or _ : . - (e.g. myapp:)');
    expect(bad.stderr).toContain('--redis-retain-seconds: must be a whole number of seconds from 60 to 31536000 (a year)');
    await expect(providerFromEnv({ POLYVERIFY_PROVIDER: 'lox24', LOX24_TOKEN: TOKEN, POLYVERIFY_REDIS_URL: redis.url, POLYVERIFY_REDIS_RETAIN_SECONDS: 'an hour' })).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ field: 'POLYVERIFY_REDIS_RETAIN_SECONDS', message: 'must be a whole number of seconds from 60 to 31536000 (a year)' }],
    });
  });
});
