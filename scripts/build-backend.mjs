// Builds examples/backend.ts to build/examples/backend.js (polyverify itself from dist/, by the
// package's own name): what `npm run backend` runs, and what the drain test and the load
// benchmark start as a process of its own. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const EXTERNAL = ['polyverify', '@opentelemetry/api', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/instrumentation-undici'];

/** Builds the example; throws with tsup's output when it fails. Returns the built file's path. */
export function buildBackend() {
  const args = ['examples/backend.ts', '--no-config', '--format', 'esm', '--out-dir', 'build/examples', ...EXTERNAL.flatMap((name) => ['--external', name]), '--silent'];
  const run = spawnSync(process.execPath, [`${root}node_modules/tsup/dist/cli-default.js`, ...args], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`building examples/backend.ts failed:\n${run.stdout}${run.stderr}`);
  return `${root}build/examples/backend.js`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildBackend();
