/**
 * The Bird (MessageBird) Verify adapter: the workspace API at https://api.bird.com,
 * `Authorization: AccessKey <key>`. Bird owns the code: it generates and checks it.
 *
 * @example
 * ```ts
 * import { messagebird } from 'polyverify/messagebird';
 * const verify = messagebird({
 *   accessKey: process.env.BIRD_ACCESS_KEY!, workspaceId: process.env.BIRD_WORKSPACE_ID!,
 *   channels: { sms: { navigatorId: '…' }, whatsapp: { channelId: '…', template: { projectId: '…', version: '…' } } },
 * });
 * const v = await verify.start({ to: '+31612345678', channels: [{ channel: 'whatsapp' }, { channel: 'sms' }] });
 * await verify.failover(v.id);
 * const r = await verify.check(v.id, '123456');
 * ```
 * @module
 */
import { inspect } from 'node:util';
import * as v from 'valibot';
import { InvalidResponseError, UnsupportedError, type Operation } from '../../src/errors.js';
import { emit } from '../../src/events.js';
import { HttpClient, type HttpCall } from '../../src/http.js';
import { itemsOf, pageFrom, pagesOf, type Listed } from '../../src/adapter/paging.js';
import { decodeCursor } from '../../src/listing/cursor.js';
import { matchesQuery } from '../../src/listing/filters.js';
import { LruMap } from '../../src/lru.js';
import type { Channel, ChannelStep, CheckResult, ListFilter, ListQuery, Page, PageQuery, StartRequest, Verification } from '../../src/model.js';
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
import { BIRD_API, BIRD_LIMITS, STEP_INDEX_FIELD, toBirdError, toCreateBody, toVerification, type BirdChannelMap } from './map.js';
import { listSchema, verificationSchema, type BirdVerification } from './wire.js';

export { BIRD_API, BIRD_LIMITS, VERIFICATION_STATUS, UNKNOWN_VERIFICATION_STATUS, type BirdChannelMap, type BirdChannelTarget } from './map.js';
export type { BirdCreateBody, BirdStepWrite, BirdTemplate } from './wire.js';

/** Bird's production API. */
export const BIRD_BASE_URL = 'https://api.bird.com';

/** Options of {@link messagebird}. */
export interface MessagebirdOptions extends ProviderOptions {
  /** The access key (`Authorization: AccessKey <key>`). */
  readonly accessKey: string;
  /** The workspace (UUID). */
  readonly workspaceId: string;
  /**
   * How each abstract channel is reached: a channel id, or for SMS a navigator id, with the
   * template the channel needs (WhatsApp requires one).
   */
  readonly channels: BirdChannelMap;
  /** Default plan; `[{ channel: 'sms' }]` when `channels.sms` is set, else the first mapped channel. */
  readonly defaultChannels?: readonly ChannelStep[];
  /** Bird `limit` of `list()` pages (100; 1–100). */
  readonly listPageSize?: number;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SERVER_FILTERS: readonly ListFilter[] = ['from', 'to'];
const CLIENT_FILTERS: readonly ListFilter[] = ['status', 'channel', 'phone', 'reference', 'ids'];
const ALL_FILTERS: readonly ListFilter[] = [...SERVER_FILTERS, ...CLIENT_FILTERS];
const DEFAULT_PAGE_LIMIT = 25;
const MAX_BIRD_LIMIT = 100;

export const MESSAGEBIRD_CAPABILITIES: Capabilities = {
  channels: ['sms', 'whatsapp', 'email'],
  recipients: ['phone', 'email'],
  codeOwner: 'vendor',
  customCode: false,
  codeLength: { min: 6, max: 12, default: BIRD_LIMITS.codeLength.default },
  ttlSeconds: { min: 30, max: 3600, default: BIRD_LIMITS.timeout.default },
  maxAttempts: { min: 1, max: 10, default: BIRD_LIMITS.maxAttempts.default },
  resend: true,
  failover: true,
  cancel: 'none',
  cost: false,
  reference: false,
  listFilters: { server: SERVER_FILTERS, client: CLIENT_FILTERS },
};

const uuid = (what: string) => v.pipe(v.string('must be a string'), v.regex(UUID, `must be ${what} (UUID)`));
const templateSchema = v.strictObject({
  projectId: uuid('a project id'),
  version: uuid('a template version id'),
  locale: v.optional(v.string('must be a string')),
  name: v.optional(v.string('must be a string')),
});
const targetSchema = v.union(
  [
    v.strictObject({ channelId: uuid('a channel id'), template: v.optional(templateSchema) }),
    v.strictObject({ navigatorId: uuid('a navigator id'), template: v.optional(templateSchema) }),
  ],
  'must be { channelId } or { navigatorId }, with an optional template',
);
const optionsSchema = v.looseObject({
  accessKey: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  workspaceId: uuid('a workspace id'),
  channels: v.pipe(
    v.strictObject({ sms: v.optional(targetSchema), whatsapp: v.optional(targetSchema), email: v.optional(targetSchema) }, 'maps sms, whatsapp and email only'),
    v.check((map) => Object.keys(map).length > 0, 'must map at least one channel'),
  ),
  defaultChannels: v.optional(v.pipe(v.array(channelStepSchema), v.minLength(1, 'must have at least one step'))),
  listPageSize: v.optional(boundedInteger(1, MAX_BIRD_LIMIT)),
  ...providerOptionEntries,
});
const cursorSchema = v.object({
  t: v.optional(v.string()),
  i: v.pipe(v.number(), v.integer(), v.minValue(0)),
  s: v.optional(v.string()),
  e: v.optional(v.string()),
});
type Position = v.InferOutput<typeof cursorSchema>;

/**
 * Creates a Bird Verify provider.
 *
 * @throws ValidationError when an option is missing or malformed (the access key is never echoed).
 */
export function messagebird(options: MessagebirdOptions): VerifyProvider {
  const name = instanceName(options, 'messagebird');
  const configContext = { provider: name, operation: 'config' as const, summary: 'Invalid Bird options' };
  const config = parseInput(optionsSchema, options, configContext);
  const map = config.channels as BirdChannelMap;
  const mapIssues = [];
  if (map.whatsapp && !map.whatsapp.template) mapIssues.push({ field: 'channels.whatsapp.template', message: 'is required: Bird sends WhatsApp verifications with a template' });
  if (map.sms?.template) mapIssues.push({ field: 'channels.sms.template', message: 'Bird generates SMS texts (set locale instead)' });
  for (const channel of ['whatsapp', 'email'] as const) {
    if (map[channel] && 'navigatorId' in map[channel]) mapIssues.push({ field: `channels.${channel}`, message: 'navigators are for SMS; use a channelId' });
  }
  if (mapIssues.length) invalid(mapIssues, configContext);
  const ctx = (operation: Operation): ParseContext => ({ provider: name, operation });
  const warn = (message: string, operation: Operation = 'get') => emit(options.onEvent, { type: 'warning', provider: name, operation, message });
  const defaultChannels: readonly ChannelStep[] = options.defaultChannels ?? [{ channel: map.sms ? 'sms' : (Object.keys(map)[0] as Channel) }];
  const listPageSize = options.listPageSize ?? MAX_BIRD_LIMIT;
  const base = `workspaces/${config.workspaceId}/verify`;
  const redactor = new Redactor([config.accessKey]);
  const channelById = new Map<string, Channel>();
  for (const [channel, target] of Object.entries(map)) channelById.set('channelId' in target ? target.channelId : target.navigatorId, channel as Channel);
  // Wrong codes Bird reported last, per verification: a higher count after a failed check means the code was wrong.
  const lastFailed = new LruMap<string, number>(10_000);

  const http = new HttpClient({
    provider: name,
    baseUrl: options.baseUrl ?? BIRD_BASE_URL,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoff: options.backoff,
    headers: { accept: 'application/json' },
    authorize: (request) => request.headers.set('Authorization', `AccessKey ${config.accessKey}`),
    redactor,
    onEvent: options.onEvent,
    toError: (failure, scrubber) => toBirdError(failure, scrubber, name),
  });

  function parseWire(body: unknown, operation: Operation, sent: 'no' | 'maybe'): BirdVerification {
    const parsed = v.safeParse(verificationSchema, body);
    if (parsed.success) return parsed.output;
    throw new InvalidResponseError(`${name} ${operation}: the verification does not fit Bird's documented format`, { provider: name, operation, sent });
  }

  function toModel(wire: BirdVerification, raw: unknown, operation: Operation, sent: 'no' | 'maybe' = 'no'): Verification {
    if (wire.failedAttempts != null) lastFailed.set(wire.id, wire.failedAttempts);
    try {
      return toVerification(wire, raw, { provider: name, channelOf: (id) => (id ? channelById.get(id) : undefined), warn: (m) => warn(m, operation) });
    } catch {
      throw new InvalidResponseError(`${name} ${operation}: the verification has an unreadable createdAt`, { provider: name, operation, sent });
    }
  }

  async function single(call: HttpCall, sent: 'no' | 'maybe' = 'no'): Promise<Verification> {
    const result = await http.request(call);
    return toModel(parseWire(result.body, call.operation, sent), result.body, call.operation, sent);
  }

  function checkedId(id: string, operation: Operation): void {
    parseId(id, UUID, ctx(operation), 'a Bird verification id (UUID)');
  }

  /** The outcome of a check Bird did not accept, read from the verification as it now stands. */
  function outcomeOf(verification: Verification, before: number | undefined): CheckResult {
    const failed = verification.failedAttempts ?? 0;
    const max = verification.maxAttempts;
    if (verification.status === 'verified') return { verified: false, status: 'verified', reason: 'already_verified', verification };
    if (verification.status === 'canceled') return { verified: false, status: 'canceled', reason: 'canceled', verification };
    if (verification.status === 'expired') return { verified: false, status: 'expired', reason: 'expired', verification };
    const counted = before === undefined ? verification.status === 'pending' : failed > before;
    if (counted) {
      const attemptsRemaining = max === undefined ? undefined : Math.max(0, max - failed);
      const status = attemptsRemaining === 0 ? 'failed' : verification.status;
      return { verified: false, status, reason: 'incorrect_code', ...(attemptsRemaining !== undefined && { attemptsRemaining }), verification };
    }
    return { verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0, verification };
  }

  // ---- listing ----

  function windowOf(query: ListQuery): Pick<Position, 's' | 'e'> {
    return { ...(query.from && { s: query.from.toISOString() }), ...(query.to && { e: query.to.toISOString() }) };
  }

  async function fetchPage(position: Position, limit: number, options: CallOptions | undefined): Promise<{ items: unknown[]; next: string | undefined }> {
    const q = BIRD_API.list.query;
    const params = new URLSearchParams({ [q.limit]: String(limit) });
    if (position.t) params.set(q.pageToken, position.t);
    if (position.s) params.set(q.start, position.s);
    if (position.e) params.set(q.end, position.e);
    const result = await http.request({ operation: 'list', method: 'GET', path: base, searchParams: params, sends: false, options });
    const parsed = v.safeParse(listSchema, result.body);
    if (!parsed.success) throw new InvalidResponseError(`${name} list: the page does not fit Bird's format`, { provider: name, operation: 'list', sent: 'no' });
    return { items: parsed.output.results, next: parsed.output.nextPageToken ?? undefined };
  }

  async function* scan(filters: ListQuery, start: Position, limit: number, options: CallOptions | undefined, prefetch = false): AsyncGenerator<Listed<Position>[]> {
    let position = start;
    // With prefetch (list), the next page is requested as soon as its token is known.
    let ahead: Promise<{ items: unknown[]; next: string | undefined }> | undefined;
    for (;;) {
      const page = await (ahead ?? fetchPage(position, limit, options));
      ahead = undefined;
      if (prefetch && page.next) {
        ahead = fetchPage({ ...position, t: page.next, i: 0 }, limit, options);
        ahead.catch(() => undefined); // awaited when its turn comes
      }
      const batch: Listed<Position>[] = [];
      for (let index = position.i; index < page.items.length; index++) {
        const raw = page.items[index];
        const verification = toModel(parseWire(raw, 'list', 'no'), raw, 'list');
        const last = index + 1 === page.items.length;
        // Resume after this item: later in the same page, or at the start of the next one.
        const next: Position | undefined = last ? (page.next ? { ...position, t: page.next, i: 0 } : undefined) : { ...position, i: index + 1 };
        if (matchesQuery(verification, filters, ALL_FILTERS)) batch.push({ verification, next });
      }
      if (batch.length) yield batch;
      if (!page.next) return;
      position = { ...position, t: page.next, i: 0 };
    }
  }

  /** The whole list, newest first, one batch per Bird page, the next page fetched ahead. */
  async function* batches(query: ListQuery, callOptions: CallOptions | undefined) {
    const options = parseCallOptions(callOptions, ctx('list'));
    const filters = parseListQuery(query, ctx('list'));
    yield* scan(filters, { i: 0, ...windowOf(filters) }, listPageSize, options, true);
  }

  const provider: VerifyProvider = {
    name,
    capabilities: MESSAGEBIRD_CAPABILITIES,

    async start(request: StartRequest, callOptions?: CallOptions): Promise<Verification> {
      const context = { ...ctx('start'), summary: 'Invalid start request' };
      const options = parseCallOptions(callOptions, context);
      const input = parseInput(startRequestSchema, request, context);
      const { body, issues } = toCreateBody(input, input.channels ?? defaultChannels, map);
      if (input.vendor !== undefined && Object.keys(input.vendor).length > 0) issues.push({ field: 'vendor', message: 'Bird takes no vendor extras' });
      if (issues.length || !body) invalid(issues, context);
      return single({ operation: 'start', method: 'POST', path: base, json: body, sends: true, options }, 'maybe');
    },

    async check(id: string, code: string, callOptions?: CallOptions): Promise<CheckResult> {
      const options = parseCallOptions(callOptions, ctx('check'));
      checkedId(id, 'check');
      parseInput(codeSchema, code, { ...ctx('check'), root: 'code' });
      const before = lastFailed.get(id);
      const result = await http.request({
        operation: 'check',
        method: 'POST',
        path: `${base}/${id}`,
        json: { code },
        sends: false,
        idempotent: false,
        accept: [400, 404, 409, 410, 422],
        options,
        redactor: redactor.with(code),
      });
      if (result.status === 404) return { verified: false, status: 'failed', reason: 'not_found' };
      if (result.status === 200) {
        const verification = toModel(parseWire(result.body, 'check', 'no'), result.body, 'check');
        if (verification.status === 'verified') return { verified: true, status: 'verified', verification };
        return outcomeOf(verification, before);
      }
      // Bird's answer to a failed check is not documented: what the verification now says decides.
      const now = await single({ operation: 'check', method: 'GET', path: `${base}/${id}`, sends: false, options });
      return outcomeOf(now, before);
    },

    async get(id: string, callOptions?: CallOptions): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('get'));
      checkedId(id, 'get');
      return single({ operation: 'get', method: 'GET', path: `${base}/${id}`, sends: false, options });
    },

    list(query: ListQuery = {}, callOptions?: CallOptions): AsyncIterable<Verification> {
      return itemsOf(batches(query, callOptions));
    },

    pages(query: ListQuery = {}, callOptions?: CallOptions): AsyncIterable<readonly Verification[]> {
      return pagesOf(batches(query, callOptions));
    },

    async listPage(query: PageQuery = {}, callOptions?: CallOptions): Promise<Page<Verification>> {
      const options = parseCallOptions(callOptions, ctx('list'));
      const { cursor, limit = DEFAULT_PAGE_LIMIT, ...filters } = parseListQuery(query, ctx('list'));
      const start: Position = cursor ? decodeCursor(cursor, name, cursorSchema, ctx('list')) : { i: 0, ...windowOf(filters) };
      const clientSide = CLIENT_FILTERS.some((filter) => filters[filter] !== undefined);
      const birdLimit = clientSide ? MAX_BIRD_LIMIT : Math.min(MAX_BIRD_LIMIT, limit);
      return pageFrom(scan(filters, start, birdLimit, options), limit, name);
    },

    /** Sends the code again, on step `step` (0-based) or the current one. */
    async resend(id: string, callOptions?: CallOptions & { readonly step?: number }): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('resend'));
      checkedId(id, 'resend');
      const json = callOptions?.step === undefined ? {} : { [STEP_INDEX_FIELD]: callOptions.step };
      return single({ operation: 'resend', method: 'POST', path: `${base}/${id}/resend`, json, sends: true, options }, 'maybe');
    },

    /** Moves to the next step now (or to step `step`, 0-based). */
    async failover(id: string, callOptions?: CallOptions & { readonly step?: number }): Promise<Verification> {
      const options = parseCallOptions(callOptions, ctx('failover'));
      checkedId(id, 'failover');
      const json = callOptions?.step === undefined ? {} : { [STEP_INDEX_FIELD]: callOptions.step };
      return single({ operation: 'failover', method: 'POST', path: `${base}/${id}/failover`, json, sends: true, options }, 'maybe');
    },

    cancel(): Promise<Verification> {
      return Promise.reject(new UnsupportedError(`${name} cancel: Bird Verify has no cancel; a verification ends by expiry`, { provider: name, operation: 'cancel', sent: 'no' }));
    },
  };

  Object.defineProperty(provider, inspect.custom, { value: () => `VerifyProvider { name: '${name}', vendor: 'messagebird' }` });
  return Object.freeze(provider);
}
