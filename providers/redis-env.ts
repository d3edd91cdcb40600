/**
 * The Redis settings an environment or a command line gives besides the URL: the key prefix of
 * the application and how long a finished code's record is kept. Read the same way by
 * `providerFromEnv` and the CLI, so that an application and `polyverify get/list/report` see the
 * same keys. Not an entry point.
 */
import { ValidationError, type FieldIssue } from '../src/errors.js';
import { ENV } from './built-in.js';

/** The options of `connectRedisStore` that come from text. */
export interface RedisTextOptions {
  /** `POLYVERIFY_REDIS_PREFIX` / `--redis-prefix`. */
  readonly prefix?: string | undefined;
  /** `POLYVERIFY_REDIS_RETAIN_SECONDS` / `--redis-retain-seconds`. */
  readonly retainSeconds?: string | undefined;
}

const PREFIX = /^[A-Za-z0-9_:.-]{1,64}$/;

/** `connectRedisStore`'s `prefix` and `retainMs`, checked; a bad one is a `ValidationError` naming its variable or flag. */
export function redisStoreOptions(text: RedisTextOptions, names: { prefix: string; retainSeconds: string } = { prefix: ENV.redisPrefix, retainSeconds: ENV.redisRetainSeconds }): { prefix?: string; retainMs?: number } {
  const issues: FieldIssue[] = [];
  const prefix = text.prefix === '' ? undefined : text.prefix;
  if (prefix !== undefined && !PREFIX.test(prefix)) issues.push({ field: names.prefix, message: 'must be 1 to 64 letters, digits or _ : . - (e.g. myapp:)' });
  const retain = text.retainSeconds === '' ? undefined : text.retainSeconds;
  const seconds = retain === undefined ? undefined : Number(retain);
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 60 || seconds > 31_536_000)) {
    issues.push({ field: names.retainSeconds, message: 'must be a whole number of seconds from 60 to 31536000 (a year)' });
  }
  if (issues.length) throw new ValidationError(issues, { provider: 'config', operation: 'config' }, 'Invalid Redis settings');
  return { ...(prefix !== undefined && { prefix }), ...(seconds !== undefined && { retainMs: seconds * 1000 }) };
}
