/**
 * What every command needs: the io, parsed arguments, and providers from `--config FILE`
 * (one config, or an array tried in order) or from the environment.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValidationError } from '../src/errors.js';
import type { VerifyEvent } from '../src/events.js';
import { configFromEnv, createFromConfig, createProvider, type PolyverifyConfig, type ProviderConfig } from '../providers/index.js';
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
  if (path === undefined) return configFromEnv(io.env);
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

/** The configured provider: one, or a failover over several. */
export async function configuredProvider(path: string | undefined, io: Io, onEvent?: (e: VerifyEvent) => void): Promise<VerifyProvider> {
  return createFromConfig(await loadConfig(path, io), onEvent ? { onEvent } : {});
}

/**
 * The provider to list from: every configured provider (ids routable when there are
 * several), or only the one named by `--provider`.
 */
export async function listingProvider(path: string | undefined, only: string | undefined, io: Io, onEvent?: (e: VerifyEvent) => void): Promise<VerifyProvider> {
  const config = await loadConfig(path, io);
  const configs = (Array.isArray(config) ? config : [config]) as ProviderConfig[];
  const providers = await Promise.all(configs.map((c) => createProvider(c, onEvent ? { onEvent } : {})));
  const chosen = only === undefined ? providers : providers.filter((p) => p.name === only);
  if (chosen.length === 0) {
    throw new UsageError(`no configured provider is named '${only}' (there are ${providers.map((p) => p.name).join(', ')})`);
  }
  return Array.isArray(config) ? failover(chosen) : chosen[0]!;
}
