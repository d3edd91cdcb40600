/**
 * Twilio Verify's configuration: its documented limits, its capabilities, the options of the
 * adapter and of a JSON config (one declaration for both), its environment variables, and its
 * vendor descriptor for `createProvider`.
 */
import * as v from 'valibot';
import type { TriesStore } from '../../src/codes/tries.js';
import type { CommonConfig } from '../../src/config.js';
import type { VendorDescriptor } from '../../src/adapter/vendor.js';
import type { ChannelStep } from '../../src/model.js';
import type { Bounds, Capabilities, ProviderOptions } from '../../src/provider.js';
import { boundedInteger, channelStepSchema } from '../../src/validate.js';

/** Twilio Verify's production API (the `baseUrl` option points elsewhere: a simulator, a mock). */
export const TWILIO_BASE_URL = 'https://verify.twilio.com';

/** Twilio's fixed rules of a verification (its error pages 60202, 60203 and the Verification resource). */
export const TWILIO_LIMITS: {
  /** Wrong codes checked before Twilio answers 60202 (fixed: "Max (5) verification check attempts"). */
  readonly maxAttempts: Bounds;
  /** A verification's life, seconds (fixed: "expire (10 minutes)"). */
  readonly lifeSeconds: Bounds;
  /** Characters of a code: the Service's code length, and a `CustomCode` ("between 4 and 10 characters"). */
  readonly codeLength: Bounds;
  /** Sends of one verification (the create and its repeats) before Twilio answers 60203. */
  readonly sends: number;
} = {
  maxAttempts: { min: 5, max: 5, default: 5 },
  lifeSeconds: { min: 600, max: 600, default: 600 },
  codeLength: { min: 4, max: 10, default: 6 },
  sends: 5,
};

/** `PageSize` of the Attempts list: 1 to 1000. */
export const MAX_TWILIO_PAGE_SIZE = 1000;

/**
 * The languages of Twilio's Verify default template (twilio.com/docs/verify/supported-languages),
 * as polyverify's rule reduces to them (lower case; `pt-br`, `zh-cn`, `zh-hk`, `en-gb` are Twilio's
 * regional tags, sent as `pt-BR`, …).
 */
export const TWILIO_LANGUAGES: readonly string[] = [
  'af', 'ar', 'ca', 'zh', 'zh-cn', 'zh-hk', 'hr', 'cs', 'da', 'nl', 'en', 'en-gb', 'et', 'fi', 'fr', 'de', 'el', 'he', 'hi', 'hu', 'id', 'it', 'ja', 'kn', 'ko', 'lt', 'ms',
  'mr', 'nb', 'pl', 'pt', 'pt-br', 'ro', 'ru', 'sk', 'es', 'sv', 'tl', 'te', 'th', 'tr', 'uk', 'vi',
];

/** What the Twilio adapter can do (`customCode` as the `customCode` option says). */
export function twilioCapabilities(customCode: boolean): Capabilities {
  return {
    channels: ['sms', 'voice', 'whatsapp', 'email'],
    recipients: ['phone', 'email'],
    codeOwner: 'vendor',
    customCode,
    codeLength: TWILIO_LIMITS.codeLength,
    ttlSeconds: TWILIO_LIMITS.lifeSeconds,
    maxAttempts: TWILIO_LIMITS.maxAttempts,
    resend: true,
    // Twilio keeps no channel plan: another channel is a new start to the same recipient (docs/twilio.md).
    failover: false,
    cancel: 'vendor',
    cost: true,
    reference: false,
    languages: TWILIO_LANGUAGES,
    listFilters: { server: ['from', 'to', 'phone'], client: ['status', 'channel', 'reference', 'ids'] },
  };
}

const sid = (prefix: string, what: string) => v.pipe(v.string('must be a string'), v.regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be ${what} (${prefix} and 32 hex digits)`));
const secret = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));

/** The Twilio options a JSON config can hold (the adapter takes these and the functions besides). */
export const TWILIO_OPTIONS = {
  accountSid: v.optional(sid('AC', 'an Account SID')),
  authToken: v.optional(secret),
  apiKeySid: v.optional(sid('SK', 'an API Key SID')),
  apiKeySecret: v.optional(secret),
  serviceSid: sid('VA', 'a Verify Service SID'),
  customCode: v.optional(v.boolean('must be true or false')),
  channels: v.optional(v.pipe(v.array(channelStepSchema, 'must be an array of steps'), v.length(1, 'must have exactly one step: Twilio sends on one channel'))),
  listPageSize: v.optional(boundedInteger(1, MAX_TWILIO_PAGE_SIZE)),
  listMaxAttempts: v.optional(boundedInteger(1_000, 1_000_000)),
};

/**
 * A Twilio provider's config (JSON-friendly): the options of `twilio()` that JSON can hold, each
 * documented once, on `TwilioOptions`; `test/principles/options.test.ts` holds them equal to the
 * schema that checks them (`TWILIO_OPTIONS`).
 */
export interface TwilioConfig extends CommonConfig, Omit<TwilioOptions, keyof ProviderOptions | 'triesStore' | 'now'> {
  /** Names the vendor: `'twilio'`. */
  readonly provider: 'twilio';
}

const ENV = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  apiKeySid: 'TWILIO_API_KEY',
  apiKeySecret: 'TWILIO_API_SECRET',
  serviceSid: 'TWILIO_VERIFY_SERVICE_SID',
  baseUrl: 'TWILIO_BASE_URL',
} as const;

/** Twilio for `createProvider` and `providerFromEnv`. */
export const twilioVendor: VendorDescriptor = {
  name: 'twilio',
  title: 'Twilio',
  options: TWILIO_OPTIONS,
  env: ENV,
  fromEnv: (read, problem) => {
    const apiKeySid = read(ENV.apiKeySid);
    const pair = apiKeySid === undefined ? { accountSid: read(ENV.accountSid, true), authToken: read(ENV.authToken, true) } : { apiKeySid, apiKeySecret: read(ENV.apiKeySecret, true) };
    if (apiKeySid !== undefined && read(ENV.authToken) !== undefined) problem({ field: ENV.authToken, message: `is set as well as ${ENV.apiKeySid}: give one pair of credentials` });
    const baseUrl = read(ENV.baseUrl);
    return { ...pair, serviceSid: read(ENV.serviceSid, true), ...(baseUrl !== undefined && { baseUrl }) };
  },
  create: async (config, runtime) => {
    const { twilio } = await import('polyverify/twilio');
    const { codeStore: _notUsed, store, ...rest } = runtime;
    return twilio({ ...(config as Omit<TwilioConfig, 'provider'>), ...rest, ...(store && { triesStore: store }) });
  },
};

/** Options of `twilio()`: one pair of credentials (Account SID + Auth Token, or API Key SID + secret) and the Verify Service. */
export interface TwilioOptions extends ProviderOptions {
  /** The Account SID (`AC…`), with `authToken`. */
  readonly accountSid?: string;
  /** The Auth Token, with `accountSid`. */
  readonly authToken?: string;
  /** An API Key SID (`SK…`), with `apiKeySecret` (instead of the Account SID and Auth Token). */
  readonly apiKeySid?: string;
  /** The API Key's secret, with `apiKeySid`. */
  readonly apiKeySecret?: string;
  /** The Verify Service (`VA…`) whose verifications this provider starts, checks and lists. */
  readonly serviceSid: string;
  /** The Service may send codes of your own (`CustomCode`: Twilio enables it per account on request); `false` by default. */
  readonly customCode?: boolean;
  /** Default plan: one step (`[{ channel: 'sms' }]`). Twilio sends on one channel per start. */
  readonly channels?: readonly ChannelStep[];
  /** `PageSize` of the Attempts list (1000; 1–1000). */
  readonly listPageSize?: number;
  /** Most delivery attempts one time slice of a list may hold before the slice is halved (50 000). */
  readonly listMaxAttempts?: number;
  /**
   * Where wrong-code counts live (Twilio does not say how many checks are left, nor why a
   * verification it deleted ended): a `MemoryTriesStore` of this process by default; a
   * `RedisCodeStore` (`polyverify/redis`) shares them between instances.
   */
  readonly triesStore?: TriesStore;
  /** The clock, epoch milliseconds; for tests. */
  readonly now?: () => number;
}

/** Twilio-only extras of `start()`, passed as `vendor`. */
export interface TwilioStartExtras {
  /** `CustomFriendlyName`: the name in the message instead of the Service's. */
  readonly friendlyName?: string;
  /** `TemplateSid` (`HJ…`): a template other than the Service's default (SMS and voice). */
  readonly templateSid?: string;
  /** `AppHash`: the Android SMS Retriever hash appended to the SMS. */
  readonly appHash?: string;
}

/** The schema of `StartRequest.vendor`, and the refusal's text. */
export const TWILIO_EXTRAS = {
  schema: v.strictObject({
    friendlyName: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(30))),
    templateSid: v.optional(v.pipe(v.string(), v.regex(/^HJ[0-9a-fA-F]{32}$/))),
    appHash: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{11}$/))),
  }),
  message: 'Twilio takes friendlyName (1–30 characters), templateSid (HJ…) and appHash (11 characters) only',
};

/** The factory's options: the config's, and the functions and stores only code can give. */
export const TWILIO_FACTORY_OPTIONS = { ...TWILIO_OPTIONS, triesStore: v.optional(v.looseObject({})), now: v.optional(v.function('must be a function')) };

/** The credential pairs' rule: exactly one of them, whole. */
export function credentialIssues(o: Pick<TwilioOptions, 'accountSid' | 'authToken' | 'apiKeySid' | 'apiKeySecret'>): { field: string; message: string }[] {
  const token = o.accountSid !== undefined || o.authToken !== undefined;
  const key = o.apiKeySid !== undefined || o.apiKeySecret !== undefined;
  if (token && key) return [{ field: 'apiKeySid', message: 'give one pair of credentials: accountSid + authToken, or apiKeySid + apiKeySecret' }];
  if (key) {
    if (o.apiKeySid === undefined) return [{ field: 'apiKeySid', message: 'is required with apiKeySecret' }];
    if (o.apiKeySecret === undefined) return [{ field: 'apiKeySecret', message: 'is required with apiKeySid' }];
    return [];
  }
  if (o.accountSid === undefined) return [{ field: 'accountSid', message: 'is required (with authToken), or give apiKeySid + apiKeySecret' }];
  if (o.authToken === undefined) return [{ field: 'authToken', message: 'is required with accountSid' }];
  return [];
}
