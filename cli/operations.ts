/**
 * `polyverify start | check | get | cancel | resend | failover`, against the configured provider.
 */
import type { Channel, CheckResult, StartRequest, Verification } from '../src/model.js';
import { COMMON_OPTIONS, UsageError, configuredProvider, parse, type Io } from './context.js';
import { describe, describeCheck, plain } from './format.js';

/** What a command returns: its exit code. */
export type Command = (args: string[], io: Io) => Promise<number>;

export const EXIT_NOT_VERIFIED = 9;

function show(io: Io, json: boolean | undefined, v: Verification): void {
  if (json) io.out(JSON.stringify(plain(v)));
  else for (const line of describe(v)) io.out(line);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

/** The `limitKey` of commands without `--limit-key`: a config's `guard.perKey` counts the shell as one client. */
const CLI_LIMIT_KEY = 'cli';

/** The flags of `start`. */
export const START_OPTIONS = {
  ...COMMON_OPTIONS,
  to: { type: 'string' },
  email: { type: 'string' },
  channel: { type: 'string', multiple: true },
  locale: { type: 'string' },
  reference: { type: 'string' },
  ttl: { type: 'string' },
  'max-attempts': { type: 'string' },
  'code-length': { type: 'string' },
  'limit-key': { type: 'string' },
} as const;

/** The flags of `resend` and `failover`. */
export const STEP_OPTIONS = { ...COMMON_OPTIONS, step: { type: 'string' }, 'limit-key': { type: 'string' } } as const;

export const start: Command = async (args, io) => {
  const { values } = parse(args, START_OPTIONS, 0);
  if ((values.to === undefined) === (values.email === undefined)) throw new UsageError('give exactly one of --to PHONE or --email ADDRESS');
  const request: StartRequest = {
    to: values.to ?? { email: values.email! },
    // An e-mail recipient without a plan goes by e-mail: a provider's default plan is for phones.
    ...(values.channel
      ? { channels: values.channel.map((channel) => ({ channel: channel as Channel })) }
      : values.email !== undefined && { channels: [{ channel: 'email' as const }] }),
    ...(values.locale !== undefined && { locale: values.locale }),
    ...(values.reference !== undefined && { reference: values.reference }),
    ...(values.ttl !== undefined && { ttlSeconds: integer('ttl', values.ttl) }),
    ...(values['max-attempts'] !== undefined && { maxAttempts: integer('max-attempts', values['max-attempts']) }),
    ...(values['code-length'] !== undefined && { codeLength: integer('code-length', values['code-length']) }),
  };
  const provider = await configuredProvider(values, io);
  show(io, values.json, await provider.start(request, { limitKey: values['limit-key'] ?? CLI_LIMIT_KEY }));
  return 0;
};

export const check: Command = async (args, io) => {
  const { values, positionals } = parse(args, COMMON_OPTIONS, 2);
  const [id, code] = positionals as [string, string];
  const provider = await configuredProvider(values, io);
  const result: CheckResult = await provider.check(id, code);
  if (values.json) io.out(JSON.stringify(result));
  else for (const line of describeCheck(result)) io.out(line);
  return result.verified ? 0 : EXIT_NOT_VERIFIED;
};

/** get, cancel: one id. */
function byId(operation: 'get' | 'cancel'): Command {
  return async (args, io) => {
    const { values, positionals } = parse(args, COMMON_OPTIONS, 1);
    const provider = await configuredProvider(values, io);
    show(io, values.json, await provider[operation](positionals[0]!));
    return 0;
  };
}

/** resend, failover: one id and an optional step. */
function onStep(operation: 'resend' | 'failover'): Command {
  return async (args, io) => {
    const { values, positionals } = parse(args, STEP_OPTIONS, 1);
    const step = integer('step', values.step);
    const provider = await configuredProvider(values, io);
    show(io, values.json, await provider[operation](positionals[0]!, { limitKey: values['limit-key'] ?? CLI_LIMIT_KEY, ...(step !== undefined && { step }) }));
    return 0;
  };
}

export const get = byId('get');
export const cancel = byId('cancel');
export const resend = onStep('resend');
export const failoverCommand = onStep('failover');
