/**
 * The Lua scripts of the Redis store. Each runs atomically on the server, so however many
 * instances check one verification at once, every attempt sees the one before it.
 *
 * A code is two keys in one hash slot (`{key}`): `…:h` holds the HMAC digest and expires
 * with the code (PX); `…:m` holds the state and counts, and stays `retainMs` longer, so a
 * late check says `expired` rather than `not_found`. The digest is deleted as soon as it has
 * no use (verified, canceled, locked).
 *
 * The digest comparison runs over every byte whatever the inputs (XOR, OR-accumulated), so
 * its time does not depend on where two digests differ. It would leak little anyway: the
 * digests are HMAC-SHA256 under a secret that never reaches Redis, so matching leading bytes
 * of a digest tells nothing about the code, and every comparison costs an attempt.
 */
import { script } from './client.js';

/** The record fields, in the order every script returns them after the outcome. */
const RECORD = `local function record(o)
  local x = redis.call('HMGET', KEYS[1], 'c', 'e', 'm', 'f', 's', 'd')
  return {o, x[1], x[2], x[3], x[4], x[5], x[6] or '', redis.call('GET', KEYS[2]) or ''}
end`;

/** KEYS: meta, digest. ARGV: digest, createdAt, expiresAt, maxAttempts, failed, state, finishedAt|'', digest PX, meta PX. */
export const SAVE = script(`redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'c', ARGV[2], 'e', ARGV[3], 'm', ARGV[4], 'f', ARGV[5], 's', ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'd', ARGV[7]) end
redis.call('PEXPIRE', KEYS[1], ARGV[9])
if ARGV[6] == 'p' and tonumber(ARGV[8]) > 0 then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[8]) else redis.call('DEL', KEYS[2]) end
return 1`);

/** KEYS: meta, digest. Returns the record, or nil. */
export const GET = script(`${RECORD}
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
return record('found')`);

/** KEYS: meta, digest. ARGV: candidate digest, now. Returns the outcome and the record after it. */
export const ATTEMPT = script(`${RECORD}
local r = redis.call('HMGET', KEYS[1], 'e', 'm', 'f', 's')
if not r[1] then return {'not_found'} end
local now = tonumber(ARGV[2])
local e, m, f, s = tonumber(r[1]), tonumber(r[2]), tonumber(r[3]), r[4]
if s == 'v' then return record('already_verified') end
if s == 'c' then return record('canceled') end
if now >= e then return record('expired') end
if f >= m then return record('max_attempts') end
local stored = redis.call('GET', KEYS[2])
if not stored then return record('expired') end
local candidate = ARGV[1]
local diff = #stored == #candidate and #stored > 0 and 0 or 1
for i = 1, #stored do
  diff = bit.bor(diff, bit.bxor(string.byte(stored, i), string.byte(candidate, i) or 0))
end
if diff == 0 then
  local out = record('verified')
  redis.call('HSET', KEYS[1], 's', 'v', 'd', ARGV[2])
  redis.call('DEL', KEYS[2])
  out[6], out[7], out[8] = 'v', ARGV[2], ''
  return out
end
f = redis.call('HINCRBY', KEYS[1], 'f', 1)
if f >= m then
  redis.call('HSET', KEYS[1], 'd', ARGV[2])
  redis.call('DEL', KEYS[2])
end
return record('incorrect')`);

/** KEYS: meta, digest. ARGV: now. Returns the record after the change, or nil. */
export const CANCEL = script(`${RECORD}
local s = redis.call('HGET', KEYS[1], 's')
if not s then return nil end
if s == 'p' then
  redis.call('HSET', KEYS[1], 's', 'c', 'd', ARGV[1])
  redis.call('DEL', KEYS[2])
end
return record('found')`);

/** KEYS: tries. ARGV: max, PX. */
export const START_TRIES = script(`redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'm', ARGV[1], 'f', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

/** KEYS: tries. Returns the tries left after one more wrong code, or -1 when there is no count. */
export const FAIL_TRY = script(`local m = redis.call('HGET', KEYS[1], 'm')
if not m then return -1 end
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
return math.max(0, tonumber(m) - f)`);
