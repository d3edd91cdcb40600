// Runs the Edge Function (edge-function.mjs, bundled to edge.js beside this file) in Vercel's
// edge-runtime package (the runtime `vercel dev` and Next.js's edge use locally), against the
// simulators of host.mjs in this Node process.
// Usage, in a folder where polyverify's tarball and edge-runtime are installed: node edge.mjs
import { readFileSync } from 'node:fs';
import { EdgeRuntime } from 'edge-runtime';
import { report, startHost } from './host.mjs';

const host = await startHost({ agent: 'edge-runtime' });
const runtime = new EdgeRuntime({ initialCode: readFileSync('edge.js', 'utf8') });
const response = await runtime.dispatchFetch('http://127.0.0.1/', { method: 'POST', body: JSON.stringify(host.env) });
await response.waitUntil();
const steps = await response.json();
await host.close();
process.exit(report(`edge-runtime ${JSON.parse(readFileSync('node_modules/edge-runtime/package.json', 'utf8')).version}`, steps) ? 0 : 1);
