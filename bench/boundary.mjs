// Peak memory under hostile answers: a 100 MB body and a gzip bomb (256 MiB decoded, ~250 KB on
// the wire), read by polyverify's LOX24 adapter (default cap 4 MiB) and, as the anchor, by plain
// fetch().text(). The servers run in a child process and every client in a fresh one, so each
// figure is that client's own high-water mark (process.resourceUsage().maxRSS) over its RSS
// just before the hostile calls.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const QUICK = Boolean(process.env.BENCH_QUICK);
const CASES = QUICK
  ? { '10 MB body': { kind: 'huge', bytes: 10 * 1024 * 1024 }, 'gzip bomb (16 MiB decoded)': { kind: 'gzip-bomb', bytes: 16 * 1024 * 1024 } }
  : { '100 MB body': { kind: 'huge', bytes: 100 * 1024 * 1024 }, 'gzip bomb (256 MiB decoded)': { kind: 'gzip-bomb', bytes: 256 * 1024 * 1024 } };
const CALLS = QUICK ? 1 : 3;

async function serve() {
  const { startHostileServer } = await import('../dist/testing.js');
  const urls = {};
  for (const [name, behaviour] of Object.entries(CASES)) urls[name] = (await startHostileServer(behaviour)).url;
  urls.warmUp = (await startHostileServer({ kind: 'answer', status: 404, body: '{"title":"not found"}' })).url;
  process.stdout.write(`${JSON.stringify(urls)}\n`);
}

async function client(who, url, warmUpUrl) {
  const { lox24 } = await import('../dist/lox24.js');
  const make = (baseUrl) => lox24({ token: 'bench0123456789', secret: 'bench-secret-0123456789', baseUrl, retries: 0, timeoutMs: 120_000 });
  const verify = make(url);
  // Warm up fetch (undici sets itself up on first use) and the adapter on a small answer first.
  for (let i = 0; i < 20; i++) {
    await make(warmUpUrl).get('00000000-0000-4000-8000-000000000000').catch(() => undefined);
    await fetch(warmUpUrl).then((r) => r.text());
  }
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const outcomes = [];
  for (let i = 0; i < CALLS; i++) {
    if (who === 'polyverify') outcomes.push(await verify.get('00000000-0000-4000-8000-000000000000').then(() => 'ok', (e) => e.name));
    else outcomes.push(await fetch(`${url}/verify_codes/x`).then(async (r) => `${(await r.text()).length} chars`));
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ before, peak, outcomes })}\n`);
}

export async function runBoundary() {
  const server = spawn(process.execPath, [SELF, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let line = '';
  for await (const chunk of server.stdout) {
    line += chunk;
    if (line.includes('\n')) break;
  }
  const urls = JSON.parse(line);
  const results = {};
  const rows = ['| answer | reader | peak RSS growth | × the 4 MiB cap | outcome |', '|---|---|---|---|---|'];
  try {
    for (const name of Object.keys(CASES)) {
      for (const who of ['polyverify', 'plain fetch().text()']) {
        const run = spawnSync(process.execPath, ['--expose-gc', SELF, 'client', who === 'polyverify' ? who : 'fetch', urls[name], urls.warmUp], { encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`client ${who} on ${name} failed: ${run.stderr}`);
        const { before, peak, outcomes } = JSON.parse(run.stdout);
        const growth = (peak - before) / 1024 / 1024;
        results[`${name} / ${who}`] = { growthMB: Number(growth.toFixed(1)), outcomes };
        rows.push(`| ${name} | ${who} | ${growth.toFixed(1)} MB | ${(growth / 4).toFixed(1)}× | ${outcomes[0]} |`);
      }
    }
  } finally {
    server.kill();
  }
  return { date: new Date().toISOString(), node: process.version, calls: CALLS, results, markdown: `### Peak memory under hostile answers (${CALLS} calls each)\n\n${rows.join('\n')}` };
}

if (process.argv[2] === 'serve') await serve();
else if (process.argv[2] === 'client') await client(process.argv[3], process.argv[4], process.argv[5]);
