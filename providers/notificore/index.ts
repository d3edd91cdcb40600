/**
 * The Notificore adapter: 2FA `authentications` of Notificore's One-API at
 * https://one-api.notificore.ru. Notificore owns the code: it generates and checks it.
 *
 * @example
 * ```ts
 * import { notificore } from 'polyverify/notificore';
 * const verify = notificore({ apiKey: process.env.NOTIFICORE_API_KEY!, sender: 'MyApp', templateId: 12 });
 * const v = await verify.start({ to: '+61401629754', channels: [{ channel: 'viber' }, { channel: 'sms', sender: 'MyAppSMS' }] });
 * const r = await verify.check(v.id, '76928');
 * ```
 * @module
 */
import { inspect } from 'node:util';
import * as v from 'valibot';
import { AuthenticationError, InvalidResponseError, UnsupportedError, type Operation } from '../../src/errors.js';
import { emit } from '../../src/events.js';
import { HttpClient, type HttpCall, type HttpResult } from '../../src/http.js';
import { itemsOf, pageFrom, pagesOf, type Listed } from '../../src/adapter/paging.js';
import { decodeCursor } from '../../src/listing/cursor.js';
import { matchesQuery } from '../../src/listing/filters.js';
import type { ChannelStep, CheckResult, ListFilter, ListQuery, Page, PageQuery, StartRequest, Verification } from '../../src/model.js';
import type { CallOptions, Capabilities, ProviderOptions, VerifyProvider } from '../../src/provider.js';
import { Redactor } from '../../src/redact.js';
import {
  boundedInteger,
  channelStepSchema,
  instanceName,
  invalid,
  parseCallOptions,
  parseId,
  parseInput,
  parseListQuery,
  providerOptionEntries,
  startRequestSchema,
  type ParseContext,
} from '../../src/validate.js';
import { TokenKeeper } from './auth.js';
import { NOTIFICORE_DEFAULTS, NOTIFICORE_LIMITS, checkOutcome, toCreateBody, toNotificoreError, toVerification } from './map.js';
import { TriesCounter } from './tries.js';
import { authenticationSchema, listSchema, singleSchema, type NotificoreAuthentication } from './wire.js';

export { CHECK_OUTCOMES, DELIVERY_STATUS, NOTIFICORE_DEFAULTS, NOTIFICORE_LIMITS, VERIFICATION_STATUS, parseDate } from './map.js';
export { NOTIFICORE_CHANNELS, type NotificoreChannel, type NotificoreCreateBody, type NotificoreVerifyBody } from './wire.js';

/** Notificore's production One-API. */
export const NOTIFICORE_BASE_URL = 'https://one-api.notificore.ru';

/** Options of {@link notificore}. */
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

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ACCESS_CODE = /^\d{3,9}$/;
const SERVER_FILTERS: readonly ListFilter[] = ['from', 'to', 'status', 'channel', 'phone', 'ids'];
const ALL_FILTERS: readonly ListFilter[] = ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'];
const MAX_SERVER_IDS = 3;
const DEFAULT_PAGE_LIMIT = 25;
const DAY_MS = 86_400_000;

export const NOTIFICORE_CAPABILITIES: Capabilities = {
  channels: ['sms', 'viber'],
  recipients: ['phone'],
  codeOwner: 'vendor',
  customCode: false,
  codeLength: { min: 3, max: 9, default: NOTIFICORE_DEFAULTS.codeDigits },
  ttlSeconds: { min: 30, max: 300, default: NOTIFICORE_DEFAULTS.codeLifetime },
  maxAttempts: { min: 1, max: 5, default: NOTIFICORE_DEFAULTS.codeMaxTries },
  resend: true,
  failover: false,
  cancel: 'vendor',
  cost: true,
  reference: false,
  // from/to go to Notificore by day and are refined here; more than 3 ids, and reference, are client-side.
  listFilters: { server: SERVER_FILTERS, client: ['from', 'to', 'ids', 'reference'] },
};

const optionsSchema = v.looseObject({
  apiKey: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  sender: v.optional(v.pipe(v.string('must be a string'), v.minLength(3, 'must be at least 3 characters'), v.maxLength(15, 'must be at most 15 characters'))),
  smsSender: v.optional(v.pipe(v.string('must be a string'), v.minLength(3, 'must be at least 3 characters'), v.maxLength(15, 'must be at most 15 characters'))),
  templateId: v.optional(boundedInteger(NOTIFICORE_LIMITS.templateId.min, NOTIFICORE_LIMITS.templateId.max)),
  channels: v.optional(v.pipe(v.array(channelStepSchema), v.minLength(1, 'must have at least one step'))),
  ...providerOptionEntries,
  listWindowDays: v.optional(boundedInteger(1, 3660)),
  listPageSize: v.optional(boundedInteger(10, 500)),
  listPrefetch: v.optional(boundedInteger(0, 8)),
  now: v.optional(v.function('must be a function')),
});
const extrasSchema = v.strictObject(
  {
    templateId: v.optional(boundedInteger(NOTIFICORE_LIMITS.templateId.min, NOTIFICORE_LIMITS.templateId.max)),
    sender: v.optional(v.string('must be a string')),
  },
  'Notificore takes templateId and sender only',
);
const cursorSchema = v.object({
  o: v.pipe(v.number(), v.integer(), v.minValue(0)),
  f: v.pipe(v.string(), v.isoDate()),
  t: v.pipe(v.string(), v.isoDate()),
  a: v.optional(v.number()),
  i: v.optional(v.array(v.string())),
});
type Position = v.InferOutput<typeof cursorSchema>;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Creates a Notificore provider.
 *
 * @throws ValidationError when an option is missing or malformed (secrets are never echoed).
 */
export function notificore(options: NotificoreOptions): VerifyProvider<NotificoreStartExtras> {
  const name = instanceName(options, 'notificore');
  const config = parseInput(optionsSchema, options, { provider: name, operation: 'config', summary: 'Invalid Notificore options' });
  const ctx = (operation: Operation): ParseContext => ({ provider: name, operation });
  const now = options.now ?? Date.now;
  const warn = (message: string, operation: Operation = 'get') => emit(options.onEvent, { type: 'warning', provider: name, operation, message });
  const defaultChannels = options.channels ?? [{ channel: 'sms' }];
  const windowDays = options.listWindowDays ?? 90;
  const listPageSize = options.listPageSize ?? 100;
  const prefetch = options.listPrefetch ?? 2;
  const redactor = new Redactor([config.apiKey]);
  const tries = new TriesCounter();

  let tokens: TokenKeeper;
  const http = new HttpClient({
    provider: name,
    baseUrl: options.baseUrl ?? NOTIFICORE_BASE_URL,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoff: options.backoff,
    headers: { accept: 'application/json' },
    authorize: (request) => {
      // The login itself carries the API key in its body; everything else the bearer.
      if (request.url.endsWith('/api/auth/login')) return;
      const bearer = tokens.current;
      if (bearer !== undefined) request.headers.set('Authorization', `Bearer ${bearer}`);
    },
    redactor,
    onEvent: options.onEvent,
    toError: (failure, scrubber) => toNotificoreError(failure, scrubber, name),
  });
  tokens = new TokenKeeper({ apiKey: config.apiKey, http, redactor, provider: name, now });

  /** A call with a valid token; after a 401, one new login and one more try (a 401 was not processed). */
  async function call(request: HttpCall): Promise<HttpResult> {
    await tokens.ensure(request.options);
    const bearer = tokens.current;
    try {
      return await http.request(request);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      await tokens.reject(bearer, request.options);
      return http.request(request);
    }
  }

  function parseAuthentication(body: unknown, operation: Operation, sent: 'no' | 'maybe'): { wire: NotificoreAuthentication; raw: unknown } {
    const envelope = v.safeParse(singleSchema, body);
    const parsed = envelope.success ? v.safeParse(authenticationSchema, envelope.output.data) : undefined;
    if (!parsed?.success) {
      throw new InvalidResponseError(`${name} ${operation}: the authentication in the response does not fit Notificore's documented format`, {
        provider: name,
        operation,
        sent,
      });
    }
    return { wire: parsed.output, raw: envelope.success ? envelope.output.data : body };
  }

  function toModel(wire: NotificoreAuthentication, raw: unknown, operation: Operation, sent: 'no' | 'maybe' = 'no'): Verification {
    try {
      return toVerification(wire, raw, { provider: name, failedAttempts: tries.failed(wire.id), warn: (m) => warn(m, operation) });
    } catch {
      throw new InvalidResponseError(`${name} ${operation}: the authentication has an unreadable created_at`, { provider: name, operation, sent });
    }
  }

  async function single(request: HttpCall, sent: 'no' | 'maybe' = 'no'): Promise<Verification> {
    const result = await call(request);
    const { wire, raw } = parseAuthentication(result.body, request.operation, sent);
    return toModel(wire, raw, request.operation, sent);
  }

  function checkedId(id: string, operation: Operation): string {
    return parseId(id, UUID, ctx(operation), 'a Notificore authentication id (UUID)');
  }

  // ---- listing ----

  function windowOf(query: ListQuery): Pick<Position, 'f' | 't'> {
    // filter[to] is a date: the day after the last instant wanted, so it covers that day whether
    // Notificore reads it as inclusive or as midnight; the exact bounds are applied here.
    const toMs = (query.to?.getTime() ?? now()) - 1;
    const fromMs = query.from?.getTime() ?? toMs - windowDays * DAY_MS;
    return { f: isoDay(fromMs), t: isoDay(toMs + DAY_MS) };
  }

  /** The query string, or undefined when no Notificore authentication can match. */
  function serverParams(filters: ListQuery, position: Position, limit: number): URLSearchParams | undefined {
    const params = new URLSearchParams({
      'page[offset]': String(position.o),
      'page[limit]': String(limit),
      'filter[from]': position.f,
      'filter[to]': position.t,
    });
    if (filters.ids && filters.ids.length <= MAX_SERVER_IDS) {
      if (!filters.ids.every((id) => UUID.test(id))) return undefined;
      for (const id of filters.ids) params.append('filter[ids]', id);
    }
    if (filters.status) params.set('filter[status]', filters.status);
    if (filters.channel) {
      if (filters.channel !== 'sms' && filters.channel !== 'viber') return undefined;
      params.set('filter[channel]', filters.channel);
    }
    if (filters.phone) {
      const digits = filters.phone.slice(1);
      const { min, max } = NOTIFICORE_LIMITS.recipientDigits;
      if (digits.length < min || digits.length > max) return undefined;
      params.set('filter[recipient]', digits);
    }
    params.set('sort', 'created_at');
    params.set('way', 'desc');
    return params;
  }

  async function fetchPage(params: URLSearchParams, options: CallOptions | undefined): Promise<{ items: unknown[]; total: number }> {
    const result = await call({ operation: 'list', method: 'GET', path: 'api/2fa/authentications', searchParams: params, sends: false, options });
    const parsed = v.safeParse(listSchema, result.body);
    if (!parsed.success) {
      throw new InvalidResponseError(`${name} list: the page does not fit Notificore's documented format`, { provider: name, operation: 'list', sent: 'no' });
    }
    return { items: parsed.output.data.list, total: parsed.output.data.total };
  }

  /**
   * Walks the list newest first from `start`, `ahead` pages fetched concurrently once
   * `total` is known. Items a later page repeats because new authentications pushed the
   * offsets down are recognised by the position anchor (creation time and ids at it) and skipped.
   */
  async function* scan(filters: ListQuery, start: Position, limit: number, ahead: number, options: CallOptions | undefined): AsyncGenerator<Listed<Position>[]> {
    const pending: { offset: number; page: Promise<{ items: unknown[]; total: number }> }[] = [];
    let nextOffset = start.o;
    let total: number | undefined;
    let anchor = { a: start.a, i: start.i ?? [] };
    const request = (offset: number) => {
      const params = serverParams(filters, { ...start, o: offset }, limit)!;
      const page = fetchPage(params, options);
      page.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
      pending.push({ offset, page });
      nextOffset = offset + limit;
    };
    if (!serverParams(filters, start, limit)) return;
    request(nextOffset);
    while (pending.length) {
      const { offset, page: pagePromise } = pending.shift()!;
      const page = await pagePromise;
      total = page.total;
      while (pending.length < ahead && nextOffset < total) request(nextOffset);
      const batch: Listed<Position>[] = [];
      for (let index = 0; index < page.items.length; index++) {
        const raw = page.items[index];
        const parsed = v.safeParse(authenticationSchema, raw);
        if (!parsed.success) {
          throw new InvalidResponseError(`${name} list: an authentication does not fit Notificore's documented format`, { provider: name, operation: 'list', sent: 'no' });
        }
        const verification = toModel(parsed.output, raw, 'list');
        const at = verification.createdAt.getTime();
        const seen = anchor.a !== undefined && (at > anchor.a || (at === anchor.a && anchor.i.includes(verification.id)));
        if (!seen) anchor = at === anchor.a ? { a: at, i: [...anchor.i, verification.id] } : { a: at, i: [verification.id] };
        // Newest first: past `from`, nothing more can match.
        if (filters.from && at < filters.from.getTime()) {
          if (batch.length) yield batch;
          return;
        }
        const position = offset + index + 1;
        const next: Position | undefined = position >= total ? undefined : { f: start.f, t: start.t, o: position, a: anchor.a, i: anchor.i };
        if (!seen && matchesQuery(verification, filters, ALL_FILTERS)) batch.push({ verification, next });
      }
      if (batch.length) yield batch;
      if (page.items.length < limit) return;
      if (!pending.length && nextOffset < total) request(nextOffset);
    }
  }

  /** The whole list, newest first, one batch per Notificore page, pages fetched ahead. */
  async function* batches(query: ListQuery, callOptions: CallOptions | undefined) {
    const options = parseCallOptions(callOptions, ctx('list'));
    const filters = parseListQuery(query, ctx('list'));
    if (filters.reference !== undefined) return; // Notificore keeps no reference
    yield* scan(filters, { o: 0, ...windowOf(filters) }, listPageSize, prefetch, options);
  }

  async function listPage(query: PageQuery = {}, callOptions?: CallOptions): Promise<Page<Verification>> {
    const options = parseCallOptions(callOptions, ctx('list'));
    const { cursor, limit = DEFAULT_PAGE_LIMIT, ...filters } = parseListQuery(query, ctx('list'));
    if (filters.reference !== undefined) return { items: [] }; // Notificore keeps no reference
    const start: Position = cursor ? decodeCursor(cursor, name, cursorSchema, ctx('list')) : { o: 0, ...windowOf(filters) };
    // Notificore's window is whole days: with exact bounds (or more than 3 ids) to apply here, many
    // items may be skipped, so read bigger pages.
    const refined = filters.from !== undefined || filters.to !== undefined || (filters.ids?.length ?? 0) > MAX_SERVER_IDS;
    const serverLimit = Math.min(500, Math.max(refined ? 100 : 10, limit));
    return pageFrom(scan(filters, start, serverLimit, 0, options), limit, name);
  }

  const provider: VerifyProvider<NotificoreStartExtras> = {
    name,
    capabilities: NOTIFICORE_CAPABILITIES,

    async start(request: StartRequest<NotificoreStartExtras>, callOptions?: CallOptions): Promise<Verification> {
      const context = { ...ctx('start'), summary: 'Invalid start request' };
      const options = parseCallOptions(callOptions, context);
      const input = parseInput(startRequestSchema, request, context);
      const extras = v.safeParse(extrasSchema, input.vendor ?? {});
      const { body, issues } = toCreateBody(input, input.channels ?? defaultChannels, {
        sender: (extras.success ? extras.output.sender : undefined) ?? config.sender,
        smsSender: config.smsSender,
        templateId: (extras.success ? extras.output.templateId : undefined) ?? config.templateId,
      });
      if (!extras.success) issues.push({ field: 'vendor', message: 'Notificore takes templateId and sender only' });
      if (issues.length || !body) invalid(issues, context);
      const result = await call({ operation: 'start', method: 'POST', path: 'api/2fa/authentications/otp', json: body, sends: true, options });
      const { wire, raw } = parseAuthentication(result.body, 'start', 'maybe');
      tries.start(wire.id, wire.code_max_tries ?? body.code_max_tries);
      return toModel(wire, raw, 'start', 'maybe');
    },

    async check(id: string, code: string, callOptions?: CallOptions): Promise<CheckResult> {
      const context = ctx('check');
      const options = parseCallOptions(callOptions, context);
      checkedId(id, 'check');
      if (typeof code !== 'string' || !ACCESS_CODE.test(code)) invalid([{ field: 'code', message: 'must be 3 to 9 digits for Notificore' }], context);
      const result = await call({
        operation: 'check',
        method: 'POST',
        path: `api/2fa/authentications/otp/${id}/verify`,
        json: { access_code: code },
        sends: false,
        idempotent: false,
        accept: [404, 422],
        options,
        redactor: redactor.with(code),
      });
      if (result.status === 200) {
        const { wire, raw } = parseAuthentication(result.body, 'check', 'no');
        return { verified: true, status: 'verified', verification: toModel(wire, raw, 'check') };
      }
      const failure = { status: result.status, body: result.body, headers: result.headers, requestId: result.requestId, operation: 'check' as const, sends: false };
      const reason = checkOutcome(failure);
      switch (reason) {
        case 'incorrect_code': {
          const attemptsRemaining = tries.fail(id);
          if (attemptsRemaining === undefined) return { verified: false, status: 'pending', reason };
          return { verified: false, status: attemptsRemaining > 0 ? 'pending' : 'failed', reason, attemptsRemaining };
        }
        case 'max_attempts':
          return { verified: false, status: 'failed', reason, attemptsRemaining: 0 };
        case 'expired':
          return { verified: false, status: 'expired', reason };
        case 'canceled':
          return { verified: false, status: 'canceled', reason };
        case 'already_verified':
          return { verified: false, status: 'verified', reason };
        case 'not_found':
          return { verified: false, status: 'failed', reason };
        default:
          throw toNotificoreError(failure, redactor.with(code), name);
      }
    },

    async get(id: string, callOptions?: CallOptions): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('get'));
      checkedId(id, 'get');
      return single({ operation: 'get', method: 'GET', path: `api/2fa/authentications/${id}`, sends: false, options });
    },

    list(query: ListQuery = {}, callOptions?: CallOptions): AsyncIterable<Verification> {
      return itemsOf(batches(query, callOptions));
    },

    pages(query: ListQuery = {}, callOptions?: CallOptions): AsyncIterable<readonly Verification[]> {
      return pagesOf(batches(query, callOptions));
    },

    listPage,

    /** Sends a new code on the same plan; Notificore invalidates the previous one. */
    async resend(id: string, callOptions?: CallOptions & { readonly step?: number }): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('resend'));
      checkedId(id, 'resend');
      if (callOptions?.step !== undefined) invalid([{ field: 'options.step', message: 'Notificore resends on the same plan; it takes no step' }], ctx('resend'));
      return single({ operation: 'resend', method: 'POST', path: `api/2fa/authentications/otp/${id}/resend`, sends: true, options }, 'maybe');
    },

    failover(): Promise<Verification> {
      return Promise.reject(
        new UnsupportedError(`${name} failover: Notificore falls back from Viber to SMS by itself (sender_alt)`, { provider: name, operation: 'failover', sent: 'no' }),
      );
    },

    /** Cancels at Notificore; only a pending authentication can be canceled. */
    async cancel(id: string, callOptions?: CallOptions): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('cancel'));
      checkedId(id, 'cancel');
      return single({ operation: 'cancel', method: 'POST', path: `api/2fa/authentications/${id}/cancel`, sends: false, idempotent: false, options });
    },
  };

  Object.defineProperty(provider, inspect.custom, { value: () => `VerifyProvider { name: '${name}', vendor: 'notificore' }` });
  return Object.freeze(provider);
}
