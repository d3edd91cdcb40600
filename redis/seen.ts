/**
 * Webhook event ids in Redis, so a retried delivery is handed to the callback once across every
 * instance: one atomic script claims an id (a lease while the callback runs), then it is marked
 * done or released.
 */
import type { Claim, SeenStore } from '../src/webhooks/seen.js';
import { Commands, script, type RedisClient } from './client.js';

const CLAIM = script(`local state = redis.call('GET', KEYS[1])
if state then return state end
redis.call('SET', KEYS[1], 'processing', 'PX', ARGV[1])
return 'new'`);

/** Options of {@link redisSeen}. */
export interface RedisSeenOptions {
  /** Prepended to every key (`'pv:webhook:'`). */
  readonly prefix?: string;
  /** How long one command may take (2 000 ms); past it the delivery is answered 500 and the vendor retries. */
  readonly timeoutMs?: number;
}

/**
 * A `SeenStore` on Redis for webhooks. `lox24Webhook({ …, redis: client })` makes one.
 *
 * @example
 * ```ts
 * const webhook = lox24Webhook({ token, onWebhook, seen: redisSeen(client, { prefix: 'myapp:webhook:' }) });
 * ```
 */
export function redisSeen(client: RedisClient, options: RedisSeenOptions = {}): SeenStore {
  const commands = new Commands(client, options.timeoutMs ?? 2_000);
  const prefix = options.prefix ?? 'pv:webhook:';
  return {
    claim: async (id, leaseMs) => (await commands.eval(CLAIM, [`${prefix}${id}`], [String(leaseMs)])) as Claim,
    done: async (id, keepMs) => void (await commands.run(['SET', `${prefix}${id}`, 'done', 'PX', String(keepMs)])),
    release: async (id) => void (await commands.run(['DEL', `${prefix}${id}`])),
  };
}
