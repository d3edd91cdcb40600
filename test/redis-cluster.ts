/**
 * A real local Redis Cluster for the tests: 3 masters and 3 replicas (`redis-server
 * --cluster-enabled yes` on free loopback ports, joined by `redis-cli --cluster create
 * --cluster-replicas 1`), without persistence, in a directory of its own. The tests fail (they
 * do not skip) when the binaries are missing: `.ci/run` installs Debian's `redis-server`.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** A node of the cluster, by its client port. */
export interface ClusterNode {
  readonly port: number;
  readonly url: string;
}

export interface RedisCluster {
  /** Every node, masters first as created (their roles change after a failover). */
  readonly nodes: readonly ClusterNode[];
  /** `redis://127.0.0.1:<port>` of every node, comma-separated: polyverify's cluster form. */
  readonly urls: string;
  /** The node that serves `key`'s slot as master now. */
  masterOf(key: string): Promise<ClusterNode>;
  /** Kills a node (SIGKILL) and resolves once its replica has been promoted and the cluster is ok again. */
  killMaster(node: ClusterNode): Promise<void>;
  /** Runs `redis-cli` against one node; resolves with its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 1_000;

function cli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout))),
  );
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 55_000 || taken.has(port) || taken.has(port + 10_000)) continue;
    const bus = await new Promise<boolean>((resolve) => {
      import('node:net').then(({ createServer }) => {
        const server = createServer();
        server.once('error', () => resolve(false));
        server.listen(port + 10_000, '127.0.0.1', () => server.close(() => resolve(true)));
      });
    });
    if (bus) {
      taken.add(port).add(port + 10_000);
      return port;
    }
  }
}

async function until(what: string, ms: number, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await test().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`the Redis Cluster: ${what} not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts six nodes and joins them into a cluster of 3 masters with a replica each. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('redis-server is not installed: the Redis Cluster tests need it (apt-get install -y redis-server; .ci/run does this)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'polyverify-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 6; i++) ports.push(await clusterPort(taken));
  const children = new Map<number, ChildProcess>();
  for (const port of ports) {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    children.set(port, child);
  }
  for (const port of ports) await until(`node ${port} answering`, 10_000, async () => (await cli(port, 'PING')).trim() === 'PONG');
  await cli(ports[0]!, '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes');
  const running = (port: number) => children.get(port)?.exitCode === null && children.get(port)?.signalCode === null;
  const ok = () => until('every node sees the cluster ok with 3 masters', 30_000, async () => {
    for (const port of ports) {
      if (!running(port)) continue;
      const info = await cli(port, 'CLUSTER', 'INFO');
      if (!info.includes('cluster_state:ok') || !info.includes('cluster_size:3')) return false;
    }
    return true;
  });
  await ok();
  // Replicas are linked and in sync before any test writes.
  await until('replicas in sync', 30_000, async () => {
    const roles = await Promise.all(ports.map((port) => cli(port, 'INFO', 'replication')));
    return roles.filter((info) => info.includes('role:slave') && info.includes('master_link_status:up')).length === 3;
  });
  const nodes = ports.map((port) => ({ port, url: `redis://127.0.0.1:${port}` }));
  const alive = () => nodes.filter((n) => running(n.port));

  return {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    cli,
    async masterOf(key) {
      const slot = Number((await cli(alive()[0]!.port, 'CLUSTER', 'KEYSLOT', key)).trim());
      const lines = (await cli(alive()[0]!.port, 'CLUSTER', 'NODES')).split('\n');
      for (const line of lines) {
        const [, address, flags, , , , , , ...ranges] = line.split(' ');
        if (!flags?.includes('master') || flags.includes('fail')) continue;
        for (const range of ranges) {
          const [from, to] = range.split('-').map(Number);
          if (slot >= from! && slot <= (to ?? from)!) return nodes.find((n) => address!.startsWith(`127.0.0.1:${n.port}@`))!;
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    async killMaster(node) {
      const child = children.get(node.port)!;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      // The others mark it failed, its replica takes its slots, and every slot is served again.
      await until(`node ${node.port} marked failed`, 30_000, async () => (await cli(alive()[0]!.port, 'CLUSTER', 'NODES')).split('\n').some((line) => line.includes(`127.0.0.1:${node.port}@`) && /master,fail\b|master,fail$|,fail /.test(line)));
      await ok();
    },
    async stop() {
      await Promise.all(
        [...children.values()].map((child) => {
          if (!running([...children].find(([, c]) => c === child)![0])) return undefined;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          return exited;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
