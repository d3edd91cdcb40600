/**
 * A real `redis-server` for the tests, on a free loopback port, without persistence. The
 * tests fail (they do not skip) when the binary is missing: `.ci/run` installs Debian's
 * `redis-server` package, and `apt-get install -y redis-server` does it by hand.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { freePort } from './ports.js';

/** Resolves once the port answers PING with PONG, or rejects after `ms`. */
async function answering(port: number, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(/^(\+PONG|-NOAUTH)/.test(data.toString())); // a server with a password answers NOAUTH
      });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server did not answer on port ${port} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL): what a crash looks like to clients. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence): what a restart looks like. */
  restart(): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process: a server that stops answering. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** A redis-server on a free loopback port, empty, without persistence; `args` adds to its command line (`--requirepass`, `--cluster-enabled yes`, …). */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('redis-server is not installed: the Redis tests need it (apt-get install -y redis-server; .ci/run does this)');
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
    await answering(port);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGCONT');
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    stop: kill,
  };
}
