/**
 * The LOX24 adapter: `verify_codes` at https://api.lox24.eu.
 *
 * LOX24 only transports codes: it has no check endpoint. polyverify generates each code,
 * keeps only its keyed hash in a `CodeStore`, sends the code in the request, and checks it
 * locally with expiry and an attempt limit.
 *
 * @example
 * ```ts
 * import { lox24 } from 'polyverify/lox24';
 * const verify = lox24({ token: process.env.LOX24_TOKEN!, secret: process.env.POLYVERIFY_SECRET! });
 * const v = await verify.start({ to: '+491701234567', channels: [{ channel: 'sms', sender: 'LOX24' }] });
 * const result = await verify.check(v.id, codeTheUserTyped);
 * ```
 * @module
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import * as v from 'valibot';
import { OwnedCodes, type CodeRecord, type CodeStore } from '../../src/codes/index.js';
import { InvalidResponseError, NotFoundError, UnsupportedError, type Operation } from '../../src/errors.js';
import { emit } from '../../src/events.js';
import { HttpClient } from '../../src/http.js';
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
  codeSchema,
  invalid,
  parseCallOptions,
  parseId,
  parseInput,
  parseListQuery,
  providerOptionEntries,
  startRequestSchema,
  type ParseContext,
} from '../../src/validate.js';
import { lox24Issues, toCreateBody, toLox24Error, toVerification } from './map.js';
import { findLastPage, type PageReader, type ReadPage } from './pages.js';
import { verifyCodeListSchema, verifyCodeSchema, type Lox24VerifyCode } from './wire.js';

export { CODE_PLACEHOLDER, DELIVERY_STATUS, DEFAULT_CURRENCY, UNKNOWN_DELIVERY_STATUS, langOf } from './map.js';
export { LOX24_CHANNELS, LOX24_LANGS, type Lox24Channel, type Lox24CreateBody, type Lox24Lang, type Lox24RoutingStepWrite } from './wire.js';

/** LOX24's production API. */
export const LOX24_BASE_URL = 'https://api.lox24.eu';

/** Options of {@link lox24}. */
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
  /** The clock, epoch milliseconds; for tests. */
  readonly now?: () => number;
}

/** LOX24-only extras of `start()`, passed as `vendor`. */
export interface Lox24StartExtras {
  /** Overrides the adapter's `deleteCodeAfterSend` for this verification. */
  readonly deleteCodeAfterSend?: boolean;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LIST_FILTERS: readonly ListFilter[] = ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'];
const DEFAULT_PAGE_LIMIT = 25;
/** Pages list() keeps in flight ahead of the one being mapped (LOX24's page numbers are known in advance). */
const LIST_PREFETCH = 3;

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
  listFilters: { server: [], client: LIST_FILTERS },
};

const caps = LOX24_CAPABILITIES;
const optionsSchema = v.looseObject({
  token: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  secret: v.optional(v.pipe(v.string('must be a string'), v.minLength(16, 'must be at least 16 characters'))),
  ...providerOptionEntries,
  ttlSeconds: v.optional(boundedInteger(caps.ttlSeconds.min, caps.ttlSeconds.max)),
  maxAttempts: v.optional(boundedInteger(caps.maxAttempts.min, caps.maxAttempts.max)),
  codeLength: v.optional(boundedInteger(caps.codeLength.min, caps.codeLength.max)),
  deleteCodeAfterSend: v.optional(v.boolean('must be true or false')),
  channels: v.optional(v.pipe(v.array(channelStepSchema), v.minLength(1, 'must have at least one step'))),
  now: v.optional(v.function('must be a function')),
});
const extrasSchema = v.strictObject({ deleteCodeAfterSend: v.optional(v.boolean('must be true or false')) }, 'LOX24 takes deleteCodeAfterSend only');
// Where a newest-first walk stands: page `p`, of which the first `r` items (server order) are still to come.
const cursorSchema = v.object({
  p: v.pipe(v.number(), v.integer(), v.minValue(1)),
  r: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
type Position = v.InferOutput<typeof cursorSchema>;

/**
 * Creates a LOX24 provider.
 *
 * @throws ValidationError when an option is missing or malformed (secrets are never echoed).
 */
export function lox24(options: Lox24Options): VerifyProvider<Lox24StartExtras> {
  const name = instanceName(options, 'lox24');
  const config = parseInput(optionsSchema, options, { provider: name, operation: 'config', summary: 'Invalid LOX24 options' });
  const redactor = new Redactor([config.token, ...config.token.split(':').filter((part) => part.length >= 8), config.secret]);
  const ctx = (operation: Operation): ParseContext => ({ provider: name, operation });
  const warn = (message: string, operation: Operation = 'get') =>
    emit(options.onEvent, { type: 'warning', provider: name, operation, message });
  const defaultChannels = options.channels ?? [{ channel: 'sms' }];
  const channelIssues = lox24Issues({ to: '+10000000000' }, defaultChannels).map((i) => ({ ...i, field: `options.${i.field}` }));
  if (channelIssues.length) invalid(channelIssues, { ...ctx('config'), summary: 'Invalid LOX24 options' });

  const ttlSeconds = options.ttlSeconds ?? caps.ttlSeconds.default;
  const maxAttempts = options.maxAttempts ?? caps.maxAttempts.default;
  const codeLength = options.codeLength ?? caps.codeLength.default;
  const now = options.now ?? Date.now;
  const deleteCodeAfterSendDefault = options.deleteCodeAfterSend ?? true;
  const codes = new OwnedCodes({
    secret: options.secret,
    store: options.codeStore,
    now,
    onEphemeralSecret: () => warn('no `secret` given: codes cannot be checked after a restart or by another instance', 'config'),
  });
  const http = new HttpClient({
    provider: name,
    baseUrl: options.baseUrl ?? LOX24_BASE_URL,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoff: options.backoff,
    headers: { accept: 'application/json' },
    authorize: (request) => request.headers.set('X-LOX24-AUTH-TOKEN', config.token),
    redactor,
    onEvent: options.onEvent,
    requestIdHeader: 'X-LOX24-REQUEST-ID',
    toError: (failure, scrubber) => toLox24Error(failure, scrubber, name),
  });

  function parseWire(body: unknown, operation: Operation, sent: 'no' | 'maybe'): Lox24VerifyCode {
    const parsed = v.safeParse(verifyCodeSchema, body);
    if (parsed.success) return parsed.output;
    throw new InvalidResponseError(`${name} ${operation}: the verify code in the response does not fit LOX24's documented format`, {
      provider: name,
      operation,
      sent,
    });
  }

  function map(wire: Lox24VerifyCode, raw: unknown, record: CodeRecord | undefined): Verification {
    return toVerification(wire, raw, { provider: name, record, now: now(), ttlSeconds, warn });
  }

  async function mapWithStore(body: unknown, operation: Operation): Promise<Verification> {
    const wire = parseWire(body, operation, 'no');
    return map(wire, body, await codes.record(wire.id));
  }

  const readPage: PageReader = async (page, options) => {
    const result = await http.request({
      operation: 'list',
      method: 'GET',
      path: 'verify_codes',
      searchParams: new URLSearchParams({ page: String(page) }),
      sends: false,
      options,
    });
    const parsed = v.safeParse(verifyCodeListSchema, result.body);
    if (!parsed.success) {
      throw new InvalidResponseError(`${name} list: the page is neither a JSON array nor a hydra collection`, { provider: name, operation: 'list', sent: 'no' });
    }
    if (Array.isArray(parsed.output)) return { items: parsed.output };
    const last = /[?&]page=(\d+)/.exec(parsed.output['hydra:view']?.['hydra:last'] ?? '')?.[1];
    return { items: parsed.output['hydra:member'], ...(last && { hydraLast: Number(last) }) };
  };

  /**
   * Newest first from `from` (or from the newest verification): pages backwards, each
   * reversed. Stops early once items are older than `query.from`; throws if LOX24's order
   * turns out not to be creation order.
   */
  async function* scan(query: ListQuery, from: Position | undefined, options: CallOptions | undefined, prefetch = false): AsyncGenerator<Listed<Position>[]> {
    let position = from;
    let cached: readonly unknown[] | undefined;
    // With prefetch (list), the next older pages are requested while this one is mapped.
    const ahead = new Map<number, Promise<ReadPage>>();
    const read = (page: number): Promise<ReadPage> => {
      const early = ahead.get(page);
      ahead.delete(page);
      return early ?? readPage(page, options);
    };
    if (!position) {
      const last = await findLastPage(readPage, options);
      if (!last) return;
      position = { p: last.page, r: last.items.length };
      cached = last.items;
    }
    let previous = Number.POSITIVE_INFINITY;
    for (;;) {
      const raws = (cached ?? (await read(position.p)).items).slice(0, position.r).reverse();
      cached = undefined;
      for (let page = position.p - 1; prefetch && page >= Math.max(1, position.p - LIST_PREFETCH); page--) {
        if (ahead.has(page)) continue;
        const early = readPage(page, options);
        early.catch(() => undefined); // awaited when its turn comes
        ahead.set(page, early);
      }
      const wires = raws.map((raw) => parseWire(raw, 'list', 'no'));
      const records = await Promise.all(wires.map((wire) => codes.record(wire.id)));
      const batch: Listed<Position>[] = [];
      let done = false;
      for (let k = 0; k < wires.length; k++) {
        const verification = map(wires[k]!, raws[k], records[k]);
        const at = verification.createdAt.getTime();
        if (at > previous) {
          throw new InvalidResponseError(`${name} list: LOX24 did not list verify codes in creation order, so they cannot be listed newest first`, {
            provider: name,
            operation: 'list',
            sent: 'no',
          });
        }
        previous = at;
        if (query.from && at < query.from.getTime()) {
          done = true;
          break;
        }
        const index = wires.length - 1 - k; // in LOX24's order
        const next: Position | undefined = index > 0 ? { p: position.p, r: index } : position.p > 1 ? { p: position.p - 1, r: Number.MAX_SAFE_INTEGER } : undefined;
        if (matchesQuery(verification, query, LIST_FILTERS)) batch.push({ verification, next });
      }
      if (batch.length) yield batch;
      if (done || position.p === 1) return;
      position = { p: position.p - 1, r: Number.MAX_SAFE_INTEGER };
    }
  }

  /** The whole list, newest first, one batch per LOX24 page, with pages fetched ahead. */
  async function* batches(query: ListQuery, callOptions: CallOptions | undefined) {
    const options = parseCallOptions(callOptions, ctx('list'));
    const filters = parseListQuery(query, ctx('list'));
    yield* scan(filters, undefined, options, true);
  }

  async function listPage(query: PageQuery = {}, callOptions?: CallOptions): Promise<Page<Verification>> {
    const options = parseCallOptions(callOptions, ctx('list'));
    const { cursor, limit = DEFAULT_PAGE_LIMIT, ...filters } = parseListQuery(query, ctx('list'));
    const start = cursor ? decodeCursor(cursor, name, cursorSchema, ctx('list')) : undefined;
    return pageFrom(scan(filters, start, options), limit, name);
  }

  const unsupported = (operation: Operation, why: string): Promise<never> =>
    Promise.reject(new UnsupportedError(`${name} ${operation}: ${why}`, { provider: name, operation, sent: 'no' }));

  const provider: VerifyProvider<Lox24StartExtras> = {
    name,
    capabilities: LOX24_CAPABILITIES,

    async start(request: StartRequest<Lox24StartExtras>, callOptions?: CallOptions): Promise<Verification> {
      const context = { ...ctx('start'), summary: 'Invalid start request' };
      const options = parseCallOptions(callOptions, context);
      const input = parseInput(startRequestSchema, request, context);
      const channels = input.channels ?? defaultChannels;
      const extras = v.safeParse(extrasSchema, input.vendor ?? {});
      const issues = [
        ...lox24Issues(input, channels),
        ...(extras.success ? [] : [{ field: 'vendor', message: 'LOX24 takes deleteCodeAfterSend only' }]),
        ...boundIssue('codeLength', input.codeLength, caps.codeLength),
        ...boundIssue('ttlSeconds', input.ttlSeconds, caps.ttlSeconds),
        ...boundIssue('maxAttempts', input.maxAttempts, caps.maxAttempts),
      ];
      if (issues.length) invalid(issues, context);
      const deleteCodeAfterSend = (extras.success ? extras.output.deleteCodeAfterSend : undefined) ?? deleteCodeAfterSendDefault;
      const code = input.code ?? codes.generate(input.codeLength ?? codeLength);
      const limits = { ttlSeconds: input.ttlSeconds ?? ttlSeconds, maxAttempts: input.maxAttempts ?? maxAttempts };
      // The hash is stored before anything is sent: a code that cannot be checked is never sent.
      const provisional = `provisional:${randomUUID()}`;
      const record = await codes.issue(provisional, code, limits);
      let body: unknown;
      try {
        const result = await http.request({
          operation: 'start',
          method: 'POST',
          path: 'verify_codes',
          json: toCreateBody({ phone: input.to as string, code, locale: input.locale, reference: input.reference, deleteCodeAfterSend, channels }),
          sends: true,
          options,
          redactor: redactor.with(code),
        });
        body = result.body;
      } catch (error) {
        // Without the vendor's id the record can never be checked: drop it.
        await codes.discard(provisional);
        throw error;
      }
      let wire: Lox24VerifyCode;
      try {
        wire = parseWire(body, 'start', 'maybe');
      } catch (error) {
        await codes.discard(provisional);
        throw error;
      }
      await codes.move(provisional, wire.id, record);
      return map(wire, body, record);
    },

    async check(id: string, code: string, callOptions?: CallOptions): Promise<CheckResult> {
      const context = ctx('check');
      parseCallOptions(callOptions, context);
      parseId(id, UUID, context, 'a LOX24 verify code id (UUID)');
      parseInput(codeSchema, code, { ...context, root: 'code' });
      return codes.check(id, code);
    },

    async get(id: string, callOptions?: CallOptions): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('get'));
      parseId(id, UUID, ctx('get'), 'a LOX24 verify code id (UUID)');
      const result = await http.request({ operation: 'get', method: 'GET', path: `verify_codes/${id}`, sends: false, options });
      return mapWithStore(result.body, 'get');
    },

    list(query: ListQuery = {}, callOptions?: CallOptions): AsyncIterable<Verification> {
      return itemsOf(batches(query, callOptions));
    },

    pages(query: ListQuery = {}, callOptions?: CallOptions): AsyncIterable<readonly Verification[]> {
      return pagesOf(batches(query, callOptions));
    },

    listPage,

    resend(): Promise<Verification> {
      return unsupported('resend', 'LOX24 has no resend; it falls back along the routing strategy by itself');
    },

    failover(): Promise<Verification> {
      return unsupported('failover', 'LOX24 has no failover call; it falls back along the routing strategy by itself');
    },

    /**
     * Invalidates the code in polyverify's store: later checks say `canceled`. LOX24 has no
     * cancel endpoint, so a message already sent is not recalled.
     */
    async cancel(id: string, callOptions?: CallOptions): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('cancel'));
      parseId(id, UUID, ctx('cancel'), 'a LOX24 verify code id (UUID)');
      const record = await codes.cancel(id);
      if (!record) {
        throw new NotFoundError(`${name} cancel: no code of this verification in the code store`, { provider: name, operation: 'cancel' });
      }
      const result = await http.request({ operation: 'cancel', method: 'GET', path: `verify_codes/${id}`, sends: false, options });
      const wire = parseWire(result.body, 'cancel', 'no');
      return map(wire, result.body, record);
    },
  };

  Object.defineProperty(provider, inspect.custom, { value: () => `VerifyProvider { name: '${name}', vendor: 'lox24' }` });
  return Object.freeze(provider);
}

function boundIssue(field: string, value: number | undefined, bounds: { min: number; max: number }) {
  if (value === undefined || (value >= bounds.min && value <= bounds.max)) return [];
  return [{ field, message: `must be ${bounds.min} to ${bounds.max} for LOX24` }];
}
