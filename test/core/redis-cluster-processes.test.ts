/**
 * polyverify/redis on a real local Redis Cluster (3 masters + 3 replicas, created here) across
 * processes: two worker processes (test/redis-worker.mjs, on dist/; node-redis and ioredis)
 * share one verification and one set of guard limits exactly, and the CLI (dist/cli.js) finds
 * the cluster from one node's URL. In a file of its own because it runs the built package: the
 * mutation runs leave it out and score the in-process cluster tests
 * (test/core/redis-cluster.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createProvider } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { RedisCodeStore, connectRedisStore } from '../../redis/index.js';
import { startSimulator } from '../../testing/index.js';
import type { RedisCluster } from '../redis-cluster.js';
import { useRedisCluster, PHONE, SECRET, TOKEN, type ClientKind } from '../redis-clients.js';

let cluster: RedisCluster;
/** Cluster clients as a user makes them (every node a seed), and a new key prefix per test (test/redis-clients.ts). */
const { clients: CLIENTS, freshPrefix } = useRedisCluster('pvclusterproc', (started) => (cluster = started));

const worker = (kind: ClientKind, prefix: string, args: string[]) =>
  new Promise<unknown[]>((resolve, reject) => {
    execFile(process.execPath, [fileURLToPath(new URL('../redis-worker.mjs', import.meta.url)), `${kind}-cluster`, cluster.urls, prefix, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`worker failed: ${stderr}`)) : resolve(JSON.parse(stdout) as unknown[]),
    );
  });

describe('many instances, one truth, on a cluster', () => {
  let sim: Awaited<ReturnType<typeof startSimulator<'lox24'>>>;
  beforeAll(async () => {
    sim = await startSimulator('lox24');
  });
  afterAll(() => sim.close());

  it('two processes (node-redis and ioredis), 100 concurrent wrong checks: exactly maxAttempts evaluated', async () => {
    const prefix = freshPrefix();
    const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: new RedisCodeStore({ client: await CLIENTS['node-redis'](), prefix }) });
    const started = await verify.start({ to: PHONE, maxAttempts: 5 });
    const code = sim.lastCode(PHONE)!;
    const wrong = code === '000000' ? '111111' : '000000';
    const results = (await Promise.all([worker('node-redis', prefix, ['check', started.id, wrong, '50']), worker('ioredis', prefix, ['check', started.id, wrong, '50'])])).flat() as { reason: string; attemptsRemaining: number | null }[];
    expect(results.filter((r) => r.reason === 'incorrect_code').map((r) => r.attemptsRemaining).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results.filter((r) => r.reason === 'max_attempts')).toHaveLength(95);
    expect(await verify.check(started.id, code)).toMatchObject({ verified: false, reason: 'max_attempts' });
  });

  it('two processes, 100 concurrent right checks: accepted exactly once', async () => {
    const prefix = freshPrefix();
    const verify = lox24({ token: TOKEN, secret: SECRET, baseUrl: sim.url, codeStore: new RedisCodeStore({ client: await CLIENTS.ioredis(), prefix }) });
    const started = await verify.start({ to: PHONE });
    const code = sim.lastCode(PHONE)!;
    const results = (await Promise.all([worker('node-redis', prefix, ['check', started.id, code, '50']), worker('ioredis', prefix, ['check', started.id, code, '50'])])).flat() as { verified: boolean; reason: string }[];
    expect(results.filter((r) => r.verified)).toHaveLength(1);
    expect(results.filter((r) => r.reason === 'already_verified')).toHaveLength(99);
  });

  it('two processes, 100 concurrent guarded starts to one phone: exactly 3 sent (the limit), the rest refused before any request', async () => {
    const prefix = freshPrefix();
    const before = sim.requestCount;
    const phone = '+491701234599';
    const results = (await Promise.all([worker('node-redis', prefix, ['start', phone, sim.url, '50']), worker('ioredis', prefix, ['start', phone, sim.url, '50'])])).flat();
    expect(results.filter((r) => r === 'started')).toHaveLength(3);
    expect(results.filter((r) => r === 'RateLimitError')).toHaveLength(97);
    expect(sim.requestCount - before).toBe(3);
  });

  it('the CLI with --redis (one node of the cluster) checks a code an application started', async () => {
    const store = await connectRedisStore(`${cluster.nodes[0]!.url}, ${cluster.nodes[1]!.url}`);
    try {
      const app = await createProvider({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }, { store });
      const v = await app.start({ to: PHONE });
      const dir = mkdtempSync(join(tmpdir(), 'polyverify-cluster-'));
      const config = join(dir, 'lox24.json');
      writeFileSync(config, JSON.stringify({ provider: 'lox24', token: TOKEN, secret: SECRET, baseUrl: sim.url }));
      const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
      const run = (args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(process.execPath, [cli, ...args], { timeout: 30_000, env: { PATH: process.env.PATH! } }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })),
        );
      const checked = await run(['check', v.id, sim.lastCode(PHONE)!, '--config', config, '--redis', cluster.nodes[5]!.url, '--json']);
      expect(checked.stderr).toBe('');
      expect(JSON.parse(checked.stdout)).toMatchObject({ verified: true, status: 'verified' });
      expect(await app.check(v.id, sim.lastCode(PHONE)!)).toMatchObject({ verified: false, reason: 'already_verified' });
    } finally {
      await store.close();
    }
  });
});
