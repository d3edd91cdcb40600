/**
 * Bird's (MessageBird's) configuration: its documented limits, its capabilities, the options
 * of the adapter and of a JSON config (one declaration for both, the channel map included),
 * its environment variables, and its vendor descriptor for `createProvider`.
 */
import type { ProviderOptions } from '../../src/provider.js';
import * as v from 'valibot';
import type { VendorDescriptor } from '../../src/adapter/vendor.js';
import type { FieldIssue } from '../../src/errors.js';
import type { Channel, ChannelStep } from '../../src/model.js';
import type { Bounds, Capabilities } from '../../src/provider.js';
import type { CommonConfig } from '../../src/config.js';
import { UUID, boundedInteger, channelStepSchema } from '../../src/validate.js';

/** Bird's production API (the `baseUrl` option points elsewhere: a simulator). */
export const MESSAGEBIRD_BASE_URL = 'https://api.bird.com';

/** Documented limits of the create body. */
export const MESSAGEBIRD_LIMITS: {
  /** Wrong codes allowed. */
  readonly maxAttempts: Bounds;
  /** The code's life, seconds. */
  readonly timeout: Bounds;
  /** Digits of the code. */
  readonly codeLength: Bounds;
} = {
  maxAttempts: { min: 1, max: 10, default: 3 },
  timeout: { min: 30, max: 3600, default: 600 },
  codeLength: { min: 6, max: 12, default: 6 },
};

/** Bird's `limit` of list pages: 1 to 100. */
export const MAX_MESSAGEBIRD_LIMIT = 100;

/** What the Bird adapter can do. */
export const MESSAGEBIRD_CAPABILITIES: Capabilities = {
  channels: ['sms', 'whatsapp', 'email'],
  recipients: ['phone', 'email'],
  codeOwner: 'vendor',
  customCode: false,
  codeLength: MESSAGEBIRD_LIMITS.codeLength,
  ttlSeconds: MESSAGEBIRD_LIMITS.timeout,
  maxAttempts: MESSAGEBIRD_LIMITS.maxAttempts,
  resend: true,
  failover: true,
  cancel: 'none',
  cost: false,
  reference: false,
  // The languages Bird generates SMS texts in (its Verify docs): Afrikaans, Arabic, German, English,
  // Spanish, French, Italian, Dutch, Polish, Portuguese, Russian, Turkish.
  languages: ['af', 'ar', 'de', 'en', 'es', 'fr', 'it', 'nl', 'pl', 'pt', 'ru', 'tr'],
  listFilters: { server: ['from', 'to'], client: ['status', 'channel', 'phone', 'reference', 'ids'] },
};

/** A template reference of a step (WhatsApp requires one; SMS takes none). */
export interface MessagebirdTemplate {
  /** The template project's id (UUID). */
  readonly projectId: string;
  /** The template version's id (UUID). */
  readonly version: string;
  /** The template's locale, where it has several. */
  readonly locale?: string;
  /** The template's name, for people reading the config. */
  readonly name?: string;
}

/** How one abstract channel is reached at Bird: a channel, or for SMS a navigator, with a template where needed. */
export type MessagebirdTarget = (
  | {
      /** A Bird channel's id (WhatsApp, e-mail, or SMS through one channel). */
      readonly channelId: string;
    }
  | {
      /** An SMS navigator's id (Bird picks the channel). */
      readonly navigatorId: string;
    }
) & {
  /** The template the step sends (WhatsApp requires one). */
  readonly template?: MessagebirdTemplate;
};

/** The channel map: abstract channel → Bird channel or navigator. */
export type MessagebirdChannelMap = Partial<Record<'sms' | 'whatsapp' | 'email', MessagebirdTarget>>;

export const uuid = (what: string) => v.pipe(v.string('must be a string'), v.regex(UUID, `must be ${what}`));
const templateSchema = v.strictObject({
  projectId: uuid('a project id (UUID)'),
  version: uuid('a template version id (UUID)'),
  locale: v.optional(v.string('must be a string')),
  name: v.optional(v.string('must be a string')),
});
const targetSchema = v.union(
  [
    v.strictObject({ channelId: uuid('a channel id (UUID)'), template: v.optional(templateSchema) }),
    v.strictObject({ navigatorId: uuid('a navigator id (UUID)'), template: v.optional(templateSchema) }),
  ],
  'must be { channelId } or { navigatorId }, with an optional template',
);

/** The Bird options a JSON config can hold (the adapter takes these and the functions besides). */
export const MESSAGEBIRD_OPTIONS = {
  accessKey: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  workspaceId: uuid('a UUID'),
  channels: v.pipe(
    v.strictObject({ sms: v.optional(targetSchema), whatsapp: v.optional(targetSchema), email: v.optional(targetSchema) }, 'maps sms, whatsapp and email only'),
    v.check((map) => Object.keys(map).length > 0, 'must map at least one channel'),
  ),
  defaultChannels: v.optional(v.pipe(v.array(channelStepSchema, 'must be an array of steps'), v.minLength(1, 'must have at least one step'))),
  listPageSize: v.optional(boundedInteger(1, MAX_MESSAGEBIRD_LIMIT)),
  listSortCap: v.optional(boundedInteger(1, 1_000_000)),
};

/**
 * A Bird (MessageBird) provider's config (JSON-friendly): the options of `messagebird()` that JSON can hold, each
 * documented once, on `MessagebirdOptions`; `test/principles/options.test.ts` holds them equal to the
 * schema that checks them (`MESSAGEBIRD_OPTIONS`).
 */
export interface MessagebirdConfig extends CommonConfig, Omit<MessagebirdOptions, keyof ProviderOptions> {
  /** Names the vendor: `'messagebird'`. */
  readonly provider: 'messagebird';
}

const ENV = {
  accessKey: 'BIRD_ACCESS_KEY',
  workspaceId: 'BIRD_WORKSPACE_ID',
  smsNavigatorId: 'BIRD_SMS_NAVIGATOR_ID',
  smsChannelId: 'BIRD_SMS_CHANNEL_ID',
  whatsappChannelId: 'BIRD_WHATSAPP_CHANNEL_ID',
  whatsappProjectId: 'BIRD_WHATSAPP_TEMPLATE_PROJECT_ID',
  whatsappVersion: 'BIRD_WHATSAPP_TEMPLATE_VERSION',
  emailChannelId: 'BIRD_EMAIL_CHANNEL_ID',
  baseUrl: 'MESSAGEBIRD_BASE_URL',
} as const;

/** Bird for `createProvider` and `providerFromEnv`. */
export const messagebirdVendor: VendorDescriptor = {
  name: 'messagebird',
  title: 'Bird',
  options: MESSAGEBIRD_OPTIONS,
  env: ENV,
  fromEnv: (read, problem) => {
    const accessKey = read(ENV.accessKey, true);
    const workspaceId = read(ENV.workspaceId, true);
    const navigator = read(ENV.smsNavigatorId);
    const smsChannel = read(ENV.smsChannelId);
    const whatsapp = read(ENV.whatsappChannelId);
    const email = read(ENV.emailChannelId);
    const channels = {
      ...(navigator ? { sms: { navigatorId: navigator } } : smsChannel ? { sms: { channelId: smsChannel } } : {}),
      ...(whatsapp && { whatsapp: { channelId: whatsapp, template: { projectId: read(ENV.whatsappProjectId, true), version: read(ENV.whatsappVersion, true) } } }),
      ...(email && { email: { channelId: email } }),
    };
    if (Object.keys(channels).length === 0) {
      problem({ field: ENV.smsNavigatorId, message: `is not set (nor ${ENV.smsChannelId}, ${ENV.whatsappChannelId}, ${ENV.emailChannelId}): Bird needs at least one channel` });
    }
    const baseUrl = read(ENV.baseUrl);
    return { accessKey, workspaceId, channels, ...(baseUrl !== undefined && { baseUrl }) };
  },
  create: async (config, runtime) => {
    const { messagebird } = await import('polyverify/messagebird');
    const { codeStore: _notUsed, store: _notUsedEither, ...rest } = runtime;
    return messagebird({ ...(config as Omit<MessagebirdConfig, 'provider'>), ...rest });
  },
};

/** Options of `messagebird()`. */
export interface MessagebirdOptions extends ProviderOptions {
  /** The access key (`Authorization: AccessKey <key>`). */
  readonly accessKey: string;
  /** The workspace (UUID). */
  readonly workspaceId: string;
  /**
   * How each abstract channel is reached: a channel id, or for SMS a navigator id, with the
   * template the channel needs (WhatsApp requires one).
   */
  readonly channels: MessagebirdChannelMap;
  /** Default plan; `[{ channel: 'sms' }]` when `channels.sms` is set, else the first mapped channel. */
  readonly defaultChannels?: readonly ChannelStep[];
  /** Bird `limit` of `list()` pages (100; 1–100). */
  readonly listPageSize?: number;
  /** Most verifications a Bird in no time order may have in one list window (10 000): they are read whole and sorted. */
  readonly listSortCap?: number;
}

/** What a channel map must hold beyond its shape (Bird's rules for each kind of channel). */
export function channelMapIssues(map: MessagebirdChannelMap): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (map.whatsapp && !map.whatsapp.template) issues.push({ field: 'channels.whatsapp.template', message: 'is required: Bird sends WhatsApp verifications with a template' });
  if (map.sms?.template) issues.push({ field: 'channels.sms.template', message: 'Bird generates SMS texts (set locale instead)' });
  for (const channel of ['whatsapp', 'email'] as const) {
    if (map[channel] && 'navigatorId' in map[channel]) issues.push({ field: `channels.${channel}`, message: 'navigators are for SMS; use a channelId' });
  }
  return issues;
}

/** The channel each configured Bird channel or navigator id stands for. */
export function channelsById(map: MessagebirdChannelMap): (id: string | null | undefined) => Channel | undefined {
  const byId = new Map<string, Channel>();
  for (const [channel, target] of Object.entries(map)) byId.set('channelId' in target ? target.channelId : target.navigatorId, channel as Channel);
  return (id) => (id ? byId.get(id) : undefined);
}
