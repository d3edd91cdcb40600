/**
 * A local simulator of Bird's workspace Verify API: the documented create body and
 * response (202), steps on channels or SMS navigators, failover (moves `currentStepIndex`),
 * resend (sends again on a step), attempts and expiry, `pageToken` lists, an inbox, faults.
 *
 * Where Bird is silent the simulator picks (docs/messagebird.md lists each): the inferred
 * paths and fields of its own reading of Bird's docs (the adapter's is `MESSAGEBIRD_API`), error bodies `{ code, message, details }`, a wrong code is
 * 422 `InvalidCode`, `accepted` turns `pending` once the first step was sent, lists are
 * newest first with keyset page tokens, and resend repeats the same code.
 */
import { UUID } from '../../src/validate.js';
import { randomUUID } from 'node:crypto';
import { generateCode } from '../../src/codes/generate.js';
import type { Channel } from '../../src/model.js';
import { Inbox, type InboxMessage } from '../../testing/inbox.js';
import { languageOfNumber } from '../../src/locale.js';
import { SimulatorBase, type SeedInput, type SimulatedAt, type SimulatorConfig } from '../../testing/base.js';
import { JsonCache, type Refusal, type SimRequest, type SimResponse, type SimServer } from '../../testing/server.js';
import { RecordStore } from '../../testing/records.js';
import { routeTable } from '../../testing/router.js';

// Bird's workspace paths, as the simulator reads its docs.
const COLLECTION = /^\/workspaces\/([^/]+)\/verify$/;
const ITEM = /^\/workspaces\/([^/]+)\/verify\/([^/]+)(?:\/(.+))?$/;
import type { MessagebirdConfig } from './config.js';

// The simulator's own reading of Bird's wire (not the adapter's table, so that a test of one
// against the other proves something): the list's query names and the step field of resend and failover.
const QUERY = { limit: 'limit', pageToken: 'pageToken', reverse: 'reverse', start: 'startAt', end: 'endAt' } as const;
const STEP_INDEX_FIELD = 'stepIndex';

/** How a simulated Bird message ends. */
export type MessagebirdOutcome = 'delivered' | 'failed';
/** The kinds of Bird channel the simulator delivers on. */
export type MessagebirdChannelType = 'sms' | 'whatsapp' | 'email';

/** Options of the Bird simulator. */
export interface MessagebirdSimulatorOptions {
  /** Port on 127.0.0.1 (a free one by default). */
  readonly port?: number;
  /** The access key it accepts. */
  readonly accessKey?: string;
  /** The workspace it serves (a random UUID by default). */
  readonly workspaceId?: string;
  /** The workspace's navigator and channel ids (random by default; fix them for a config that outlives a run). */
  readonly ids?: Partial<MessagebirdWorkspaceIds>;
  /** Delivery outcome per channel type (`delivered` by default). */
  readonly outcomes?: Partial<Record<MessagebirdChannelType, MessagebirdOutcome>>;
  /** Added to every answer, milliseconds. */
  readonly latencyMs?: number;
  /** The list's default order, which Bird does not document (`desc` by default); `reverse=true` flips it. */
  readonly order?: 'desc' | 'asc';
  /** Status strings other than polyverify's reading (`{ verified: 'approved' }`): only `accepted` is documented. */
  readonly statusNames?: Partial<Record<'accepted' | 'pending' | 'verified' | 'failed' | 'expired', string>>;
  /**
   * What resend and failover answer; Bird documents only "… request was accepted for processing":
   * `verification` (202 with the verification, the default), `ack` (202 with a short
   * acknowledgement), `text` (202 with a plain-text acknowledgement) or `empty` (202, no body).
   */
  readonly stepAnswer?: 'verification' | 'ack' | 'text' | 'empty';
  /**
   * What a right code answers; Bird documents only 200 "Code was successfully verified":
   * `verification` (200 with the verification, the default), `no-status` (200 with the
   * verification less its `status`), `ack` (200 with a short acknowledgement) or `empty` (200, no body).
   */
  readonly checkAnswer?: 'verification' | 'no-status' | 'ack' | 'empty';
}

/** @internal */
interface StepRecord {
  channelId?: string;
  navigatorId?: string;
  template?: Record<string, unknown>;
}

/** @internal */
interface VerificationRecord {
  id: string;
  identifier: { phonenumber?: string; emailaddress?: string };
  locale: string;
  maxAttempts: number;
  failedAttempts: number;
  timeout: number;
  codeLength: number;
  status: 'accepted' | 'pending' | 'verified' | 'failed' | 'expired';
  currentStepIndex: number;
  steps: StepRecord[];
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  code: string;
}

/** The ids of a simulated Bird workspace, for the adapter's channel map. */
export interface MessagebirdWorkspaceIds {
  /** The SMS navigator. */
  readonly smsNavigatorId: string;
  /** An SMS channel (also the WhatsApp template's project id in the config). */
  readonly smsChannelId: string;
  /** The WhatsApp channel. */
  readonly whatsappChannelId: string;
  /** The e-mail channel (also the WhatsApp template's version id in the config). */
  readonly emailChannelId: string;
}

const DEFAULT_ACCESS_KEY = 'simulator-access-key-000000000000';
// The SMS texts Bird generates, by language (the simulator knows a few; others are written in English).
const SMS_TEXT: Record<string, string> = { en: 'Your verification code is {code}', de: 'Ihr Bestätigungscode lautet {code}', pl: 'Twój kod weryfikacyjny to {code}', fr: 'Votre code de vérification est {code}' };
const BODY_KEYS = new Set(['identifier', 'locale', 'maxAttempts', 'timeout', 'codeLength', 'steps']);
const STEP_KEYS = new Set(['channelId', 'navigatorId', 'template', 'identifier']);

/** A running Bird Verify simulator. */
export class MessagebirdSimulator extends SimulatorBase {
  readonly inbox = new Inbox();
  /** The access key it accepts. */
  readonly accessKey: string;
  /** The workspace it serves. */
  readonly workspaceId: string;
  /** Ids the workspace has, to put in the adapter's channel map. */
  readonly ids: Readonly<MessagebirdWorkspaceIds>;
  readonly #records = new RecordStore<VerificationRecord>();
  /** Bumped by every change; sorted list results are cached per query until it moves. */
  readonly #views = new JsonCache<VerificationRecord>(
    (r) => `${r.status}|${r.failedAttempts}|${r.currentStepIndex}|${r.updatedAt}|${r.expiresAt}`,
    (r) => this.#view(r),
  );
  readonly #channelTypes = new Map<string, MessagebirdChannelType>();
  readonly #order: 'desc' | 'asc';
  readonly #statusNames: NonNullable<MessagebirdSimulatorOptions['statusNames']>;
  #outcomes: Partial<Record<MessagebirdChannelType, MessagebirdOutcome>>;
  readonly #answers: Pick<MessagebirdSimulatorOptions, 'stepAnswer' | 'checkAnswer'>;

  private constructor(server: SimServer, options: MessagebirdSimulatorOptions) {
    super(server);
    this.accessKey = options.accessKey ?? DEFAULT_ACCESS_KEY;
    this.workspaceId = options.workspaceId ?? randomUUID();
    this.ids = { smsNavigatorId: randomUUID(), smsChannelId: randomUUID(), whatsappChannelId: randomUUID(), emailChannelId: randomUUID(), ...options.ids };
    this.#outcomes = { ...options.outcomes };
    this.#order = options.order ?? 'desc';
    this.#statusNames = { ...options.statusNames };
    this.#answers = { stepAnswer: options.stepAnswer, checkAnswer: options.checkAnswer };
    this.#channelTypes.set(this.ids.smsNavigatorId, 'sms');
    this.#channelTypes.set(this.ids.smsChannelId, 'sms');
    this.#channelTypes.set(this.ids.whatsappChannelId, 'whatsapp');
    this.#channelTypes.set(this.ids.emailChannelId, 'email');
  }

  /** Starts the simulator on 127.0.0.1 (a free port). */
  static start(options: MessagebirdSimulatorOptions = {}): Promise<MessagebirdSimulator> {
    return SimulatorBase.listen(options, (server) => new MessagebirdSimulator(server, options));
  }

  setOutcomes(outcomes: Partial<Record<MessagebirdChannelType, MessagebirdOutcome>>): void {
    this.#outcomes = { ...outcomes };
  }
  /** The code last delivered to a phone number, e-mail address or for a verification id. */
  lastCode(recipientOrId: string): string | undefined {
    return this.inbox.last(recipientOrId)?.code;
  }
  /** The message last delivered to a phone number, e-mail address or for a verification id. */
  lastMessage(recipientOrId: string): InboxMessage | undefined {
    return this.inbox.last(recipientOrId);
  }
  /** The access key and workspace it accepts. */
  get credentials(): Pick<MessagebirdConfig, 'accessKey' | 'workspaceId'> {
    return { accessKey: this.accessKey, workspaceId: this.workspaceId };
  }

  /** A config that works against this simulator, with every channel the workspace has. */
  config(): SimulatorConfig & MessagebirdConfig & SimulatedAt & Required<Pick<MessagebirdConfig, 'channels'>> {
    return {
      provider: 'messagebird',
      accessKey: this.accessKey,
      workspaceId: this.workspaceId,
      channels: {
        sms: { navigatorId: this.ids.smsNavigatorId },
        // The simulator checks that a WhatsApp step has a template, not which one.
        whatsapp: { channelId: this.ids.whatsappChannelId, template: { projectId: this.ids.smsChannelId, version: this.ids.emailChannelId } },
        email: { channelId: this.ids.emailChannelId },
      },
      baseUrl: this.url,
    };
  }

  describe(): string[] {
    return [
      `Bird        ${this.url}   AccessKey ${this.accessKey}   workspace ${this.workspaceId}`,
      `            SMS navigator ${this.ids.smsNavigatorId}, WhatsApp channel ${this.ids.whatsappChannelId}, e-mail channel ${this.ids.emailChannelId}`,
    ];
  }

  /** Adds a finished verification directly (list tests, benchmarks); returns its id. */
  seed(input: SeedInput): string {
    const id = randomUUID();
    const createdAt = input.createdAt.getTime();
    const status = input.status === 'expired' || input.status === 'failed' ? input.status : 'verified';
    this.#records.add({
      id,
      identifier: { phonenumber: input.to },
      locale: 'en-US',
      maxAttempts: 3,
      failedAttempts: status === 'failed' ? 3 : 0,
      timeout: 600,
      codeLength: 6,
      status,
      currentStepIndex: 0,
      steps: [{ navigatorId: this.ids.smsNavigatorId }],
      createdAt,
      updatedAt: input.finishedAt === undefined ? createdAt + 30_000 : input.finishedAt.getTime(),
      expiresAt: createdAt + 600_000,
      code: '000000',
    });
    return id;
  }

  // ---- routes ----

  /** Bird documents no answer for missing funds or too many requests: the simulator answers 402 and 429 in Bird's error shape (docs/messagebird.md). */
  protected override refusal(reason: Refusal, request: SimRequest): SimResponse | undefined {
    if (reason === 'auth') return error(401, 'Unauthorized', 'The access key is missing or invalid');
    if (reason === 'rate-limit') return error(429, 'TooManyRequests', 'Too many requests');
    return request.method === 'POST' && COLLECTION.test(request.path) ? error(402, 'PaymentRequired', 'Insufficient balance') : undefined;
  }

  protected route(request: SimRequest): SimResponse {
    if (request.method !== 'GET') this.#records.changed();
    return this.#routes(request);
  }

  readonly #routes = routeTable(
    [
      { method: 'POST', path: COLLECTION, run: (request, [ws]) => this.#inWorkspace(ws!) ?? this.#create(request, this.now()) },
      { method: 'GET', path: COLLECTION, run: (request, [ws]) => this.#inWorkspace(ws!) ?? this.#list(request, this.now()) },
      { method: 'GET', path: ITEM, run: (request, [ws, id, action]) => this.#onItem(request, ws!, id!, action) },
      { method: 'POST', path: ITEM, run: (request, [ws, id, action]) => this.#onItem(request, ws!, id!, action) },
    ],
    {
      authorize: (request) => (request.headers['authorization'] === `AccessKey ${this.accessKey}` ? undefined : error(401, 'Unauthorized', 'The access key is missing or invalid')),
      notFound: () => error(404, 'NotFound', 'Not found'),
      // Another method on the collection is refused as such; on an item, Bird's 404s apply.
      wrongMethod: (request) => {
        const [, ws, id] = ITEM.exec(request.path) ?? COLLECTION.exec(request.path) ?? [];
        return this.#inWorkspace(ws!) ?? (id === undefined ? error(405, 'MethodNotAllowed', 'Method not allowed') : this.#onItem(request, ws!, id, undefined));
      },
    },
  );

  /** The 403 of a workspace the access key does not open, else nothing. */
  #inWorkspace(workspace: string): SimResponse | undefined {
    return workspace === this.workspaceId ? undefined : error(403, 'Forbidden', 'The access key has no access to this workspace');
  }

  #onItem(request: SimRequest, workspace: string, id: string, action: string | undefined): SimResponse {
    const refused = this.#inWorkspace(workspace);
    if (refused) return refused;
    const now = this.now();
    const record = UUID.test(id) ? this.#records.get(id.toLowerCase()) : undefined;
    if (!record) return error(404, 'NotFound', 'Verification not found');
    this.#expire(record, now);
    if (action === undefined && request.method === 'GET') return { status: 200, json: this.#views.json(record) };
    if (action === undefined && request.method === 'POST') return this.#check(record, request, now);
    if (action === 'resend' && request.method === 'POST') return this.#resend(record, request, now);
    if (action === 'failover' && request.method === 'POST') return this.#failover(record, request, now);
    return error(404, 'NotFound', 'Not found');
  }

  #create(request: SimRequest, now: number): SimResponse {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const details: Record<string, string[]> = {};
    const fail = (field: string, message: string) => (details[field] ??= []).push(message);
    for (const key of Object.keys(body)) if (!BODY_KEYS.has(key)) fail(key, 'is not a known property');
    const identifier = body['identifier'] as Record<string, unknown> | undefined;
    const idKeys = identifier && typeof identifier === 'object' ? Object.keys(identifier) : [];
    if (idKeys.length !== 1 || !['phonenumber', 'emailaddress'].includes(idKeys[0]!)) fail('identifier', 'must have exactly one of phonenumber, emailaddress');
    const phone = identifier?.['phonenumber'];
    const email = identifier?.['emailaddress'];
    if (phone !== undefined && (typeof phone !== 'string' || !/^\+[1-9]\d{6,14}$/.test(phone))) fail('identifier.phonenumber', 'must be an E.164 phone number');
    if (email !== undefined && (typeof email !== 'string' || !email.includes('@'))) fail('identifier.emailaddress', 'must be an e-mail address');
    const integerIn = (field: string, min: number, max: number, fallback: number) => {
      const value = body[field];
      if (value === undefined) return fallback;
      if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) fail(field, `must be an integer from ${min} to ${max}`);
      return value as number;
    };
    const maxAttempts = integerIn('maxAttempts', 1, 10, 3);
    const timeout = integerIn('timeout', 30, 3600, 600);
    const codeLength = integerIn('codeLength', 6, 12, 6);
    const locale = body['locale'];
    if (locale !== undefined && (typeof locale !== 'string' || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale))) fail('locale', 'must be a BCP 47 locale');
    const steps = body['steps'];
    if (!Array.isArray(steps) || steps.length === 0) fail('steps', 'must have at least one step');
    (Array.isArray(steps) ? steps : []).forEach((step: Record<string, unknown>, index) => {
      const at = `steps.${index}`;
      for (const key of Object.keys(step ?? {})) if (!STEP_KEYS.has(key)) fail(`${at}.${key}`, 'is not a known property');
      const target = (step?.['channelId'] ?? step?.['navigatorId']) as string | undefined;
      if ((step?.['channelId'] === undefined) === (step?.['navigatorId'] === undefined)) return fail(at, 'must have exactly one of channelId, navigatorId');
      const type = target === undefined ? undefined : this.#channelTypes.get(target);
      if (!type) return fail(at, 'the channel or navigator does not exist in this workspace');
      if (type === 'whatsapp' && !step['template']) fail(`${at}.template`, 'is required for WhatsApp');
      if (type === 'sms' && step['template']) fail(`${at}.template`, 'SMS does not support templates');
      if ((type === 'email') !== (email !== undefined)) fail(at, `a ${type} step needs ${type === 'email' ? 'an emailaddress' : 'a phonenumber'} identifier`);
    });
    if (Object.keys(details).length) return error(422, 'InvalidPayload', 'The request did not pass validation', details);
    const record: VerificationRecord = {
      id: randomUUID(),
      identifier: phone !== undefined ? { phonenumber: phone as string } : { emailaddress: email as string },
      // Bird's documented default: the language of the number's country, else en-US.
      locale: (locale as string | undefined) ?? (phone !== undefined ? languageOfNumber(phone as string) : undefined) ?? 'en-US',
      maxAttempts,
      failedAttempts: 0,
      timeout,
      codeLength,
      status: 'accepted',
      currentStepIndex: 0,
      steps: (steps as StepRecord[]).map((s) => ({ ...s })),
      createdAt: now,
      updatedAt: now,
      expiresAt: now + timeout * 1000,
      code: generateCode(codeLength),
    };
    this.#records.add(record);
    const view = this.#view(record);
    this.#send(record, now);
    return { status: 202, body: view };
  }

  #check(record: VerificationRecord, request: SimRequest, now: number): SimResponse {
    const code = (request.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || code === '') return error(422, 'InvalidPayload', 'The request did not pass validation', { code: ['is required'] });
    if (record.status === 'verified') return error(422, 'AlreadyVerified', 'The verification was already verified');
    if (record.status === 'expired') return error(422, 'VerificationExpired', 'The verification has expired');
    if (record.status === 'failed') return error(422, 'VerificationFailed', 'No attempts left');
    if (code !== record.code) {
      record.failedAttempts++;
      record.updatedAt = now;
      if (record.failedAttempts >= record.maxAttempts) record.status = 'failed';
      return error(422, 'InvalidCode', 'Verification failed');
    }
    record.status = 'verified';
    record.updatedAt = now;
    switch (this.#answers.checkAnswer ?? 'verification') {
      case 'no-status': {
        const { status: _status, ...rest } = this.#view(record);
        return { status: 200, body: rest };
      }
      case 'ack':
        return { status: 200, body: { message: 'Code was successfully verified' } };
      case 'empty':
        return { status: 200 };
      default:
        return { status: 200, body: this.#view(record) };
    }
  }

  /** The answer of an accepted resend or failover, as `stepAnswer` plays it. */
  #accepted(record: VerificationRecord): SimResponse {
    switch (this.#answers.stepAnswer ?? 'verification') {
      case 'ack':
        return { status: 202, body: { message: 'Request was accepted for processing' } };
      case 'text':
        return { status: 202, json: 'Accepted', headers: { 'content-type': 'text/plain' } };
      case 'empty':
        return { status: 202 };
      default:
        return { status: 202, body: this.#view(record) };
    }
  }

  #stepIndex(record: VerificationRecord, request: SimRequest, fallback: number): number | SimResponse {
    const value = (request.body as Record<string, unknown> | undefined)?.[STEP_INDEX_FIELD];
    if (value === undefined || value === null) return fallback;
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= record.steps.length) {
      return error(422, 'InvalidPayload', 'The request did not pass validation', { [STEP_INDEX_FIELD]: ['is out of range'] });
    }
    return value as number;
  }

  #resend(record: VerificationRecord, request: SimRequest, now: number): SimResponse {
    if (record.status !== 'pending' && record.status !== 'accepted') return error(422, 'InvalidState', `The verification is ${record.status}`);
    const step = this.#stepIndex(record, request, record.currentStepIndex);
    if (typeof step !== 'number') return step;
    record.currentStepIndex = step;
    this.#send(record, now);
    return this.#accepted(record);
  }

  #failover(record: VerificationRecord, request: SimRequest, now: number): SimResponse {
    if (record.status !== 'pending' && record.status !== 'accepted') return error(422, 'InvalidState', `The verification is ${record.status}`);
    const step = this.#stepIndex(record, request, record.currentStepIndex + 1);
    if (typeof step !== 'number') return step;
    if (step >= record.steps.length) return error(422, 'NoNextStep', 'There is no next step to fail over to');
    record.currentStepIndex = step;
    this.#send(record, now);
    return this.#accepted(record);
  }

  /** Newest first (oldest first with `reverse=true`); page tokens are keysets, so inserts never shift a walk. */
  #list(request: SimRequest, now: number): SimResponse {
    const q = request.query;
    const limit = Number(q.get(QUERY.limit) ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(422, 'InvalidPayload', 'The request did not pass validation', { limit: ['must be 1 to 100'] });
    const reverse = (q.get(QUERY.reverse) === 'true') !== (this.#order === 'asc');
    const startAt = q.get(QUERY.start) === null ? undefined : Date.parse(q.get(QUERY.start)!);
    const endAt = q.get(QUERY.end) === null ? undefined : Date.parse(q.get(QUERY.end)!);
    if (Number.isNaN(startAt) || Number.isNaN(endAt)) return error(422, 'InvalidPayload', 'The request did not pass validation', { startAt: ['must be a date'] });
    let after: { c: number; id: string } | undefined;
    const token = q.get(QUERY.pageToken);
    if (token) {
      try {
        after = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c: number; id: string };
      } catch {
        return error(422, 'InvalidPayload', 'The request did not pass validation', { pageToken: ['is invalid'] });
      }
    }
    const direction = reverse ? 1 : -1;
    const compare = (a: { c: number; id: string }, b: { c: number; id: string }) => (a.c !== b.c ? a.c - b.c : a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * direction;
    const key = (r: VerificationRecord) => ({ c: r.createdAt, id: r.id });
    const cacheKey = JSON.stringify([reverse, startAt, endAt]);
    const sorted = this.#records.sorted(cacheKey, (a, b) => compare(key(a), key(b)), (r) => (startAt === undefined || r.createdAt >= startAt) && (endAt === undefined || r.createdAt < endAt));
    // The first record after the page token's key (binary search over the sorted records).
    let low = 0;
    let high = sorted.length;
    while (after !== undefined && low < high) {
      const mid = (low + high) >>> 1;
      if (compare(key(sorted[mid]!), after) > 0) high = mid;
      else low = mid + 1;
    }
    const page = sorted.slice(low, low + limit);
    for (const record of page) this.#expire(record, now);
    const last = page.at(-1);
    const nextToken = low + limit < sorted.length && last ? `,"nextPageToken":"${Buffer.from(JSON.stringify(key(last))).toString('base64url')}"` : '';
    return { status: 200, json: `{"results":[${page.map((r) => this.#views.json(r)).join(',')}]${nextToken}}` };
  }

  // ---- state ----

  #expire(record: VerificationRecord, now: number): void {
    if ((record.status === 'pending' || record.status === 'accepted') && now >= record.expiresAt) {
      record.status = 'expired';
      record.updatedAt = record.expiresAt;
    }
  }

  #send(record: VerificationRecord, now: number): void {
    const step = record.steps[record.currentStepIndex]!;
    const type = this.#channelTypes.get((step.channelId ?? step.navigatorId)!)!;
    record.status = 'pending';
    record.updatedAt = now;
    if ((this.#outcomes[type] ?? 'delivered') !== 'delivered') return;
    const language = record.locale.split('-')[0]!.toLowerCase();
    this.inbox.add({
      to: (record.identifier.phonenumber ?? record.identifier.emailaddress)!,
      channel: type as Channel,
      code: record.code,
      text: (SMS_TEXT[language] ?? SMS_TEXT['en']!).replace('{code}', record.code),
      language,
      at: new Date(now),
      verificationId: record.id,
    });
  }

  #view(record: VerificationRecord): Record<string, unknown> {
    return {
      id: record.id,
      identifier: { ...record.identifier },
      locale: record.locale,
      maxAttempts: record.maxAttempts,
      failedAttempts: record.failedAttempts,
      timeout: record.timeout,
      codeLength: record.codeLength,
      status: this.#statusNames[record.status] ?? record.status,
      currentStepIndex: record.currentStepIndex,
      steps: record.steps.map((s) => ({ ...s })),
      createdAt: new Date(record.createdAt).toISOString(),
      updatedAt: new Date(record.updatedAt).toISOString(),
      expiresAt: new Date(record.expiresAt).toISOString(),
    };
  }
}

function error(status: number, code: string, message: string, details?: Record<string, string[]>): SimResponse {
  return { status, body: { code, message, ...(details && { details }) } };
}

/** Starts a Bird Verify simulator on 127.0.0.1. */
export function startMessagebirdSimulator(options: MessagebirdSimulatorOptions = {}): Promise<MessagebirdSimulator> {
  return MessagebirdSimulator.start(options);
}
