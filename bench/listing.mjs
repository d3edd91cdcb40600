// Listing 100 000 verifications spread over the three simulators (in a child process, so
// this process's figures are the library's alone): records per second and RSS growth,
// merged through listAcross, and for each provider alone.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { listAcross } from '../dist/index.js';
import { lox24 } from '../dist/lox24.js';
import { messagebird } from '../dist/messagebird.js';
import { notificore } from '../dist/notificore.js';

const TOTAL = Number(process.env.BENCH_LIST_TOTAL ?? (process.env.BENCH_QUICK ? 3_000 : 100_000));

async function startChild() {
  const child = spawn(process.execPath, [new URL('./simulators.mjs', import.meta.url).pathname, String(TOTAL)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffer = '';
  for await (const chunk of child.stdout) {
    buffer += chunk;
    if (buffer.includes('\n')) break;
  }
  return { child, config: JSON.parse(buffer.split('\n')[0]) };
}

function providers(config) {
  return {
    // The warm-up's narrow window makes the adapters scan many pages client-side (LOX24's simulator ignores date filters,
    // Notificore filters by whole days): past the default bound of maxListPages on large loads.
    lox24: lox24({ token: config.lox24.token, secret: 'bench-secret-0123456789', baseUrl: config.lox24.url, maxListPages: 100_000 }),
    notificore: notificore({ apiKey: config.notificore.apiKey, sender: 'Bench', templateId: 1, baseUrl: config.notificore.url, listWindowDays: 3650, maxListPages: 100_000 }),
    messagebird: messagebird({
      accessKey: config.messagebird.accessKey,
      workspaceId: config.messagebird.workspaceId,
      baseUrl: config.messagebird.url,
      channels: { sms: { navigatorId: config.messagebird.navigatorId } },
      maxListPages: 100_000,
    }),
  };
}

/** Iterates `iterable`, sampling RSS every 1 000 records; returns count, rate and RSS growth. */
async function measure(iterable) {
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = baseline;
  let count = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for await (const _ of iterable) {
    if (++count % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  peak = Math.max(peak, process.memoryUsage().rss);
  globalThis.gc?.();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  return {
    retainedMb: Number((retained / 2 ** 20).toFixed(1)),
    records: count,
    seconds: Number(seconds.toFixed(2)),
    cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(2)),
    perSecond: Math.round(count / seconds),
    rssGrowthMb: Number(((peak - baseline) / 2 ** 20).toFixed(1)),
  };
}

/** The same pages fetched with plain fetch + JSON.parse and nothing else: the transport's floor. */
async function* rawWalk(config) {
  const lox = { 'X-LOX24-AUTH-TOKEN': config.lox24.token, accept: 'application/json' };
  for (let page = 1; ; page++) {
    const items = await (await fetch(`${config.lox24.url}/verify_codes?page=${page}`, { headers: lox })).json();
    if (items.length === 0) break;
    yield* items;
  }
  const login = await (await fetch(`${config.notificore.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: config.notificore.apiKey }) })).json();
  for (let offset = 0; ; offset += 500) {
    const query = `page[offset]=${offset}&page[limit]=500&filter[from]=2016-01-01&filter[to]=2036-01-01&sort=created_at&way=desc`;
    const { data } = await (await fetch(`${config.notificore.url}/api/2fa/authentications?${query}`, { headers: { authorization: `Bearer ${login.bearer}` } })).json();
    yield* data.list;
    if (offset + 500 >= data.total) break;
  }
  let token;
  do {
    const url = `${config.messagebird.url}/workspaces/${config.messagebird.workspaceId}/verify?limit=100${token ? `&pageToken=${token}` : ''}`;
    const body = await (await fetch(url, { headers: { authorization: `AccessKey ${config.messagebird.accessKey}` } })).json();
    yield* body.results;
    token = body.nextPageToken;
  } while (token);
}

/**
 * Records every request the adapters send (ky calls the global fetch with a Request), so the floor
 * can read exactly the same pages. Installed before the providers are made.
 */
function recordRequests() {
  const recorded = [];
  let on = false;
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    if (on && input instanceof Request) recorded.push({ url: input.url, method: input.method, headers: [...input.headers], body: input.method === 'GET' ? undefined : await input.clone().text() });
    return original(input, init);
  };
  return { recorded, start: () => void (on = true), stop: () => void (on = false) };
}

/** The recorded requests replayed with plain fetch + JSON.parse, one after the other: the floor for the same pages. */
async function* replay(requests) {
  for (const { url, method, headers, body } of requests) {
    const json = await (await fetch(url, { method, headers, body })).json();
    const items = Array.isArray(json) ? json : (json?.data?.list ?? json?.results ?? json?.['hydra:member'] ?? []);
    yield* items;
  }
}

export async function runListing() {
  const { child, config } = await startChild();
  const recorder = recordRequests();
  try {
    const all = providers(config);
    const results = {};
    // Warm-up, not measured: one plain walk (the simulators cache each record's JSON on first
    // use, so every measured walk finds them equally warm) and a short walk per adapter (JIT).
    for await (const _ of rawWalk(config)) void _;
    for (const p of Object.values(all)) for await (const _ of listAcross([p], { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-01T00:05:00Z') })) void _;
    // The merged walk first: RSS never shrinks, so a walk after another shows only what exceeds it.
    recorder.start();
    results.merged = await measure(listAcross(Object.values(all)));
    recorder.stop();
    results.raw = await measure(rawWalk(config));
    results.samePages = await measure(replay(recorder.recorded));
    results.mergedVsRaw = Number((results.merged.perSecond / results.raw.perSecond).toFixed(2));
    results.mergedVsSamePages = Number((results.merged.perSecond / results.samePages.perSecond).toFixed(2));
    results.requests = recorder.recorded.length;
    for (const [name, provider] of Object.entries(all)) results[name] = await measure(provider.list());
    const rows = [
      ['plain fetch + JSON.parse, pages as large as each vendor allows', results.raw],
      [`plain fetch + JSON.parse of exactly the adapters' ${results.requests} requests (floor)`, results.samePages],
      ['listAcross (3 providers)', results.merged],
      ...Object.keys(all).map((name) => [`${name} alone`, results[name]]),
    ];
    const markdown = [
      `Listing ${results.merged.records} verifications (${config.perVendor} per vendor) from the simulators on 127.0.0.1, simulators in a child process`,
      '',
      '| walk | records | seconds | client CPU s | records/s | peak RSS growth | heap retained after GC |',
      '|---|---|---|---|---|---|---|',
      ...rows.map(([label, r]) => `| ${label} | ${r.records} | ${r.seconds} | ${r.cpuSeconds} | ${r.perSecond} | ${r.rssGrowthMb} MB | ${r.retainedMb} MB |`),
      '',
      `listAcross / the same requests with plain fetch: ${results.mergedVsSamePages}× (/ the largest pages: ${results.mergedVsRaw}×)`,
    ].join('\n');
    return { node: process.version, total: TOTAL, results, markdown };
  } finally {
    child.stdin.end();
    await once(child, 'exit');
  }
}
