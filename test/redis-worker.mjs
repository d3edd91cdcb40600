// A second backend instance for the Redis tests, on a client of its own (single node or cluster).
//   node test/redis-worker.mjs <kind> <redis url(s)> <prefix> check <id> <code> <count>
//     checks one LOX24 verification `count` times at once; prints the check results as JSON.
//   node test/redis-worker.mjs <kind> <redis url(s)> <prefix> start <phone> <lox24 url> <count>
//     starts `count` verifications at once under a guard of 3 per phone (its counters in the
//     store); prints each outcome ('started' or the error's name) as JSON.
// <kind>: node-redis | ioredis | node-redis-cluster | ioredis-cluster (urls comma-separated).
import { guard } from '../dist/index.js';
import { lox24 } from '../dist/lox24.js';
import { RedisCodeStore } from '../dist/redis.js';

const [kind, urls, prefix, op, target, arg, count] = process.argv.slice(2);
const nodes = urls.split(',').map((url) => new URL(url));
let client;
let close;
if (kind === 'ioredis' || kind === 'ioredis-cluster') {
  const { Redis, Cluster } = await import('ioredis');
  client = kind === 'ioredis' ? new Redis(urls) : new Cluster(nodes.map((u) => ({ host: u.hostname, port: Number(u.port) })));
  client.on('error', () => undefined);
  await new Promise((resolve) => client.once('ready', resolve));
  close = () => client.quit();
} else {
  const { createClient, createCluster } = await import('redis');
  client = kind === 'node-redis' ? createClient({ url: urls }) : createCluster({ rootNodes: nodes.map((u) => ({ url: u.href })) });
  await client.on('error', () => undefined).connect();
  close = () => client.close();
}
const store = new RedisCodeStore({ client, prefix });
const token = '1234567:simulator0000000000000000000000';
const secret = 'redis-test-secret-0123456';
let results;
if (op === 'check') {
  const verify = lox24({ token, secret, baseUrl: 'http://127.0.0.1:9', codeStore: store });
  results = await Promise.all(Array.from({ length: Number(count) }, () => verify.check(target, arg).then((r) => ({ verified: r.verified, reason: r.reason ?? null, attemptsRemaining: r.attemptsRemaining ?? null }))));
} else {
  const verify = guard(lox24({ token, secret, baseUrl: arg, codeStore: store }), { perPhone: { max: 3, windowSeconds: 600 }, limits: store.limits });
  results = await Promise.all(Array.from({ length: Number(count) }, () => verify.start({ to: target }).then(() => 'started', (error) => error.name)));
}
process.stdout.write(JSON.stringify(results));
await close();
