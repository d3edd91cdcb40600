/**
 * LOX24's configuration: what polyverify allows for LOX24 (its capabilities), the options of
 * the adapter and of a JSON config (one declaration for both), its environment variables,
 * and its vendor descriptor for `createProvider`.
 */
import type { CodeStore } from '../../src/codes/store.js';
import type { ProviderOptions } from '../../src/provider.js';
import * as v from 'valibot';
import type { VendorDescriptor } from '../../src/adapter/vendor.js';
import type { ChannelStep } from '../../src/model.js';
import type { Capabilities } from '../../src/provider.js';
import type { CommonConfig } from '../../src/config.js';
import { boundedInteger, channelStepSchema } from '../../src/validate.js';

/** LOX24's production API (the `baseUrl` option points elsewhere: a simulator). */
export const LOX24_BASE_URL = 'https://api.lox24.eu';

/** What polyverify allows for LOX24 (LOX24's documented limits, and the local ones of owned codes). */
export const LOX24_CAPABILITIES: Capabilities = {
  channels: ['telegram', 'voice', 'sms'],
  recipients: ['phone'],
  codeOwner: 'library',
  customCode: true,
  codeLength: { min: 4, max: 8, default: 6 },
  ttlSeconds: { min: 30, max: 86_400, default: 600 },
  maxAttempts: { min: 1, max: 20, default: 5 },
  resend: false,
  failover: false,
  cancel: 'local',
  cost: true,
  reference: true,
  // LOX24_LANGS in lower case: the languages of LOX24's default templates.
  languages: ['en', 'de', 'fr', 'it', 'es', 'pl', 'nl', 'ro', 'pt', 'cs', 'hu', 'sv', 'da', 'fi', 'sk', 'hr', 'tr', 'ru', 'bg', 'uk'],
  listFilters: { server: [], client: ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'] },
};

const caps = LOX24_CAPABILITIES;

/** The LOX24 options a JSON config can hold (the adapter takes these and the functions besides). */
export const LOX24_OPTIONS = {
  token: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  secret: v.optional(v.pipe(v.string('must be a string'), v.minLength(16, 'must be at least 16 characters'))),
  ttlSeconds: v.optional(boundedInteger(caps.ttlSeconds.min, caps.ttlSeconds.max)),
  maxAttempts: v.optional(boundedInteger(caps.maxAttempts.min, caps.maxAttempts.max)),
  codeLength: v.optional(boundedInteger(caps.codeLength.min, caps.codeLength.max)),
  deleteCodeAfterSend: v.optional(v.boolean('must be true or false')),
  channels: v.optional(v.pipe(v.array(channelStepSchema, 'must be an array of steps'), v.minLength(1, 'must have at least one step'))),
  listOrder: v.optional(v.picklist(['detect', 'desc', 'asc', 'unordered'], 'must be detect, desc, asc or unordered')),
  listSortCap: v.optional(boundedInteger(1, 1_000_000)),
};

/**
 * A LOX24 provider's config (JSON-friendly): the options of `lox24()` that JSON can hold, each
 * documented once, on `Lox24Options`; `test/principles/options.test.ts` holds them equal to the
 * schema that checks them (`LOX24_OPTIONS`).
 */
export interface Lox24Config extends CommonConfig, Omit<Lox24Options, keyof ProviderOptions | 'codeStore' | 'now'> {
  /** Names the vendor: `'lox24'`. */
  readonly provider: 'lox24';
}

/** LOX24 for `createProvider` and `providerFromEnv`. */
export const lox24Vendor: VendorDescriptor = {
  name: 'lox24',
  title: 'LOX24',
  options: LOX24_OPTIONS,
  env: { token: 'LOX24_TOKEN', secret: 'POLYVERIFY_SECRET', baseUrl: 'LOX24_BASE_URL' },
  fromEnv: (read) => {
    const secret = read('POLYVERIFY_SECRET');
    const baseUrl = read('LOX24_BASE_URL');
    return { token: read('LOX24_TOKEN', true), ...(secret !== undefined && { secret }), ...(baseUrl !== undefined && { baseUrl }) };
  },
  create: async (config, runtime) => {
    const { lox24 } = await import('polyverify/lox24');
    const { store, ...rest } = runtime;
    return lox24({ ...(config as Omit<Lox24Config, 'provider'>), ...(store && { codeStore: store }), ...rest });
  },
};

/** Options of `lox24()`. */
export interface Lox24Options extends ProviderOptions {
  /** The `X-LOX24-AUTH-TOKEN` value (`clientId:apiKey` or a newer token). */
  readonly token: string;
  /**
   * HMAC secret for code hashes, at least 16 characters; the same in every process that
   * checks codes. Without one, a random per-process secret is used and a warning is given.
   */
  readonly secret?: string;
  /** Where code hashes live; a `MemoryCodeStore` of this process by default. */
  readonly codeStore?: CodeStore;
  /** Default code lifetime (600 s). */
  readonly ttlSeconds?: number;
  /** Default wrong-code limit (5). */
  readonly maxAttempts?: number;
  /** Default length of generated codes (6). */
  readonly codeLength?: number;
  /** Ask LOX24 to wipe the code after sending (`is_code_deleted`); default `true`: polyverify keeps only the hash. */
  readonly deleteCodeAfterSend?: boolean;
  /** Default channel plan (`[{ channel: 'sms' }]`). */
  readonly channels?: readonly ChannelStep[];
  /** How LOX24 orders `/verify_codes`: `detect` (default) finds out from the answers; `desc`, `asc` or `unordered` pin it. */
  readonly listOrder?: 'detect' | 'desc' | 'asc' | 'unordered';
  /** Most verify codes an unordered LOX24 may have in one list window (10 000): they are read whole and sorted in memory. */
  readonly listSortCap?: number;
  /** The clock, epoch milliseconds; for tests. */
  readonly now?: () => number;
}

/** LOX24-only extras of `start()`, passed as `vendor`. */
export interface Lox24StartExtras {
  /** Overrides the adapter's `deleteCodeAfterSend` for this verification. */
  readonly deleteCodeAfterSend?: boolean;
}

/** The schema of `StartRequest.vendor`, and the refusal's text. */
export const LOX24_EXTRAS = { schema: v.strictObject({ deleteCodeAfterSend: v.optional(v.boolean()) }), message: 'LOX24 takes deleteCodeAfterSend only' };

/** The factory's options: the config's, and the functions and stores only code can give. */
export const LOX24_FACTORY_OPTIONS = { ...LOX24_OPTIONS, codeStore: v.optional(v.looseObject({})), now: v.optional(v.function('must be a function')) };
