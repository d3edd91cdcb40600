// Runs the Worker (worker.mjs, bundled to worker.js beside this file) in Cloudflare's workerd,
// without and with nodejs_compat, against the simulators of host.mjs in this Node process.
// Usage, in a folder where polyverify's tarball is installed: node workerd.mjs /path/to/workerd
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { freePort, report, startHost, whenUp, writeWorkerdConfig } from './host.mjs';

const workerd = process.argv[2];
console.log(`bundle: the scenario's Worker (polyverify, its four vendors, ky, valibot, @noble/hashes): ${(gzipSync(readFileSync('worker.js')).length / 1024).toFixed(1)} KB gzipped`);
let failed = 0;
for (const compat of [false, true]) {
  // workerd cannot tell a refused connection from a dropped one: `sent: 'maybe'` (docs/runtimes.md).
  const host = await startHost({ agent: 'workerd', refused: 'maybe' });
  const port = await freePort();
  writeWorkerdConfig('config.capnp', { port, module: 'worker.js', compat });
  const child = spawn(workerd, ['serve', 'config.capnp', '--experimental'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const steps = await whenUp(async () => (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(host.env) })).json());
  child.kill();
  await host.close();
  if (!report(`workerd ${compat ? 'with' : 'without'} nodejs_compat`, steps ?? [['the Worker answers', false, 'no answer within 15 s']])) failed++;
}
process.exit(failed ? 1 : 0);
