/**
 * Stoplight Prism (from the npm registry, a devDependency) serving an OpenAPI description as a
 * mock on a free loopback port, with request validation on: a request that does not fit the
 * description is answered 422 (and one without the described auth 401), never served.
 */
import { spawn } from 'node:child_process';
import { freePort } from './ports.js';
import { fileURLToPath } from 'node:url';

export interface PrismMock {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `prism mock` on `description` (a path under test/fixtures); fails clearly when it does not come up in `ms`. */
export async function startPrism(description: string, ms = 60_000): Promise<PrismMock> {
  const port = await freePort();
  const bin = fileURLToPath(new URL('../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url));
  const spec = fileURLToPath(new URL(`./fixtures/${description}`, import.meta.url));
  const child = spawn(process.execPath, [bin, 'mock', spec, '-h', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1' } });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prism did not start within ${ms} ms:\n${log.slice(-2000)}`)), ms);
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism exited (${code}) before listening:\n${log.slice(-2000)}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
