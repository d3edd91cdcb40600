/**
 * The shell every adapter is built with. An adapter supplies what is vendor-specific (its
 * capabilities, its rules, its requests and mappings, how it reads a page); the shell does the
 * rest once for all: it parses call options, ids, codes and the `StartRequest`, checks a
 * request against the capabilities (recipients, channels, custom codes, ranges), rejects the
 * operations the capabilities exclude with one `UnsupportedError` before any request, turns
 * a check outcome into a `CheckResult`, builds the listing from the paging kit, and freezes
 * the provider with an `util.inspect` that shows no credential.
 */
import { INSPECT } from '../redact.js';
import * as v from 'valibot';
import { UnsupportedError, type FieldIssue, type Operation } from '../errors.js';
import type { ChannelStep, CheckResult, ListQuery, Page, PageQuery, StartRequest, Verification } from '../model.js';
import type { CallOptions, Capabilities, VerifyProvider } from '../provider.js';
import { codeSchema, invalid, throwIssues, parseCallOptions, parseCallOptionsOnce, parseId, parseInput, parseStartRequest, type ParseContext } from '../validate.js';
import { checkResult, type CheckOutcome } from './check.js';
import { paging, type PagingSpec } from './paging.js';
import { setCursorKey } from '../listing/cursor.js';
import { decideLocale } from '../locale.js';
import { begunFor, handBegun, setEarlyStarter, type EarlyWork } from '../early-start.js';
import { traceOperation, type TracedProvider } from '../tracing.js';

export { checkResult, type CheckOutcome } from './check.js';

/**
 * A start request after the shell's checks: the plan resolved, the extras parsed, and (for a
 * vendor with `capabilities.languages`) the language decided.
 */
export interface StartInput<Extras extends object> extends Omit<StartRequest<Extras>, 'channels' | 'vendor'> {
  /** The plan: the request's, or the adapter's default. */
  readonly channels: readonly ChannelStep[];
  /** The vendor extras, parsed by `extras.schema` (`{}` without). */
  readonly vendor: Extras;
}

/** Options of `resend` and `failover`. */
export type StepOptions = CallOptions & {
  /** The step of the plan to use, counting from 0. */
  readonly step?: number;
};

/** A start request turned into the vendor's body once: the vendor's rules it broke, or the body. */
export interface Prepared<Body> {
  /** Every vendor rule the request breaks (empty when it is fine). */
  readonly issues: readonly FieldIssue[];
  /** The vendor's request body, when there are no issues. */
  readonly body?: Body | undefined;
}

/** What an adapter supplies. */
export interface ProviderSpec<Extras extends object, Position, Body = undefined> {
  /** The vendor's name (`'lox24'`), shown by `util.inspect`. */
  readonly vendor: string;
  /** How messages name the vendor (`'LOX24'`). */
  readonly title: string;
  /** The instance's name. */
  readonly name: string;
  /** The host of the vendor's API (`api.lox24.eu`), for tracers (`server.address`); `setupVendor` gives it. */
  readonly serverAddress?: string;
  /** What the adapter can do; the shell checks requests against it. */
  readonly capabilities: Capabilities;
  /** The vendor's id format, and how a message names it (`'a LOX24 verify code id (UUID)'`). */
  readonly id: {
    /** What a valid id matches. */
    readonly pattern: RegExp;
    /** How a message names it. */
    readonly what: string;
  };
  /** A code as the vendor checks it; any 1 to 32 characters when absent. */
  readonly code?: {
    /** What a code the vendor accepts matches. */
    readonly pattern: RegExp;
    /** The `ValidationError` text for one that does not. */
    readonly message: string;
  };
  /** The schema of `StartRequest.vendor`, and what the vendor takes (for the message). */
  readonly extras?: {
    /** Parses `StartRequest.vendor`. */
    readonly schema: v.GenericSchema<unknown, Extras>;
    /** The `ValidationError` text when it does not parse. */
    readonly message: string;
  };
  /** The plan when a start request has none. */
  readonly defaultChannels: readonly ChannelStep[];
  /** The `defaultLocale` option: the language of starts without `locale` (see `decideLocale`). */
  readonly defaultLocale?: string;
  /** The vendor's own rules of a start request, every broken one as an issue (for a vendor whose body is built in `start`). */
  startIssues?(input: StartInput<Extras>): FieldIssue[];
  /**
   * Checks the vendor's own rules and builds the body in one step, once per start: `start` gets
   * the body when there is no issue (instead of `startIssues`, which it replaces).
   */
  prepare?(input: StartInput<Extras>): Prepared<Body>;
  /**
   * Begins what a start must do before it reaches the vendor and may do while a guard takes its
   * limits (LOX24: saving its code's hash), outside the `start` span (src/early-start.ts). `start`
   * gets it as `early` when a guard began it, and does it itself otherwise.
   */
  early?(input: StartInput<Extras>): EarlyWork;
  /** Starts a verification at the vendor (the request already checked; `body` from `prepare`; `early` from `early`, when a guard began it). */
  start(input: StartInput<Extras>, options: CallOptions | undefined, body: Body | undefined, early?: EarlyWork): Promise<Verification>;
  /** Checks a code (the id and code already checked). */
  check(id: string, code: string, options: CallOptions | undefined): Promise<CheckOutcome>;
  /** Reads one verification (the id already checked). */
  get(id: string, options: CallOptions | undefined): Promise<Verification>;
  /** Present when `capabilities.resend`. */
  resend?(id: string, options: StepOptions | undefined): Promise<Verification>;
  /** Present when `capabilities.failover`. */
  failover?(id: string, options: StepOptions | undefined): Promise<Verification>;
  /** Present unless `capabilities.cancel` is `'none'`. */
  cancel?(id: string, options: CallOptions | undefined): Promise<Verification>;
  /** Why an operation the capabilities exclude is missing (the `UnsupportedError` text). */
  readonly unsupported?: Partial<Record<'resend' | 'failover' | 'cancel', string>>;
  /** How the vendor pages. */
  readonly paging: PagingSpec<Position>;
  /** The key that signs this provider's cursors (`setupVendor` gives it as `shell.cursorKey`); a checksum without one. */
  readonly cursorKey?: Uint8Array;
  /** Vendor pages a walk may read without an item to give (`DEFAULT_MAX_LIST_PAGES`). */
  readonly maxListPages?: number;
}

function and(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The issues of a start request against the capabilities, in field order. */
function capabilityIssues(input: StartInput<object>, caps: Capabilities, title: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const phone = typeof input.to === 'string';
  if (!caps.recipients.includes(phone ? 'phone' : 'email')) {
    issues.push({ field: 'to', message: `${title} delivers to ${caps.recipients.includes('phone') ? 'phone numbers' : 'e-mail addresses'} only` });
  }
  const range = (field: string, value: number | undefined, { min, max }: { min: number; max: number }, unit = '') => {
    if (value !== undefined && (value < min || value > max)) issues.push({ field, message: `must be ${min} to ${max}${unit}` });
  };
  if (input.code !== undefined) {
    if (!caps.customCode) issues.push({ field: 'code', message: `${title} generates the code; a code of your own cannot be sent` });
    else range('code', input.code.length, caps.codeLength, ' characters');
  }
  range('codeLength', input.codeLength, caps.codeLength, ` for ${title}`);
  range('ttlSeconds', input.ttlSeconds, caps.ttlSeconds, ` for ${title}`);
  range('maxAttempts', input.maxAttempts, caps.maxAttempts, ` for ${title}`);
  input.channels.forEach((step, index) => {
    if (!caps.channels.includes(step.channel)) issues.push({ field: `channels.${index}.channel`, message: `${title} delivers on ${and(caps.channels)} only` });
  });
  return issues;
}

/**
 * Builds a provider from an adapter's spec.
 *
 * @example
 * ```ts
 * export function acme(options: AcmeOptions): VerifyProvider {
 *   return defineProvider({ vendor: 'acme', title: 'Acme', name: options.name ?? 'acme', capabilities, id, defaultChannels,
 *     start: (input, o) => …, check: (id, code, o) => …, get: (id, o) => …, paging: { read: … } });
 * }
 * ```
 */
export function defineProvider<Extras extends object = Record<string, never>, Position = unknown, Body = undefined>(spec: ProviderSpec<Extras, Position, Body>): VerifyProvider<Extras> {
  const { name, capabilities: caps } = spec;
  // Contexts are built once per operation, not per call (they are read only on errors).
  const contexts = new Map<string, ParseContext>();
  const ctx = (operation: Operation, summary?: string): ParseContext => {
    const key = summary === undefined ? operation : `${operation}\n${summary}`;
    let context = contexts.get(key);
    if (!context) contexts.set(key, (context = { provider: name, operation, ...(summary && { summary }) }));
    return context;
  };
  const ownPrefix = `${name}:`;
  /** The vendor's id: an id a composite of this one provider handed out (`lox24:…`) is accepted too, so every form of one config takes the same ids. */
  const checkedId = (id: unknown, operation: Operation): string => {
    const own = typeof id === 'string' && id.startsWith(ownPrefix) && !spec.id.pattern.test(id) ? id.slice(ownPrefix.length) : id;
    return parseId(own, spec.id.pattern, ctx(operation), spec.id.what);
  };
  const codeContext: ParseContext = { provider: name, operation: 'check', root: 'code' };
  /** The code of a check: the vendor's pattern, else polyverify's rule (a string of 1 to 32 characters; valibot words a refusal). */
  const checkCode = (code: unknown): void => {
    if (spec.code) {
      if (typeof code !== 'string' || !spec.code.pattern.test(code)) invalid([{ field: 'code', message: spec.code.message }], ctx('check'));
    } else if (typeof code !== 'string' || code.length === 0 || code.length > 32) {
      parseInput(codeSchema, code, codeContext);
    }
  };
  const unsupported = (operation: 'resend' | 'failover' | 'cancel'): Promise<never> =>
    Promise.reject(
      new UnsupportedError(`${name} ${operation}: ${spec.unsupported?.[operation] ?? `${spec.title} has no ${operation}`}`, { provider: name, operation, sent: 'no' }),
    );
  const has = { resend: caps.resend, failover: caps.failover, cancel: caps.cancel !== 'none' };
  const traced: TracedProvider = { provider: name, kind: 'vendor', vendor: spec.vendor, ...(spec.serverAddress && { serverAddress: spec.serverAddress }) };
  const listing = paging(spec.paging, { name, title: spec.title, kind: name, traced, ...(spec.cursorKey && { key: spec.cursorKey }), ...(spec.maxListPages && { maxPages: spec.maxListPages }) });
  const defaults = spec.defaultChannels.flatMap((step, index) =>
    caps.channels.includes(step.channel) ? [] : [{ field: `options.channels.${index}.channel`, message: `${spec.title} delivers on ${and(caps.channels)} only` }],
  );
  throwIssues(defaults, ctx('config', `Invalid ${spec.title} options`));

  async function call<T>(operation: 'get' | 'resend' | 'failover' | 'cancel', id: string, options: StepOptions | undefined, run: (id: string, options: StepOptions | undefined) => Promise<T>): Promise<T> {
    const parsed = parseCallOptions(options, ctx(operation));
    return run(checkedId(id, operation), parsed);
  }

  /** A start request checked against the shell's and the vendor's rules (a `ValidationError` naming every broken field). */
  function validStart(request: StartRequest<Extras>, callOptions: CallOptions | undefined): { input: StartInput<Extras>; options: CallOptions | undefined; body: Body | undefined } {
    const context = ctx('start', 'Invalid start request');
    const options = parseCallOptionsOnce(callOptions, context, false);
    const parsed = parseStartRequest(request, context, false) as StartRequest<Extras>;
    const extras = spec.extras ? v.safeParse(spec.extras.schema, parsed.vendor ?? {}) : undefined;
    // One language rule for every vendor that lets us choose (docs/languages.md); a template vendor keeps the locale as given.
    const locale = caps.languages ? decideLocale({ requested: parsed.locale, fallback: spec.defaultLocale, to: parsed.to }, caps.languages) : parsed.locale;
    const input = { ...parsed, locale, channels: parsed.channels ?? spec.defaultChannels, vendor: (extras?.success ? extras.output : {}) as Extras } as StartInput<Extras>;
    const prepared = spec.prepare?.(input);
    const issues = [...capabilityIssues(input, caps, spec.title), ...(prepared ? prepared.issues : (spec.startIssues?.(input) ?? []))];
    if (extras ? !extras.success : parsed.vendor !== undefined && Object.keys(parsed.vendor).length > 0) {
      issues.push({ field: 'vendor', message: spec.extras?.message ?? `${spec.title} takes no vendor extras` });
    }
    throwIssues(issues, context);
    return { input, options, body: prepared?.body };
  }

  const provider: VerifyProvider<Extras> = {
    name,
    capabilities: caps,

    start: traceOperation('start', traced, async (request: StartRequest<Extras>, callOptions?: CallOptions): Promise<Verification> => {
      const begun = begunFor(callOptions, request);
      if (begun) return spec.start(begun.input as StartInput<Extras>, callOptions, begun.body as Body | undefined, begun.work);
      const { input, options, body } = validStart(request, callOptions);
      return spec.start(input, options, body);
    }),

    check: traceOperation('check', traced, (id: string, code: string, callOptions?: CallOptions): Promise<CheckResult> => {
      // Not async: one promise less between the store's answer and the caller.
      try {
        const options = parseCallOptions(callOptions, ctx('check'));
        const vendorId = checkedId(id, 'check');
        checkCode(code);
        return spec.check(vendorId, code, options).then(checkResult);
      } catch (error) {
        return Promise.reject(error);
      }
    }),

    get: traceOperation('get', traced, (id: string, options?: CallOptions) => call('get', id, options, (i, o) => spec.get(i, o))),
    resend: traceOperation('resend', traced, (id: string, options?: StepOptions) => (has.resend && spec.resend ? call('resend', id, options, spec.resend) : unsupported('resend'))),
    failover: traceOperation('failover', traced, (id: string, options?: StepOptions) => (has.failover && spec.failover ? call('failover', id, options, spec.failover) : unsupported('failover'))),
    cancel: traceOperation('cancel', traced, (id: string, options?: CallOptions) => (has.cancel && spec.cancel ? call('cancel', id, options, spec.cancel) : unsupported('cancel'))),

    list: (query?: ListQuery, options?: CallOptions): AsyncIterable<Verification> => listing.list(query, options),
    listPage: (query?: PageQuery, options?: CallOptions): Promise<Page<Verification>> => listing.listPage(query, options),
    pages: (query?: ListQuery, options?: CallOptions): AsyncIterable<readonly Verification[]> => listing.pages(query, options),
  };
  Object.defineProperty(provider, INSPECT, { value: () => `VerifyProvider { name: '${name}', vendor: '${spec.vendor}' }` });
  if (spec.cursorKey) setCursorKey(provider, spec.cursorKey);
  const { early } = spec;
  if (early) {
    setEarlyStarter(provider, (request, callOptions) => {
      let valid: ReturnType<typeof validStart>;
      let work: EarlyWork;
      try {
        valid = validStart(request as StartRequest<Extras>, callOptions);
        work = early(valid.input);
      } catch {
        return undefined; // `start` throws it, in its span, as without a guard
      }
      return handBegun(valid.options, { request, input: valid.input, body: valid.body, work });
    });
  }
  return Object.freeze(provider);
}
