/**
 * A local simulator of LOX24's `verify_codes` API, faithful to the documented shapes and
 * rules: token auth (with the documented IP block after bad credentials), validation
 * errors as API Platform violations, delivery along the routing strategy with configurable
 * outcomes per channel, costs set when processing ends, pages, and an inbox.
 *
 * Where LOX24's behaviour is not documented, the simulator picks one (listed in
 * docs/vendors/lox24.md): 422 for rule violations and 400 for malformed bodies or unknown
 * fields, pages of 30 oldest first, every processed step costs its channel's price.
 */
import { UUID_PATTERN } from '../../src/validate.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { generateCode } from '../../src/codes/generate.js';
import { Inbox, type InboxMessage } from '../../testing/inbox.js';
import { SimulatorBase, type SeedInput, type SimulatedAt, type SimulatorConfig } from '../../testing/base.js';
import type { Lox24Config } from './config.js';
import { JsonCache, type Refusal, type SimRequest, type SimResponse, type SimServer } from '../../testing/server.js';
import { RecordStore } from '../../testing/records.js';
import { routeTable } from '../../testing/router.js';
import { Lox24WebhookSender, type Lox24WebhookDelivery } from './simulator-webhooks.js';

export type { Lox24WebhookDelivery } from './simulator-webhooks.js';

// LOX24's documented values, as the simulator reads them (not the adapter's constants).
/** @internal */
const LOX24_CHANNELS = ['telegram', 'voice', 'sms'] as const;
/** @internal */
type Lox24Channel = (typeof LOX24_CHANNELS)[number];
const LOX24_LANGS = ['EN', 'DE', 'FR', 'IT', 'ES', 'PL', 'NL', 'RO', 'PT', 'CS', 'HU', 'SV', 'DA', 'FI', 'SK', 'HR', 'TR', 'RU', 'BG', 'UK'] as const;

/** What happens when a step is processed. */
export type Lox24Outcome = 'delivered' | 'failed' | 'error';

/** Options of the LOX24 simulator. */
export interface Lox24SimulatorOptions {
  /** Port on 127.0.0.1 (a free one by default). */
  readonly port?: number;
  /** The accepted `X-LOX24-AUTH-TOKEN`. */
  readonly token?: string;
  /** The account's user id, in every verify code (1). */
  readonly userId?: number;
  /** Sender ids the account may use. */
  readonly senderIds?: readonly string[];
  /** Items per list page (30). */
  readonly pageSize?: number;
  /** Outcome of each channel (all `delivered` by default), or a function of phone and channel. */
  readonly outcomes?: Partial<Record<Lox24Channel, Lox24Outcome>> | ((phone: string, channel: Lox24Channel) => Lox24Outcome);
  /** Simulated seconds each step takes (0: processed on the next look). */
  readonly stepSeconds?: number;
  /** Price of a processed step, euro cents. */
  readonly prices?: Partial<Record<Lox24Channel, number>>;
  /** Account balance in cents; a create is refused with 402 when it is not positive. */
  readonly balanceCents?: number;
  /** Added to every answer. */
  readonly latencyMs?: number;
  /**
   * The order of `GET /verify_codes`, which LOX24 does not document: `asc` by `created_at`
   * (default), `desc` (as LOX24's other collections say), or `id` (API Platform's default
   * when nothing is configured: UUIDs, so no time order at all).
   */
  readonly order?: 'asc' | 'desc' | 'id';
  /** Whether `_order[created_at]=asc|desc` is honoured (API Platform ignores undeclared filters). */
  readonly honourOrder?: boolean;
  /** Whether `created_at[gte|gt|lte|lt]` are honoured. */
  readonly honourDateFilters?: boolean;
  /** `auto` (default): JSON-LD with hydra for `Accept: application/ld+json`, else a bare array; or always one of them. */
  readonly format?: 'auto' | 'hydra' | 'array';
  /**
   * Where to post LOX24's verify-code webhooks as delivery proceeds (delivery then runs by
   * itself, not only when read): `verify_code.channel.updated`, `.channel.sent`,
   * `.channel.success` / `.channel.failed`, then `verify_code.success` / `.failed`. A non-2xx
   * answer is retried (4 deliveries at most, `attempt_number` counting up), as LOX24 does.
   */
  readonly webhookUrl?: string;
  /** Milliseconds between retries of a webhook (100). */
  readonly webhookRetryMs?: number;
}


/** @internal */
interface StepRecord {
  channel: Lox24Channel;
  timeout_sec: number | null;
  sender_id: string | null;
  template: string | null;
}
/** @internal */
interface HistoryRecord {
  id: string;
  channel: Lox24Channel;
  status: number;
  processed_at: number;
  external_id: string | null;
}
/** @internal */
interface VerifyCodeRecord {
  id: string;
  user_id: number;
  phone: string;
  code: string;
  code_length: number;
  lang: string;
  routing_strategy: StepRecord[];
  status: number;
  delivered_channel: Lox24Channel | null;
  cost: number | null;
  currency: string | null;
  payload: string | null;
  created_at: number;
  updated_at: number;
  history: HistoryRecord[];
  is_code_deleted: boolean;
  /** Simulation state. */
  sim: { step: number; stepStartedMs: number; costCents: number; done: boolean };
}

const DEFAULT_TOKEN = '1234567:simulator0000000000000000000000';
const PROBLEM_TYPE = 'https://tools.ietf.org/html/rfc2616#section-10';
const VIOLATION_CODE = 'c1051bb4-d103-4f74-8988-acbcafc7fdc3';
const BODY_KEYS = new Set(['phone', 'code', 'code_length', 'lang', 'payload', 'is_code_deleted', 'routing_strategy']);
const STEP_KEYS = new Set(['channel', 'timeout_sec', 'sender_id', 'template']);
const UUID_PATH = new RegExp(`^/verify_codes/(${UUID_PATTERN})$`);
// LOX24's translated default templates, where the simulator knows them (others are written in English, under their own lang).
const DEFAULT_TEXT: Record<string, string> = { DE: 'Ihr Code lautet: {{code}}', EN: 'Your code is: {{code}}', PL: 'Twój kod to: {{code}}', FR: 'Votre code est : {{code}}' };
const BAD_CREDENTIAL_LIMIT = 3;
const ORDERS = {
  asc: (a: VerifyCodeRecord, b: VerifyCodeRecord) => a.created_at - b.created_at,
  desc: (a: VerifyCodeRecord, b: VerifyCodeRecord) => b.created_at - a.created_at,
  id: (a: VerifyCodeRecord, b: VerifyCodeRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
};
const BLOCK_WINDOW_MS = 60_000;
const BLOCK_MS = 600_000;

/** A running LOX24 simulator. */
export class Lox24Simulator extends SimulatorBase {
  readonly #inbox = new Inbox();
  /** The accepted token. */
  readonly token: string;
  /** Current account balance, cents. */
  balanceCents: number;
  readonly #records = new RecordStore<VerifyCodeRecord>();
  /** Records still being delivered. */
  readonly #active = new Set<VerifyCodeRecord>();
  readonly #views = new JsonCache<VerifyCodeRecord>(
    (r) => `${r.status}|${r.updated_at}|${r.history.length}|${r.cost}|${r.sim.done}`,
    (r) => this.#view(r),
  );
  readonly #options: Required<Omit<Lox24SimulatorOptions, 'port' | 'latencyMs' | 'balanceCents' | 'outcomes' | 'prices' | 'webhookUrl' | 'webhookRetryMs'>> & {
    prices: Record<Lox24Channel, number>;
  };
  #outcomes: Lox24SimulatorOptions['outcomes'];
  readonly #badCredentials = new Map<string, number[]>();
  readonly #webhooks: Lox24WebhookSender | undefined;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #blockedUntil = new Map<string, number>();

  private constructor(server: SimServer, options: Lox24SimulatorOptions) {
    super(server);
    this.token = options.token ?? DEFAULT_TOKEN;
    this.balanceCents = options.balanceCents ?? Number.POSITIVE_INFINITY;
    this.#outcomes = options.outcomes;
    this.#webhooks = options.webhookUrl ? new Lox24WebhookSender(options.webhookUrl, options.webhookRetryMs ?? 100) : undefined;
    this.#options = {
      token: this.token,
      userId: options.userId ?? 12345,
      senderIds: options.senderIds ?? ['LOX24'],
      pageSize: options.pageSize ?? 30,
      stepSeconds: options.stepSeconds ?? 0,
      order: options.order ?? 'asc',
      honourOrder: options.honourOrder ?? false,
      honourDateFilters: options.honourDateFilters ?? false,
      format: options.format ?? 'auto',
      prices: { telegram: 5, voice: 20, sms: 9, ...options.prices },
    };
  }

  /** Starts a simulator on 127.0.0.1. */
  static start(options: Lox24SimulatorOptions = {}): Promise<Lox24Simulator> {
    return SimulatorBase.listen(options, (server) => new Lox24Simulator(server, options));
  }

  /** What was delivered, up to now (due delivery steps are processed first). */
  get inbox(): Inbox {
    this.#processAll();
    return this.#inbox;
  }

  /** Every webhook delivery made so far, in order. */
  get webhookDeliveries(): readonly Lox24WebhookDelivery[] {
    return this.#webhooks?.deliveries ?? [];
  }

  /** Resolves once every webhook produced so far has been delivered (or given up on). */
  async webhooksSettled(): Promise<void> {
    for (;;) {
      await this.#webhooks?.settled();
      if (this.#timers.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops the server and any webhook retries still due. */
  override async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await super.close();
  }

  /** Changes the outcome of a channel (or all of them, with a function). */
  setOutcomes(outcomes: Lox24SimulatorOptions['outcomes'] & object): void {
    this.#outcomes = outcomes;
  }
  /** The code last delivered to a phone number (or for a verify code id), processing due steps first. */
  lastCode(phoneOrId: string): string | undefined {
    return this.lastMessage(phoneOrId)?.code;
  }
  /** The message last delivered to a phone number (or for a verify code id), processing due steps first. */
  lastMessage(phoneOrId: string): InboxMessage | undefined {
    const record = this.#records.get(phoneOrId);
    if (record) this.#process(record, this.now());
    else this.#processAll();
    return this.#inbox.last(phoneOrId);
  }
  /** Every verify code held, processed up to now, as LOX24 would return it. */
  verifyCodes(): unknown[] {
    this.#processAll();
    return this.#records.all().map((record) => this.#view(record));
  }
  /** The token it accepts. */
  get credentials(): Pick<Lox24Config, 'token'> {
    return { token: this.token };
  }

  /** A config that works against this simulator. */
  config(): SimulatorConfig & Lox24Config & SimulatedAt & Required<Pick<Lox24Config, 'secret'>> {
    return { provider: 'lox24', token: this.token, secret: 'simulator-secret-0123456789', baseUrl: this.url };
  }

  describe(): string[] {
    return [`LOX24       ${this.url}   X-LOX24-AUTH-TOKEN: ${this.token}`];
  }

  /**
   * Adds a finished verify code directly (for list tests and benchmarks), as if created at
   * `createdAt` and delivered on its first step (every step failed for `failed`).
   */
  seed(input: SeedInput): string {
    const id = randomUUID();
    const channels: Lox24Channel[] = [(input.channel as Lox24Channel | undefined) ?? 'sms'];
    const status = input.status === 'failed' ? 20 : 10;
    const createdAt = Math.floor(input.createdAt.getTime() / 1000);
    const history = channels.map((channel, index) => ({
      id: randomUUID(),
      channel,
      status: status === 10 && index === channels.length - 1 ? 10 : 20,
      processed_at: createdAt + index + 1,
      external_id: `${channel}_${id.slice(0, 8)}_${index}`,
    }));
    const cost = input.price === undefined ? channels.reduce((sum, channel) => sum + this.#options.prices[channel], 0) : Math.round(Number(input.price) * 100);
    this.#add({
      id,
      user_id: this.#options.userId,
      phone: input.to,
      code: '0000',
      code_length: 4,
      lang: 'EN',
      routing_strategy: channels.map((channel) => ({ channel, timeout_sec: channel === 'telegram' ? 30 : null, sender_id: null, template: null })),
      status,
      delivered_channel: status === 10 ? channels[channels.length - 1]! : null,
      cost,
      currency: 'EUR',
      payload: input.reference ?? null,
      created_at: createdAt,
      updated_at: input.finishedAt === undefined ? createdAt + channels.length : Math.floor(input.finishedAt.getTime() / 1000),
      history,
      is_code_deleted: true,
      sim: { step: channels.length, stepStartedMs: createdAt * 1000, costCents: cost, done: true },
    });
    return id;
  }

  #add(record: VerifyCodeRecord): void {
    this.#records.add(record);
    if (!record.sim.done) this.#active.add(record);
  }

  // ---- routes ----

  protected override refusal(reason: Refusal, request: SimRequest): SimResponse | undefined {
    if (reason === 'auth') return this.#problem(401, "Client ID or API key isn't active or invalid!");
    if (reason === 'rate-limit') return this.#problem(429, 'IP address was temporary blocked, because during short time from it was sent many request with invalid credentials. Please wait and try later.');
    return request.method === 'POST' && request.path === '/verify_codes' ? this.#problem(402, 'There are not enough funds on your account!') : undefined;
  }

  protected route(request: SimRequest): SimResponse {
    return this.#routes(request);
  }

  readonly #routes = routeTable(
    [
      { method: 'POST', path: '/verify_codes', run: (request) => this.#create(request, this.now()) },
      { method: 'GET', path: '/verify_codes', run: (request) => this.#list(request, this.now()) },
      { method: 'GET', path: UUID_PATH, run: (_request, [id]) => this.#read(id!.toLowerCase()) },
    ],
    {
      authorize: (request) => {
        const now = this.now();
        const blocked = this.#blockedUntil.get(request.ip);
        if (blocked !== undefined && now < blocked) {
          return this.#problem(429, 'IP address was temporary blocked, because during short time from it was sent many request with invalid credentials. Please wait and try later.');
        }
        if (request.headers['x-lox24-auth-token'] === this.token) return undefined;
        this.#noteBadCredentials(request.ip, now);
        return this.#problem(401, "Client ID or API key isn't active or invalid!");
      },
      notFound: () => this.#problem(404, 'Not Found'),
      wrongMethod: () => this.#problem(405, 'Method Not Allowed'),
    },
  );

  #read(id: string): SimResponse {
    const record = this.#records.get(id);
    if (!record) return this.#problem(404, 'Not Found');
    this.#process(record, this.now());
    return this.#ok(200, this.#view(record));
  }

  #create(request: SimRequest, now: number): SimResponse {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return this.#problem(400, 'Syntax error: the body is not a JSON object');
    const input = body as Record<string, unknown>;
    const extra = Object.keys(input).filter((key) => !BODY_KEYS.has(key));
    if (extra.length) return this.#problem(400, `Extra attributes are not allowed ("${extra.join('", "')}" are unknown).`);
    const violations = this.#validate(input);
    if (violations.length) return this.#violations(violations);
    if (!(this.balanceCents > 0)) return this.#problem(402, 'There are not enough funds on your account!');

    const strategy = (input['routing_strategy'] as Record<string, unknown>[]).map((step) => ({
      channel: step['channel'] as Lox24Channel,
      timeout_sec: (step['timeout_sec'] as number | null | undefined) ?? (step['channel'] === 'telegram' ? 30 : null),
      sender_id: (step['sender_id'] as string | null | undefined) ?? null,
      template: (step['template'] as string | null | undefined) ?? null,
    }));
    const codeLength = (input['code_length'] as number | null | undefined) ?? 4;
    const code = (input['code'] as string | null | undefined) ?? generateCode(codeLength);
    const id = randomUUID();
    const seconds = Math.floor(now / 1000);
    const record: VerifyCodeRecord = {
      id,
      user_id: this.#options.userId,
      phone: input['phone'] as string,
      code,
      code_length: code.length,
      lang: (input['lang'] as string | undefined) ?? 'DE',
      routing_strategy: strategy,
      status: 0,
      delivered_channel: null,
      cost: null,
      currency: null,
      payload: (input['payload'] as string | null | undefined) ?? null,
      created_at: seconds,
      updated_at: seconds,
      history: [],
      is_code_deleted: (input['is_code_deleted'] as boolean | null | undefined) ?? false,
      sim: { step: 0, stepStartedMs: now, costCents: 0, done: false },
    };
    this.#add(record);
    // Delivery starts after the answer: the created object is New, as LOX24 returns it.
    if (this.#webhooks) this.#drive(record, 0);
    return this.#ok(201, this.#view(record));
  }

  #list(request: SimRequest, now: number): SimResponse {
    const pageText = request.query.get('page') ?? '1';
    const page = Number(pageText);
    if (!Number.isInteger(page) || page < 1) return this.#problem(400, 'Page should not be less than 1');
    const size = this.#options.pageSize;
    const all = this.#listed(request.query); // one account: every record is this user's
    const slice = all.slice((page - 1) * size, page * size);
    for (const record of slice) this.#process(record, now);
    const accept = String(request.headers['accept'] ?? '');
    const hydra = this.#options.format === 'hydra' || (this.#options.format === 'auto' && accept.includes('ld+json'));
    if (!hydra) return { status: 200, json: `[${slice.map((record) => this.#views.json(record)).join(',')}]`, headers: this.#headers() };
    const members = slice.map((record) => this.#view(record));
    const lastPage = Math.max(1, Math.ceil(all.length / size));
    return this.#ok(200, {
      '@context': '/contexts/VerifyCode',
      '@id': '/verify_codes',
      '@type': 'hydra:Collection',
      'hydra:member': members,
      'hydra:totalItems': all.length,
      'hydra:view': {
        '@id': `/verify_codes?page=${page}`,
        '@type': 'hydra:PartialCollectionView',
        'hydra:first': '/verify_codes?page=1',
        'hydra:last': `/verify_codes?page=${lastPage}`,
        ...(page < lastPage && { 'hydra:next': `/verify_codes?page=${page + 1}` }),
      },
    });
  }

  /** The records a list query sees, in the simulator's order (or the honoured `_order`), date filters applied when honoured. */
  #listed(query: URLSearchParams): VerifyCodeRecord[] {
    const asked = query.get('_order[created_at]');
    const order = this.#options.honourOrder && (asked === 'asc' || asked === 'desc') ? asked : this.#options.order;
    let records = this.#inOrder(order);
    if (!this.#options.honourDateFilters) return records;
    const bound = (op: string) => {
      const value = query.get(`created_at[${op}]`);
      return value === null || value === '' ? undefined : Number(value);
    };
    const [gte, gt, lte, lt] = ['gte', 'gt', 'lte', 'lt'].map(bound);
    if ([gte, gt, lte, lt].every((b) => b === undefined)) return records;
    records = records.filter(
      (r) => (gte === undefined || r.created_at >= gte) && (gt === undefined || r.created_at > gt) && (lte === undefined || r.created_at <= lte) && (lt === undefined || r.created_at < lt),
    );
    return records;
  }

  #inOrder(order: 'asc' | 'desc' | 'id'): VerifyCodeRecord[] {
    return this.#records.sorted(order, ORDERS[order]);
  }

  #validate(input: Record<string, unknown>): { path: string; message: string }[] {
    const out: { path: string; message: string }[] = [];
    const phone = input['phone'];
    if (typeof phone !== 'string' || phone.length < 5 || phone.length > 30) out.push({ path: 'phone', message: 'This value should have 5 to 30 characters.' });
    const code = input['code'];
    if (code != null && (typeof code !== 'string' || code.length < 4 || code.length > 8)) out.push({ path: 'code', message: 'This value should have 4 to 8 characters.' });
    const codeLength = input['code_length'];
    if (codeLength != null && (!Number.isInteger(codeLength) || (codeLength as number) < 4 || (codeLength as number) > 8)) {
      out.push({ path: 'code_length', message: 'This value should be between 4 and 8.' });
    }
    const lang = input['lang'];
    if (lang !== undefined && !(LOX24_LANGS as readonly unknown[]).includes(lang)) out.push({ path: 'lang', message: 'The value you selected is not a valid choice.' });
    const payload = input['payload'];
    if (payload != null && (typeof payload !== 'string' || payload.length > 128)) out.push({ path: 'payload', message: 'This value is too long. It should have 128 characters or less.' });
    const deleted = input['is_code_deleted'];
    if (deleted != null && typeof deleted !== 'boolean') out.push({ path: 'is_code_deleted', message: 'This value should be of type bool.' });
    const strategy = input['routing_strategy'];
    if (!Array.isArray(strategy) || strategy.length === 0) {
      out.push({ path: 'routing_strategy', message: 'At least one routing step is required.' });
      return out;
    }
    const seen = new Set<unknown>();
    strategy.forEach((step: unknown, index) => {
      const at = `routing_strategy[${index}]`;
      if (typeof step !== 'object' || step === null) return void out.push({ path: at, message: 'This value should be of type object.' });
      const fields = step as Record<string, unknown>;
      const unknown = Object.keys(fields).filter((key) => !STEP_KEYS.has(key));
      if (unknown.length) out.push({ path: at, message: `Extra attributes are not allowed ("${unknown.join('", "')}" are unknown).` });
      const channel = fields['channel'];
      if (!(LOX24_CHANNELS as readonly unknown[]).includes(channel)) return void out.push({ path: `${at}.channel`, message: 'The value you selected is not a valid choice.' });
      if (seen.has(channel)) out.push({ path: `${at}.channel`, message: 'Duplicate channels are not allowed.' });
      seen.add(channel);
      if (channel === 'sms' && index !== strategy.length - 1) out.push({ path: `${at}.channel`, message: 'The sms channel can only be the last step.' });
      const timeout = fields['timeout_sec'];
      if (channel === 'telegram' && timeout != null && (!Number.isInteger(timeout) || (timeout as number) < 30 || (timeout as number) > 3600)) {
        out.push({ path: `${at}.timeout_sec`, message: 'This value should be between 30 and 3600.' });
      }
      const sender = fields['sender_id'];
      if (channel !== 'telegram' && sender != null && !this.#options.senderIds.includes(sender as string)) {
        out.push({ path: `${at}.sender_id`, message: 'This sender ID is not allowed for your account.' });
      }
      const template = fields['template'];
      if (channel !== 'telegram' && template != null) {
        if (typeof template !== 'string' || template.length > 70) out.push({ path: `${at}.template`, message: 'This value is too long. It should have 70 characters or less.' });
        else if (!template.includes('{{code}}')) out.push({ path: `${at}.template`, message: 'The template must contain {{code}}.' });
      }
    });
    return out;
  }

  // ---- delivery ----

  #processAll(): void {
    const now = this.now();
    for (const record of this.#active) this.#process(record, now);
  }

  /** Advances a verify code along its routing strategy up to `now`. */
  #process(record: VerifyCodeRecord, now: number): void {
    const { sim } = record;
    while (!sim.done) {
      const step = record.routing_strategy[sim.step]!;
      const due = sim.stepStartedMs + this.#options.stepSeconds * 1000;
      if (now < due) {
        record.status = 5;
        return;
      }
      const outcome = this.#outcomeOf(record.phone, step.channel);
      const processedAt = Math.floor(due / 1000);
      const status = outcome === 'delivered' ? 10 : outcome === 'failed' ? 20 : 100;
      if (sim.step === 0 && record.status === 0) {
        record.status = 5;
        this.#webhook('verify_code.channel.updated', record, processedAt);
      }
      const entry = { id: randomUUID(), channel: step.channel, status, processed_at: processedAt, external_id: `${step.channel}_${randomBytes(6).toString('hex')}` };
      record.history.push(entry);
      const price = this.#options.prices[step.channel];
      this.#webhook('verify_code.channel.sent', record, processedAt, { ...entry, status: 5, error: null, cost: price });
      this.#webhook(outcome === 'delivered' ? 'verify_code.channel.success' : 'verify_code.channel.failed', record, processedAt, {
        ...entry,
        error: outcome === 'delivered' ? null : outcome === 'failed' ? `${step.channel} delivery failed` : `${step.channel} channel error`,
        cost: price,
      });
      sim.costCents += this.#options.prices[step.channel];
      this.balanceCents -= this.#options.prices[step.channel];
      record.updated_at = processedAt;
      if (outcome === 'delivered') {
        this.#inbox.add({
          to: record.phone,
          channel: step.channel,
          code: record.code,
          text: this.#text(record, step),
          language: record.lang.toLowerCase(),
          at: new Date(due),
          verificationId: record.id,
        });
        record.delivered_channel = step.channel;
        this.#finish(record, 10);
      } else if (sim.step === record.routing_strategy.length - 1) {
        this.#finish(record, status);
      } else {
        sim.step++;
        sim.stepStartedMs = due;
        record.status = 5;
      }
    }
  }

  #finish(record: VerifyCodeRecord, status: number): void {
    this.#active.delete(record);
    record.status = status;
    record.cost = record.sim.costCents;
    record.currency = 'EUR';
    record.sim.done = true;
    this.#webhook(status === 10 ? 'verify_code.success' : 'verify_code.failed', record, record.updated_at);
  }

  /** Processes a record by itself as its steps fall due (only when webhooks are on). */
  #drive(record: VerifyCodeRecord, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#process(record, this.now());
      if (!record.sim.done) this.#drive(record, Math.max(1, record.sim.stepStartedMs + this.#options.stepSeconds * 1000 - this.now()));
    }, delayMs);
    this.#timers.add(timer);
  }

  /** Queues one webhook event (the read model as it is now, with the code, as LOX24 sends it). */
  #webhook(name: string, record: VerifyCodeRecord, at: number, channel?: Record<string, unknown>): void {
    if (!this.#webhooks) return;
    const { sim: _sim, ...model } = record;
    this.#webhooks.send(name, at, { ...model, history: record.history.map((h) => ({ ...h })), routing_strategy: record.routing_strategy.map((r) => ({ ...r })), ...(channel && { channel }) });
  }

  #outcomeOf(phone: string, channel: Lox24Channel): Lox24Outcome {
    const outcomes = this.#outcomes;
    if (typeof outcomes === 'function') return outcomes(phone, channel);
    return outcomes?.[channel] ?? 'delivered';
  }

  #text(record: VerifyCodeRecord, step: StepRecord): string {
    if (step.channel === 'telegram') return `Your verification code: ${record.code}`;
    const template = step.template ?? DEFAULT_TEXT[record.lang] ?? DEFAULT_TEXT['EN']!;
    return template.split('{{code}}').join(record.code);
  }

  /** The documented read model; the code is gone once delivery ended with `is_code_deleted`. */
  #view(record: VerifyCodeRecord): Record<string, unknown> {
    const { sim, code, ...rest } = record;
    return { ...rest, code: record.is_code_deleted && sim.done ? null : code, history: record.history.map((h) => ({ ...h })) };
  }

  // ---- answers ----

  #noteBadCredentials(ip: string, now: number): void {
    const recent = (this.#badCredentials.get(ip) ?? []).filter((at) => now - at < BLOCK_WINDOW_MS);
    recent.push(now);
    this.#badCredentials.set(ip, recent);
    if (recent.length > BAD_CREDENTIAL_LIMIT) this.#blockedUntil.set(ip, now + BLOCK_MS);
  }

  #headers(): Record<string, string> {
    return { 'X-LOX24-REQUEST-ID': randomBytes(16).toString('hex') };
  }

  #ok(status: number, body: unknown): SimResponse {
    return { status, body, headers: this.#headers() };
  }

  #problem(status: number, detail: string): SimResponse {
    return { status, body: { type: PROBLEM_TYPE, title: 'An error occurred', detail }, headers: this.#headers() };
  }

  #violations(violations: { path: string; message: string }[]): SimResponse {
    return {
      status: 422,
      headers: this.#headers(),
      body: {
        type: PROBLEM_TYPE,
        title: 'An error occurred',
        detail: violations.map((v) => `${v.path}: ${v.message}`).join('\n'),
        violations: violations.map((v) => ({ propertyPath: v.path, message: v.message, code: VIOLATION_CODE })),
      },
    };
  }
}


/** Starts a LOX24 simulator on 127.0.0.1. */
export function startLox24Simulator(options: Lox24SimulatorOptions = {}): Promise<Lox24Simulator> {
  return Lox24Simulator.start(options);
}
