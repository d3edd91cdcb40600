/**
 * Outcomes in Redis (`adaptive()`'s figures, shared by every instance): each pending start a
 * hash, a sorted set of them by expiry, each key's decayed tally a hash, each settled outcome a
 * hash kept for the window (for fraud feedback), each link of a resend that moved a string. Settling, expiring and retracting are scripts,
 * so however many instances check one start at once it is counted once. Every key is under the
 * hash tag `{out}`: one slot, so the scripts run on a Redis Cluster too.
 */
import { decayOptions, decayed, type DecayOptions, type OutcomeStore, type PendingOutcome, type SettledOutcome, type Tally } from '../src/outcomes/store.js';
import { Commands, script, type RedisClient } from './client.js';

/** Options of {@link redisOutcomes}. */
export interface RedisOutcomesOptions extends DecayOptions {
  /** Prepended to every key (`'pv:'`; the keys are `<prefix>{out}:…`). */
  readonly prefix?: string;
  /** How long one command may take before it is a failure (500 ms: routing then falls back). */
  readonly timeoutMs?: number;
}

/** Counts one outcome into a tally key: decay to now, add `weight`, cap. */
const COUNT = `local function count(key, weight, converted, cost, now, win, cap)
  local t = redis.call('HMGET', key, 'v', 'n', 'o', 'd', 'a')
  local f = 1
  if t[5] then f = math.exp(-math.max(0, now - tonumber(t[5])) / win) end
  local v, n = (tonumber(t[1]) or 0) * f, (tonumber(t[2]) or 0) * f
  local o, d = (tonumber(t[3]) or 0) * f, (tonumber(t[4]) or 0) * f
  if converted then v = math.max(0, v + weight) else n = math.max(0, n + weight) end
  if cost ~= '' then o = math.max(0, o + weight * tonumber(cost)); d = math.max(0, d + weight) end
  local total = v + n
  if total > cap then local s = cap / total; v, n, o, d = v * s, n * s, o * s, d * s end
  redis.call('HSET', key, 'v', tostring(v), 'n', tostring(n), 'o', tostring(o), 'd', tostring(d), 'a', tostring(now))
  redis.call('PEXPIRE', key, math.floor(win * 4))
end
local function settle(id, converted, now, win, cap, base)
  local pkey = base .. 'p:' .. id
  local p = redis.call('HMGET', pkey, 'k', 'e', 'c')
  if not p[1] then return nil end
  redis.call('DEL', pkey)
  redis.call('ZREM', base .. 'due', id)
  for key in string.gmatch(p[1], '[^\\n]+') do count(base .. 't:' .. key, 1, converted, p[3] or '', now, win, cap) end
  redis.call('HSET', base .. 's:' .. id, 'k', p[1], 'e', p[2], 'c', p[3] or '', 'v', converted and '1' or '0', 'a', tostring(now))
  redis.call('PEXPIRE', base .. 's:' .. id, math.floor(win))
  return {p[1], p[2], p[3] or '', converted and '1' or '0', tostring(now)}
end`;

/** KEYS: the due set. ARGV: base, id, converted (1/0), now, window, cap. */
const SETTLE = script(`${COUNT}
return settle(ARGV[2], ARGV[3] == '1', tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[1])`);

/** KEYS: the due set. ARGV: base, now, limit, window, cap. Returns how many were counted. */
const EXPIRE = script(`${COUNT}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  if not settle(id, false, tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[1]) then redis.call('ZREM', KEYS[1], id) end
end
return #ids`);

/** KEYS: the due set. ARGV: base, id, now, window, cap. Returns the settled outcome taken out, or nil. */
const RETRACT = script(`${COUNT}
local skey = ARGV[1] .. 's:' .. ARGV[2]
local s = redis.call('HMGET', skey, 'k', 'e', 'c', 'v', 'a')
if not s[1] then return nil end
redis.call('DEL', skey)
local now, win, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local weight = -math.exp(-math.max(0, now - tonumber(s[5])) / win)
for key in string.gmatch(s[1], '[^\\n]+') do count(ARGV[1] .. 't:' .. key, weight, s[4] == '1', s[3], now, win, cap) end
return s`);

/** KEYS: the pending hash, the due set. ARGV: keys joined by newlines, expiresAt, cost|'', id, PX. */
const PEND = script(`redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'k', ARGV[1], 'e', ARGV[2], 'c', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
return 1`);

/** KEYS: the tally keys. Returns each key's fields v, n, o, d, a (nil where never counted): one command, however many keys. */
const TALLIES = script(`local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, 'v', 'n', 'o', 'd', 'a') end
return out`);

/**
 * An `OutcomeStore` in Redis, shared by every instance: `adaptive({ outcomes: redisOutcomes(client) })`
 * (a `RedisCodeStore` has one as `outcomes`, under its prefix).
 *
 * @example
 * ```ts
 * const verify = adaptive({ members, outcomes: redisOutcomes(client, { prefix: 'myapp:' }) });
 * ```
 */
export function redisOutcomes(client: RedisClient, options: RedisOutcomesOptions = {}): OutcomeStore {
  const commands = new Commands(client, options.timeoutMs ?? 500);
  const base = `${options.prefix ?? 'pv:'}{out}:`;
  const decay = decayOptions(options);
  const due = [`${base}due`];
  const limits = (now: number) => [String(now), String(decay.windowMs), String(decay.maxOutcomes)];
  const settledOf = (reply: unknown): SettledOutcome | undefined => {
    if (!Array.isArray(reply)) return undefined;
    const [keys, expiresAt, cost, converted, at] = reply.map(String) as [string, string, string, string, string];
    return { keys: keys.split('\n'), expiresAt: Number(expiresAt), ...(cost !== '' && { cost: Number(cost) }), converted: converted === '1', at: Number(at) };
  };
  return {
    async pend(id: string, pending: PendingOutcome): Promise<void> {
      // Kept for a window at most: a pending start nobody settles or expires does not stay forever.
      // (Redis's own clock, not the caller's: a start is settled or expired long before.)
      await commands.eval(PEND, [`${base}p:${id}`, due[0]!], [pending.keys.join('\n'), String(pending.expiresAt), pending.cost === undefined ? '' : String(pending.cost), id, String(decay.windowMs)]);
    },
    async settle(id: string, converted: boolean, now: number): Promise<SettledOutcome | undefined> {
      const [nowText, ...rest] = limits(now);
      return settledOf(await commands.eval(SETTLE, due, [base, id, converted ? '1' : '0', nowText!, ...rest]));
    },
    async expire(now: number, limit: number): Promise<number> {
      const [nowText, ...rest] = limits(now);
      return Number(await commands.eval(EXPIRE, due, [base, nowText!, String(limit), ...rest]));
    },
    async retract(id: string, now: number): Promise<SettledOutcome | undefined> {
      return settledOf(await commands.eval(RETRACT, due, [base, id, ...limits(now)]));
    },
    async link(from: string, to: string): Promise<void> {
      await commands.run(['SET', `${base}r:${from}`, to, 'PX', String(decay.windowMs)]);
    },
    async linked(id: string): Promise<string | undefined> {
      const to = await commands.run(['GET', `${base}r:${id}`]);
      return typeof to === 'string' ? to : undefined;
    },
    async tallies(keys: readonly string[], now: number): Promise<Tally[]> {
      // One script for every key: one command (a client's cost is per command, not per key).
      const replies = (await commands.eval(TALLIES, keys.map((key) => `${base}t:${key}`), [])) as unknown[];
      return replies.map((reply) => {
        const [v, n, o, d, a] = (reply as (string | null)[]).map((x) => (x === null ? undefined : Number(x)));
        return a === undefined ? decayed(undefined, now, decay.windowMs) : decayed({ converted: v ?? 0, notConverted: n ?? 0, cost: o ?? 0, costed: d ?? 0, at: a }, now, decay.windowMs);
      });
    },
  };
}
