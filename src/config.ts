/**
 * Providers from configuration: a validated, discriminated config object (or environment
 * variables) becomes a provider. Only the adapter a config names is loaded.
 */
import * as v from 'valibot';
import { ValidationError, type FieldIssue } from './errors.js';
import type { VerifyEvent } from './events.js';
import type { CodeStore } from './codes/store.js';
import type { ChannelStep } from './model.js';
import type { VerifyProvider } from './provider.js';
import { boundedInteger, channelStepSchema, fieldIssues } from './validate.js';
import { failover } from './failover.js';

const CONTEXT = { provider: 'config', operation: 'config' as const };
const nonEmpty = (what = 'must not be empty') => v.pipe(v.string('must be a string'), v.minLength(1, what));
const uuid = v.pipe(v.string('must be a string'), v.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID'));
const plan = v.optional(v.pipe(v.array(channelStepSchema, 'must be an array of steps'), v.minLength(1, 'must have at least one step')));

// Options every vendor takes.
const common = {
  name: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, _ or -'))),
  baseUrl: v.optional(v.pipe(v.string('must be a string'), v.url('must be an absolute URL'))),
  timeoutMs: v.optional(boundedInteger(1, 600_000)),
  retries: v.optional(boundedInteger(0, 10)),
};

const birdTemplate = v.strictObject({ projectId: uuid, version: uuid, locale: v.optional(v.string()), name: v.optional(v.string()) });
const birdTarget = v.union(
  [v.strictObject({ channelId: uuid, template: v.optional(birdTemplate) }), v.strictObject({ navigatorId: uuid, template: v.optional(birdTemplate) })],
  'must be { channelId } or { navigatorId }, with an optional template',
);

/** The config of one provider, discriminated by `provider`. */
const providerConfigSchema = v.variant(
  'provider',
  [
    v.strictObject({
      provider: v.literal('lox24'),
      ...common,
      token: nonEmpty(),
      secret: v.optional(v.pipe(v.string('must be a string'), v.minLength(16, 'must be at least 16 characters'))),
      ttlSeconds: v.optional(boundedInteger(30, 86_400)),
      maxAttempts: v.optional(boundedInteger(1, 20)),
      codeLength: v.optional(boundedInteger(4, 8)),
      deleteCodeAfterSend: v.optional(v.boolean('must be true or false')),
      channels: plan,
    }),
    v.strictObject({
      provider: v.literal('notificore'),
      ...common,
      apiKey: nonEmpty(),
      sender: v.optional(nonEmpty()),
      smsSender: v.optional(nonEmpty()),
      templateId: v.optional(boundedInteger(1, 999_999_999)),
      channels: plan,
      listWindowDays: v.optional(boundedInteger(1, 3660)),
    }),
    v.strictObject({
      provider: v.literal('messagebird'),
      ...common,
      accessKey: nonEmpty(),
      workspaceId: uuid,
      channels: v.strictObject({ sms: v.optional(birdTarget), whatsapp: v.optional(birdTarget), email: v.optional(birdTarget) }, 'maps sms, whatsapp and email only'),
      defaultChannels: plan,
    }),
  ],
  "must have provider 'lox24', 'notificore' or 'messagebird'",
);

/** Options every vendor's config takes. */
export interface CommonConfig {
  /** 1–40 letters, digits, `_` or `-`; the first part of the ids a failover or route hands out. */
  readonly name?: string;
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  readonly retries?: number;
}

/** A LOX24 provider's config. */
export interface Lox24Config extends CommonConfig {
  readonly provider: 'lox24';
  readonly token: string;
  readonly secret?: string;
  readonly ttlSeconds?: number;
  readonly maxAttempts?: number;
  readonly codeLength?: number;
  readonly deleteCodeAfterSend?: boolean;
  readonly channels?: readonly ChannelStep[];
}

/** A Notificore provider's config. */
export interface NotificoreConfig extends CommonConfig {
  readonly provider: 'notificore';
  readonly apiKey: string;
  readonly sender?: string;
  readonly smsSender?: string;
  readonly templateId?: number;
  readonly channels?: readonly ChannelStep[];
  readonly listWindowDays?: number;
}

/** How a Bird config reaches one channel: a channel or (SMS) a navigator, with a template where needed. */
export type BirdTarget = ({ readonly channelId: string } | { readonly navigatorId: string }) & {
  readonly template?: { readonly projectId: string; readonly version: string; readonly locale?: string; readonly name?: string };
};

/** A Bird (MessageBird) provider's config. */
export interface MessagebirdConfig extends CommonConfig {
  readonly provider: 'messagebird';
  readonly accessKey: string;
  readonly workspaceId: string;
  readonly channels: { readonly sms?: BirdTarget; readonly whatsapp?: BirdTarget; readonly email?: BirdTarget };
  readonly defaultChannels?: readonly ChannelStep[];
}

/** A provider's configuration (JSON-friendly: no functions), discriminated by `provider`. */
export type ProviderConfig = Lox24Config | NotificoreConfig | MessagebirdConfig;

/** A configuration of one provider, or of several tried in order (`failover`). */
export type PolyverifyConfig = ProviderConfig | readonly ProviderConfig[];

/** What a config cannot hold: functions and stores, given next to it. */
export interface RuntimeOptions {
  readonly onEvent?: (event: VerifyEvent) => void;
  /** For code-transport vendors (LOX24): where code hashes live. */
  readonly codeStore?: CodeStore;
}

function parseConfig(config: unknown, root = ''): v.InferOutput<typeof providerConfigSchema> {
  const result = v.safeParse(providerConfigSchema, config);
  if (result.success) return result.output;
  throw new ValidationError(fieldIssues(result.issues, root || undefined), CONTEXT, 'Invalid provider config');
}

/**
 * Creates a provider from a configuration object, loading only that vendor's adapter.
 * Unknown providers and missing or malformed options are a `ValidationError` naming the
 * field; no value, secret or not, is echoed.
 *
 * @example
 * ```ts
 * const verify = await createProvider({ provider: 'lox24', token: process.env.LOX24_TOKEN!, secret: process.env.POLYVERIFY_SECRET! });
 * ```
 */
export async function createProvider(config: ProviderConfig, runtime: RuntimeOptions = {}): Promise<VerifyProvider> {
  const parsed = parseConfig(config);
  const extras = { ...(runtime.onEvent && { onEvent: runtime.onEvent }) };
  switch (parsed.provider) {
    case 'lox24': {
      const { lox24 } = await import('polyverify/lox24');
      const { provider: _vendor, ...options } = parsed;
      return lox24({ ...options, ...extras, ...(runtime.codeStore && { codeStore: runtime.codeStore }) });
    }
    case 'notificore': {
      const { notificore } = await import('polyverify/notificore');
      const { provider: _vendor, ...options } = parsed;
      return notificore({ ...options, ...extras });
    }
    case 'messagebird': {
      const { messagebird } = await import('polyverify/messagebird');
      const { provider: _vendor, ...options } = parsed;
      return messagebird({ ...options, ...extras });
    }
  }
}

/** Creates one provider, or a `failover` over several in the given order. */
export async function createFromConfig(config: PolyverifyConfig, runtime: RuntimeOptions = {}): Promise<VerifyProvider> {
  if (!Array.isArray(config)) return createProvider(config as ProviderConfig, runtime);
  if (config.length === 0) throw new ValidationError([{ field: 'config', message: 'must name at least one provider' }], CONTEXT, 'Invalid provider config');
  const issues: FieldIssue[] = [];
  config.forEach((entry, index) => {
    const result = v.safeParse(providerConfigSchema, entry);
    if (!result.success) issues.push(...fieldIssues(result.issues, String(index)));
  });
  if (issues.length) throw new ValidationError(issues, CONTEXT, 'Invalid provider config');
  const providers = await Promise.all(config.map((entry) => createProvider(entry, runtime)));
  return failover(providers, { ...(runtime.onEvent && { onEvent: runtime.onEvent }) });
}

/** The environment variables each vendor reads (documented in docs/configuration.md). */
export const ENV = {
  provider: 'POLYVERIFY_PROVIDER',
  config: 'POLYVERIFY_CONFIG',
  lox24: { token: 'LOX24_TOKEN', secret: 'POLYVERIFY_SECRET', baseUrl: 'LOX24_BASE_URL' },
  notificore: { apiKey: 'NOTIFICORE_API_KEY', sender: 'NOTIFICORE_SENDER', smsSender: 'NOTIFICORE_SMS_SENDER', templateId: 'NOTIFICORE_TEMPLATE_ID', baseUrl: 'NOTIFICORE_BASE_URL' },
  messagebird: {
    accessKey: 'BIRD_ACCESS_KEY',
    workspaceId: 'BIRD_WORKSPACE_ID',
    smsNavigatorId: 'BIRD_SMS_NAVIGATOR_ID',
    smsChannelId: 'BIRD_SMS_CHANNEL_ID',
    whatsappChannelId: 'BIRD_WHATSAPP_CHANNEL_ID',
    whatsappProjectId: 'BIRD_WHATSAPP_TEMPLATE_PROJECT_ID',
    whatsappVersion: 'BIRD_WHATSAPP_TEMPLATE_VERSION',
    emailChannelId: 'BIRD_EMAIL_CHANNEL_ID',
    baseUrl: 'BIRD_BASE_URL',
  },
} as const;

/** Environment variables, as `process.env` holds them. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/** The config the environment describes (no provider is created). */
export function configFromEnv(env: EnvVars): PolyverifyConfig {
  const problems: FieldIssue[] = [];
  const read = (name: string, required: boolean): string | undefined => {
    const value = env[name];
    if (value === undefined || value === '') {
      if (required) problems.push({ field: name, message: 'is not set' });
      return undefined;
    }
    return value;
  };
  const json = read(ENV.config, false);
  if (json !== undefined) {
    try {
      return JSON.parse(json) as PolyverifyConfig;
    } catch {
      throw new ValidationError([{ field: ENV.config, message: 'is not valid JSON' }], CONTEXT, 'Invalid environment');
    }
  }
  const provider = read(ENV.provider, true);
  let config: Record<string, unknown> | undefined;
  const optional = (key: string, name: string) => {
    const value = read(name, false);
    return value === undefined ? {} : { [key]: value };
  };
  switch (provider) {
    case 'lox24':
      config = { provider, token: read(ENV.lox24.token, true), ...optional('secret', ENV.lox24.secret), ...optional('baseUrl', ENV.lox24.baseUrl) };
      break;
    case 'notificore': {
      const templateId = read(ENV.notificore.templateId, false);
      if (templateId !== undefined && !/^\d{1,9}$/.test(templateId)) problems.push({ field: ENV.notificore.templateId, message: 'must be 1 to 9 digits' });
      config = {
        provider,
        apiKey: read(ENV.notificore.apiKey, true),
        ...optional('sender', ENV.notificore.sender),
        ...optional('smsSender', ENV.notificore.smsSender),
        ...(templateId !== undefined && /^\d{1,9}$/.test(templateId) && { templateId: Number(templateId) }),
        ...optional('baseUrl', ENV.notificore.baseUrl),
      };
      break;
    }
    case 'messagebird': {
      const e = ENV.messagebird;
      const accessKey = read(e.accessKey, true);
      const workspaceId = read(e.workspaceId, true);
      const navigator = read(e.smsNavigatorId, false);
      const smsChannel = read(e.smsChannelId, false);
      const whatsapp = read(e.whatsappChannelId, false);
      const email = read(e.emailChannelId, false);
      const channels = {
        ...(navigator ? { sms: { navigatorId: navigator } } : smsChannel ? { sms: { channelId: smsChannel } } : {}),
        ...(whatsapp && { whatsapp: { channelId: whatsapp, template: { projectId: read(e.whatsappProjectId, true), version: read(e.whatsappVersion, true) } } }),
        ...(email && { email: { channelId: email } }),
      };
      if (Object.keys(channels).length === 0) problems.push({ field: e.smsNavigatorId, message: `is not set (nor ${e.smsChannelId}, ${e.whatsappChannelId}, ${e.emailChannelId}): Bird needs at least one channel` });
      config = { provider, accessKey, workspaceId, channels, ...optional('baseUrl', e.baseUrl) };
      break;
    }
    default:
      if (provider !== undefined) problems.push({ field: ENV.provider, message: "must be 'lox24', 'notificore' or 'messagebird'" });
  }
  if (problems.length) throw new ValidationError(problems, CONTEXT, 'Invalid environment');
  return config as unknown as ProviderConfig;
}

/**
 * Creates the provider the environment describes: `POLYVERIFY_CONFIG` (JSON: one config,
 * or an array tried in order), else `POLYVERIFY_PROVIDER` and that vendor's variables. A
 * missing variable is named in the error.
 *
 * @example
 * ```ts
 * const verify = await providerFromEnv(process.env); // POLYVERIFY_PROVIDER=notificore, NOTIFICORE_API_KEY=…
 * ```
 */
export async function providerFromEnv(env: EnvVars, runtime: RuntimeOptions = {}): Promise<VerifyProvider> {
  return createFromConfig(configFromEnv(env), runtime);
}
