// The runtime scenario (steps.mjs) in one process, on Node, Bun or Deno: the simulators run beside
// it (polyverify/testing needs Node's http, which all three provide). Exits 1 when a step failed.
import { runScenario } from './steps.mjs';
import { report, startHost } from './host.mjs';

// What the User-Agent must name here (Bun and Deno imitate process.version: asked first).
const agent = globalThis.Bun ? `bun/${globalThis.Bun.version}` : globalThis.Deno ? `deno/${globalThis.Deno.version.deno}` : `node/${process.version}`;
const host = await startHost({ agent });
const passed = report(agent, await runScenario(host.env));
await host.close();
process.exit(passed ? 0 : 1);
