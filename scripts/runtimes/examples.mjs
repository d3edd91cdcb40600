// Runs docs/runtimes.md's examples as a user would and drives them over HTTP against the
// simulators of host.mjs: examples/cloudflare-worker.ts (bundled to cloudflare-worker.js) in
// workerd without nodejs_compat, and examples/deno.ts in Deno. Each: a start, a malformed number
// (400 naming `to`), a wrong and a right code.
// Usage, where polyverify's tarball is installed: node examples.mjs /path/to/workerd /path/to/deno
import { spawn } from 'node:child_process';
import { freePort, report, startHost, whenUp, writeWorkerdConfig } from './host.mjs';

const [workerd, deno] = process.argv.slice(2);
const host = await startHost({ agent: '' });
const code = async (vendor, id) => (await fetch(`${host.env.control}/code?vendor=${vendor}&id=${encodeURIComponent(id)}`)).json();

async function drive(base, vendor, phone) {
  const steps = [];
  const post = async (path, body) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  const step = (name, ok, detail) => steps.push([name, ok, ok ? undefined : JSON.stringify(detail)]);
  const started = await whenUp(() => post('/start', { phone }));
  step('POST /start → 201 with an id', started?.status === 201 && typeof started.body.id === 'string', started);
  const malformed = await post('/start', { phone: '0170 1234567' });
  step('a malformed number → 400 naming `to`', malformed.status === 400 && malformed.body.error.includes('to:'), malformed);
  const right = await code(vendor, started.body.id);
  const wrong = await post('/check', { id: started.body.id, code: right === '000000' ? '111111' : '000000' });
  step('a wrong code → verified false, incorrect_code', wrong.status === 200 && wrong.body.verified === false && wrong.body.reason === 'incorrect_code', wrong);
  const checked = await post('/check', { id: started.body.id, code: right });
  step('the right code → verified', checked.status === 200 && checked.body.verified === true, checked);
  return steps;
}

let failed = 0;
const { notificore, lox24 } = host.env.vendors;
{
  const port = await freePort();
  writeWorkerdConfig('examples.capnp', { port, module: 'cloudflare-worker.js', compat: false, bindings: { NOTIFICORE_API_KEY: notificore.apiKey, NOTIFICORE_TEMPLATE_ID: '1', NOTIFICORE_BASE_URL: notificore.baseUrl } });
  const child = spawn(workerd, ['serve', 'examples.capnp', '--experimental'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!report('examples/cloudflare-worker.ts in workerd (no nodejs_compat)', await drive(`http://127.0.0.1:${port}`, 'notificore', '+61401629754'))) failed++;
  child.kill();
}
{
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), LOX24_TOKEN: lox24.token, POLYVERIFY_SECRET: lox24.secret, LOX24_BASE_URL: lox24.baseUrl };
  const child = spawn(deno, ['run', '--allow-net', '--allow-env', 'deno.ts'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (!report('examples/deno.ts in Deno', await drive(`http://127.0.0.1:${port}`, 'lox24', '+491701234567'))) failed++;
  child.kill();
}
await host.close();
process.exit(failed ? 1 : 0);
