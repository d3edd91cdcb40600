/**
 * What every command needs: the io, parsed arguments, and providers from `--config FILE`
 * (one config, or an array tried in order) or from the environment.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValidationError } from '../src/errors.js';
import type { VerifyEvent } from '../src/events.js';
import { createProvider, type PolyverifyConfig, type ProviderConfig, type RuntimeOptions } from '../providers/index.js';
import { ENV, builtIn } from '../providers/built-in.js';
import { redisStoreOptions } from '../providers/redis-env.js';
import { failover } from '../src/failover.js';
import type { VerifyProvider } from '../src/provider.js';

/** Where a command writes. `stdout` takes exports; `out`/`err` take lines. */
export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly stdout: NodeJS.WritableStream;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Bad arguments: exit 2 with the usage line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  redis: { type: 'string' },
  'redis-prefix': { type: 'string' },
  'redis-retain-seconds': { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** parseArgs, with its errors as usage errors. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  if (!parsed.values['help' as keyof typeof parsed.values] && parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 0 ? `unexpected argument '${parsed.positionals[0]}'` : `expected ${positionals} argument${positionals > 1 ? 's' : ''}, got ${parsed.positionals.length}`);
  }
  return parsed;
}

async function loadConfig(path: string | undefined, io: Io): Promise<PolyverifyConfig> {
  if (path === undefined) return builtIn.configFromEnv(io.env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ValidationError([{ field: '--config', message: `cannot read ${path}` }], { provider: 'config', operation: 'config' }, 'Invalid configuration');
  }
  try {
    return JSON.parse(text) as PolyverifyConfig;
  } catch {
    throw new ValidationError([{ field: '--config', message: `${path} is not valid JSON` }], { provider: 'config', operation: 'config' }, 'Invalid configuration');
  }
}

/** Where the providers' state lives: `--config FILE` and `--redis URL` (or `POLYVERIFY_REDIS_URL`). */
export interface Sources {
  readonly config?: string | undefined;
  readonly redis?: string | undefined;
  /** `--redis-prefix`, else `POLYVERIFY_REDIS_PREFIX`. */
  readonly 'redis-prefix'?: string | undefined;
  /** `--redis-retain-seconds`, else `POLYVERIFY_REDIS_RETAIN_SECONDS`. */
  readonly 'redis-retain-seconds'?: string | undefined;
}

const opened: (() => Promise<void>)[] = [];

/** Closes what the command opened (the Redis connection). */
export async function closeOpened(): Promise<void> {
  await Promise.all(opened.splice(0).map((close) => close().catch(() => undefined)));
}

const DEFAULT_RETAIN_MS = 3_600_000;

/**
 * What a report or list over `from…` cannot see right, said before it is read: the verified
 * status of codes polyverify checks itself (LOX24's) lives in the application's store, so
 * without that store they read as pending or expired, and past the store's retention as expired.
 */
export function ownedCodesNote(sources: Sources, io: Io, provider: VerifyProvider, from: Date | undefined): string | undefined {
  if (provider.capabilities.codeOwner === 'vendor') return undefined;
  if ((sources.redis ?? io.env[ENV.redisUrl]) === undefined) {
    return 'note: the verified status of codes polyverify checks itself (LOX24) lives in your application’s store; without --redis (or POLYVERIFY_REDIS_URL) they read as pending, then expired';
  }
  const retainMs = redisStoreOptions({ retainSeconds: sources['redis-retain-seconds'] ?? io.env[ENV.redisRetainSeconds] }).retainMs ?? DEFAULT_RETAIN_MS;
  if (from === undefined || from.getTime() >= Date.now() - retainMs) return undefined;
  return `note: finished LOX24 codes are kept ${retainMs / 1000} s in the store, so those finished before ${new Date(Date.now() - retainMs).toISOString()} read as expired and their conversion shows low; set POLYVERIFY_REDIS_RETAIN_SECONDS (or --redis-retain-seconds) in the application and here to at least the windows you report on`;
}

/** The runtime options of a command: its events, and the Redis store when a URL is given. */
async function runtimeOf(sources: Sources, io: Io, onEvent?: (e: VerifyEvent) => void): Promise<RuntimeOptions> {
  const url = sources.redis ?? io.env[ENV.redisUrl];
  const runtime: RuntimeOptions = onEvent ? { onEvent } : {};
  if (!url) return runtime;
  const { connectRedisStore } = await import('polyverify/redis');
  const flagged = sources['redis-prefix'] !== undefined || sources['redis-retain-seconds'] !== undefined;
  const store = await connectRedisStore(
    url,
    redisStoreOptions(
      { prefix: sources['redis-prefix'] ?? io.env[ENV.redisPrefix], retainSeconds: sources['redis-retain-seconds'] ?? io.env[ENV.redisRetainSeconds] },
      flagged ? { prefix: '--redis-prefix', retainSeconds: '--redis-retain-seconds' } : undefined,
    ),
  );
  opened.push(() => store.close());
  return { ...runtime, store, limits: store.limits };
}

/** The configured provider: one, or a failover over several. */
export async function configuredProvider(sources: Sources, io: Io, onEvent?: (e: VerifyEvent) => void): Promise<VerifyProvider> {
  const config = await loadConfig(sources.config, io);
  return builtIn.createFromConfig(config, await runtimeOf(sources, io, onEvent));
}

/** The configs of single providers inside any config form, each once, in order. */
function leafConfigs(config: unknown, into = new Map<string, unknown>()): unknown[] {
  if (Array.isArray(config)) for (const entry of config) leafConfigs(entry, into);
  else if (typeof config === 'object' && config !== null && !('provider' in config) && ('failover' in config || 'route' in config)) {
    const members = (config as { failover?: unknown; route?: Record<string, unknown> }).failover ?? Object.values((config as { route: Record<string, unknown> }).route ?? {});
    leafConfigs(members, into);
  } else into.set(JSON.stringify(config), config);
  return [...into.values()];
}

/**
 * The provider to list from: the configured provider itself (ids as the application hands them
 * out, whatever the config's form), or only the providers named by `--provider`.
 */
export async function listingProvider(sources: Sources, only: string | undefined, io: Io, onEvent?: (e: VerifyEvent) => void): Promise<VerifyProvider> {
  const config = await loadConfig(sources.config, io);
  const runtime = await runtimeOf(sources, io, onEvent);
  if (only === undefined) return builtIn.createFromConfig(config, runtime);
  const providers = await Promise.all(leafConfigs(config).map((c) => createProvider(c as ProviderConfig, runtime)));
  const chosen = providers.filter((p) => p.name === only);
  if (chosen.length === 0) {
    throw new UsageError(`no configured provider is named '${only}' (there are ${providers.map((p) => p.name).join(', ')})`);
  }
  // From several, ids stay routable (`lox24:…`): the form every other command takes back.
  return config === leafConfigs(config)[0] ? chosen[0]! : failover(chosen);
}

/**
 * The id column's width for a listing provider: a vendor's UUID, and room for `messagebird:` in
 * front when ids are routable (a longer instance name still prints whole, past the column).
 */
export function idWidth(provider: VerifyProvider): number {
  return provider.name === 'failover' || provider.name === 'route' ? 48 : 36;
}
