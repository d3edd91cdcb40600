/** Runs the built `polyverify` command (`npm test` builds first) as a subprocess. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** What one run of the command gave. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `polyverify ...args` with only PATH in its environment (unless `env` adds more). */
export function run(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: options.timeoutMs ?? 30_000, env: { PATH: process.env.PATH, ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
