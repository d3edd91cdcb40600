// A second backend instance for the Redis tests: checks one LOX24 verification `count` times
// at once with `code`, through its own Redis client, and prints the check results as JSON.
// node test/redis-worker.mjs <node-redis|ioredis> <redis url> <prefix> <id> <code> <count>
import { lox24 } from '../dist/lox24.js';
import { RedisCodeStore } from '../dist/redis.js';

const [kind, url, prefix, id, code, count] = process.argv.slice(2);
let client;
let close;
if (kind === 'ioredis') {
  const { Redis } = await import('ioredis');
  client = new Redis(url);
  close = () => client.quit();
} else {
  const { createClient } = await import('redis');
  client = await createClient({ url }).on('error', () => undefined).connect();
  close = () => client.close();
}
const verify = lox24({ token: '1234567:simulator0000000000000000000000', secret: 'redis-test-secret-0123456', baseUrl: 'http://127.0.0.1:9', codeStore: new RedisCodeStore({ client, prefix }) });
const results = await Promise.all(Array.from({ length: Number(count) }, () => verify.check(id, code).then((r) => ({ verified: r.verified, reason: r.reason ?? null, attemptsRemaining: r.attemptsRemaining ?? null }))));
process.stdout.write(JSON.stringify(results));
await close();
