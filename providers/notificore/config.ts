/**
 * Notificore's configuration: its documented limits and polyverify's defaults, its
 * capabilities, the options of the adapter and of a JSON config (one declaration for both),
 * its environment variables, and its vendor descriptor for `createProvider`.
 */
import type { ProviderOptions } from '../../src/provider.js';
import type { TriesStore } from '../../src/codes/tries.js';
import * as v from 'valibot';
import type { VendorDescriptor } from '../../src/adapter/vendor.js';
import type { ChannelStep } from '../../src/model.js';
import type { Capabilities, Range } from '../../src/provider.js';
import type { CommonConfig } from '../../src/config.js';
import { boundedInteger, channelStepSchema } from '../../src/validate.js';

/** Notificore's production API (the `baseUrl` option points elsewhere: a simulator). */
export const NOTIFICORE_BASE_URL = 'https://one-api.notificore.ru';

/** Documented limits of `SendOtpRequest`. */
export const NOTIFICORE_LIMITS: {
  /** Digits of the recipient's number. */
  readonly recipientDigits: Range;
  /** Digits of the code. */
  readonly codeDigits: Range;
  /** The code's life, seconds. */
  readonly codeLifetime: Range;
  /** Wrong codes allowed. */
  readonly codeMaxTries: Range;
  /** The template id. */
  readonly templateId: Range;
  /** Longest alphanumeric sender. */
  readonly senderAlpha: number;
  /** Longest numeric sender. */
  readonly senderNumeric: number;
} = {
  recipientDigits: { min: 9, max: 15 },
  codeDigits: { min: 3, max: 9 },
  codeLifetime: { min: 30, max: 300 },
  codeMaxTries: { min: 1, max: 5 },
  templateId: { min: 1, max: 999_999_999 },
  senderAlpha: 11,
  senderNumeric: 15,
};

/**
 * Sent when the caller leaves them out (Notificore has no defaults; all are required):
 * 6 digits, the longest lifetime (300 s), 3 tries as in the spec's examples.
 */
export const NOTIFICORE_DEFAULTS: {
  /** Digits of the code. */
  readonly codeDigits: number;
  /** The code's life, seconds. */
  readonly codeLifetime: number;
  /** Wrong codes allowed. */
  readonly codeMaxTries: number;
} = { codeDigits: 6, codeLifetime: 300, codeMaxTries: 3 };

/** What the Notificore adapter can do. */
export const NOTIFICORE_CAPABILITIES: Capabilities = {
  channels: ['sms', 'viber'],
  recipients: ['phone'],
  codeOwner: 'vendor',
  customCode: false,
  codeLength: { ...NOTIFICORE_LIMITS.codeDigits, default: NOTIFICORE_DEFAULTS.codeDigits },
  ttlSeconds: { ...NOTIFICORE_LIMITS.codeLifetime, default: NOTIFICORE_DEFAULTS.codeLifetime },
  maxAttempts: { ...NOTIFICORE_LIMITS.codeMaxTries, default: NOTIFICORE_DEFAULTS.codeMaxTries },
  resend: true,
  failover: false,
  cancel: 'vendor',
  cost: true,
  reference: false,
  // from/to go to Notificore by day and are refined here; status, ids and reference are applied
  // here (see providers/notificore/paging.ts for why).
  listFilters: { server: ['from', 'to', 'channel', 'phone'], client: ['from', 'to', 'status', 'ids', 'reference'] },
};

const sender = v.optional(v.pipe(v.string('must be a string'), v.minLength(3, 'must be at least 3 characters'), v.maxLength(15, 'must be at most 15 characters')));

/** The Notificore options a JSON config can hold (the adapter takes these and the functions besides). */
export const NOTIFICORE_OPTIONS = {
  apiKey: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  sender,
  smsSender: sender,
  templateId: v.optional(boundedInteger(NOTIFICORE_LIMITS.templateId.min, NOTIFICORE_LIMITS.templateId.max)),
  channels: v.optional(v.pipe(v.array(channelStepSchema, 'must be an array of steps'), v.minLength(1, 'must have at least one step'))),
  listWindowDays: v.optional(boundedInteger(1, 3660)),
  listPageSize: v.optional(boundedInteger(10, 500)),
  listPrefetch: v.optional(boundedInteger(0, 8)),
};

/**
 * A Notificore provider's config (JSON-friendly): the options of `notificore()` that JSON can hold, each
 * documented once, on `NotificoreOptions`; `test/principles/options.test.ts` holds them equal to the
 * schema that checks them (`NOTIFICORE_OPTIONS`).
 */
export interface NotificoreConfig extends CommonConfig, Omit<NotificoreOptions, keyof ProviderOptions | 'triesStore' | 'now'> {
  /** Names the vendor: `'notificore'`. */
  readonly provider: 'notificore';
}

/** Notificore for `createProvider` and `providerFromEnv`. */
export const notificoreVendor: VendorDescriptor = {
  name: 'notificore',
  title: 'Notificore',
  options: NOTIFICORE_OPTIONS,
  env: { apiKey: 'NOTIFICORE_API_KEY', sender: 'NOTIFICORE_SENDER', smsSender: 'NOTIFICORE_SMS_SENDER', templateId: 'NOTIFICORE_TEMPLATE_ID', baseUrl: 'NOTIFICORE_BASE_URL' },
  fromEnv: (read, problem) => {
    const templateId = read('NOTIFICORE_TEMPLATE_ID');
    const digits = templateId !== undefined && /^\d{1,9}$/.test(templateId);
    if (templateId !== undefined && !digits) problem({ field: 'NOTIFICORE_TEMPLATE_ID', message: 'must be 1 to 9 digits' });
    const optional = (key: string, variable: string) => {
      const value = read(variable);
      return value === undefined ? {} : { [key]: value };
    };
    return {
      apiKey: read('NOTIFICORE_API_KEY', true),
      ...optional('sender', 'NOTIFICORE_SENDER'),
      ...optional('smsSender', 'NOTIFICORE_SMS_SENDER'),
      ...(digits && { templateId: Number(templateId) }),
      ...optional('baseUrl', 'NOTIFICORE_BASE_URL'),
    };
  },
  create: async (config, runtime) => {
    const { notificore } = await import('polyverify/notificore');
    const { codeStore: _notUsed, store, ...rest } = runtime;
    return notificore({ ...(config as Omit<NotificoreConfig, 'provider'>), ...rest, ...(store && { triesStore: store }) });
  },
};

/** Options of `notificore()`. */
export interface NotificoreOptions extends ProviderOptions {
  /** The live or test API key; exchanged for a JWT at `/api/auth/login`. */
  readonly apiKey: string;
  /** Default sender name (alphanumeric 3–11 or numeric 3–15), unless a step gives one. */
  readonly sender?: string;
  /** Default SMS sender of the Viber→SMS fallback (`sender_alt`); `sender` when unset. */
  readonly smsSender?: string;
  /** Default id of an approved message template (contains `{code2fa}`). */
  readonly templateId?: number;
  /** Default channel plan (`[{ channel: 'sms' }]`). */
  readonly channels?: readonly ChannelStep[];
  /** Days listed back from today when a list query has no `from` (90). */
  readonly listWindowDays?: number;
  /** `page[limit]` of `list()` pages (100; 10–500). */
  readonly listPageSize?: number;
  /** Pages `list()` fetches ahead, concurrently, once `total` is known (2). */
  readonly listPrefetch?: number;
  /**
   * Where wrong-code counts live (Notificore does not report how many tries are left): a
   * `MemoryTriesStore` of this process by default; a `RedisCodeStore` (`polyverify/redis`)
   * shares them, so `attemptsRemaining` is right whichever instance checks.
   */
  readonly triesStore?: TriesStore;
  /** The clock, epoch milliseconds; for tests. */
  readonly now?: () => number;
}

/** Notificore-only extras of `start()`, passed as `vendor`. */
export interface NotificoreStartExtras {
  /** An approved template other than the adapter's `templateId`. */
  readonly templateId?: number;
  /** A sender other than the adapter's `sender`. */
  readonly sender?: string;
}

/** The schema of `StartRequest.vendor`, and the refusal's text. */
export const NOTIFICORE_EXTRAS = {
  schema: v.strictObject({ templateId: NOTIFICORE_OPTIONS.templateId, sender: v.optional(v.string()) }),
  message: 'Notificore takes templateId and sender only',
};

/** The factory's options: the config's, and the functions and stores only code can give. */
export const NOTIFICORE_FACTORY_OPTIONS = { ...NOTIFICORE_OPTIONS, triesStore: v.optional(v.looseObject({})), now: v.optional(v.function('must be a function')) };
