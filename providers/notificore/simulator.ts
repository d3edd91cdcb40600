/**
 * A local simulator of Notificore's 2FA API (`/api/auth/*`, `/api/2fa/*`), faithful to the
 * OpenAPI spec and help.notificore.ru: JWT login and refresh with expiring tokens, the
 * `{ data }` envelopes, approved templates with `{code2fa}`, code lifetime and max tries,
 * wrong codes answered with 404, prices set when an authentication finishes, the list
 * filters, offsets, limits, sorting and `total`, an inbox, and faults.
 *
 * Where Notificore is silent the simulator picks (docs/notificore.md lists each): 401 body
 * `{"message":"Unauthenticated."}`, 422 "Authentication verified status" for a second
 * verify, resend restarts the code lifetime, the authentication price is charged only when
 * verified, and messages are priced per channel.
 */
import type { NotificoreConfig } from './config.js';
import { UUID_PATTERN } from '../../src/validate.js';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { generateCode } from '../../src/codes/generate.js';
import { Inbox } from '../../testing/inbox.js';
import { SimulatorBase, type SeedInput, type SimulatedAt, type SimulatorConfig } from '../../testing/base.js';
import { JsonCache, type Refusal, type SimRequest, type SimResponse, type SimServer } from '../../testing/server.js';
import { RecordStore } from '../../testing/records.js';
import { routeTable } from '../../testing/router.js';

/** Notificore's channels, as the simulator reads its docs. */
type NotificoreChannel = 'sms' | 'viber';

/** How a simulated Notificore message ends. */
export type NotificoreOutcome = 'delivered' | 'undelivered';

/** A message template of the simulated account. */
export interface NotificoreTemplate {
  /** Its id, as `templateId` takes it. */
  readonly id: number;
  /** Contains `{code2fa}`. */
  readonly text: string;
  /** Whether it may be used (`approved`, by default). */
  readonly status?: 'approved' | 'requested' | 'rejected';
  /** ISO alpha-2 countries the template may be sent to; all when absent. */
  readonly countries?: readonly string[];
}

/** Options of the Notificore simulator. */
export interface NotificoreSimulatorOptions {
  /** Port on 127.0.0.1 (a free one by default). */
  readonly port?: number;
  /** The accepted API key. */
  readonly apiKey?: string;
  /** JWT lifetime in seconds (3600). */
  readonly tokenTtlSeconds?: number;
  /** The account's templates (one approved template, id 1, by default). */
  readonly templates?: readonly NotificoreTemplate[];
  /** Delivery outcome per channel (`delivered` by default). */
  readonly outcomes?: Partial<Record<NotificoreChannel, NotificoreOutcome>>;
  /** Account currency (EUR). */
  readonly currency?: string;
  /** Price of a verified authentication, decimal string (`'0.02'`). */
  readonly authenticationPrice?: string;
  /** Price of one message per channel, decimal strings. */
  readonly messagePrices?: Partial<Record<NotificoreChannel, string>>;
  /** How prices are written: JSON numbers (default), or strings with a decimal comma as in the cancel example. */
  readonly priceFormat?: 'number' | 'comma-string';
  /** Account balance; a create with a balance at or below 0 is refused with "Insufficient funds". */
  readonly balance?: number;
  /** Added to every answer, milliseconds. */
  readonly latencyMs?: number;
  /** Serves at most this many items a page whatever `page[limit]` asks (a server that caps pages). */
  readonly maxPageSize?: number;
  /** Called after each list answer (to change the data between the pages of a walk). */
  readonly afterList?: (simulator: NotificoreSimulator) => void;
}

/** @internal */
interface MessageRecord {
  id: string;
  recipient: string;
  status: 'accepted' | 'delivered' | 'undelivered';
  channel: NotificoreChannel;
  sender: string;
  price: string;
  currency: string;
  sent_at: string | null;
  created_at: string;
}

/** @internal */
interface AuthenticationRecord {
  id: string;
  recipient: string;
  status: 'pending' | 'verified' | 'expired' | 'failed' | 'canceled';
  channel: NotificoreChannel;
  sender: string;
  sender_alt: string | null;
  message_text: string;
  code_lifetime: number;
  code_max_tries: number;
  code_digits: number;
  price: string;
  currency: string;
  country_code: string | null;
  expired_at: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  messages: MessageRecord[];
  sim: { code: string; tries: number };
}

const DEFAULT_API_KEY = 'live_simulator0000000000';
const SIGNING_KEY = randomBytes(32);
const INVALID = 'The given data was invalid.';
const SERVICE_ERROR = 'TwoFA Service error.';
const UUID_PART = `(${UUID_PATTERN})`;
const ROUTES = {
  verify: new RegExp(`^/api/2fa/authentications/otp/${UUID_PART}/verify$`),
  resend: new RegExp(`^/api/2fa/authentications/otp/${UUID_PART}/resend$`),
  cancel: new RegExp(`^/api/2fa/authentications/${UUID_PART}/cancel$`),
  item: new RegExp(`^/api/2fa/authentications/${UUID_PART}$`),
};
const SORT_KEYS = ['id', 'status', 'channel', 'recipient', 'created_at', 'finished_at', 'country_code'] as const;
const STATUSES = ['pending', 'verified', 'expired', 'failed', 'canceled'];
/** Country of a recipient by calling code, for `country_code` (a small table; others are null). */
const COUNTRIES: [string, string][] = [['380', 'UA'], ['375', 'BY'], ['61', 'AU'], ['49', 'DE'], ['44', 'GB'], ['43', 'AT'], ['33', 'FR'], ['31', 'NL'], ['7', 'RU'], ['1', 'US']];

/** `YYYY-MM-DD HH:MM:SS`, UTC, as Notificore writes dates. */
function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A running Notificore simulator. */
export class NotificoreSimulator extends SimulatorBase {
  readonly inbox = new Inbox();
  /** The API key it accepts. */
  readonly apiKey: string;
  /** The account balance: each message costs its price; at 0 or below, starts are refused. */
  balance: number;
  readonly #records = new RecordStore<AuthenticationRecord>();
  /** Pending authentications, swept for expiry before a list. */
  readonly #pending = new Set<AuthenticationRecord>();
  /** Bumped by every change; list results are cached per query until it moves. */
  /** Full views (with messages), as get and list return them. */
  readonly #views = new JsonCache<AuthenticationRecord>(
    (r) => `${r.status}|${r.updated_at}|${r.expired_at}|${r.price}|${r.messages.length}`,
    (r) => this.#view(r, true),
  );
  readonly #templates: NotificoreTemplate[];
  readonly #options: NotificoreSimulatorOptions;
  #outcomes: Partial<Record<NotificoreChannel, NotificoreOutcome>>;
  /** Tokens issued so far. */
  tokensIssued = 0;
  /** Tokens of an older generation are refused (`revokeTokens()`). */
  #generation = 0;

  private constructor(server: SimServer, options: NotificoreSimulatorOptions) {
    super(server);
    this.#options = options;
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
    this.balance = options.balance ?? Number.POSITIVE_INFINITY;
    this.#outcomes = { ...options.outcomes };
    this.#templates = [...(options.templates ?? [{ id: 1, text: 'Your code is {code2fa}', status: 'approved' }])];
  }

  /** Starts the simulator on 127.0.0.1 (a free port). */
  static start(options: NotificoreSimulatorOptions = {}): Promise<NotificoreSimulator> {
    return SimulatorBase.listen(options, (server) => new NotificoreSimulator(server, options));
  }

  setOutcomes(outcomes: Partial<Record<NotificoreChannel, NotificoreOutcome>>): void {
    this.#outcomes = { ...outcomes };
  }
  /** The code last delivered to a phone number (E.164 or digits) or for an authentication id. */
  lastCode(phoneOrId: string): string | undefined {
    return (this.inbox.last(phoneOrId) ?? this.inbox.last(`+${phoneOrId.replace(/^\+/, '')}`))?.code;
  }
  /** Refuses every token issued so far (a vendor that drops its sessions): the next call gets a 401. */
  revokeTokens(): void {
    this.#generation++;
  }

  /** Sets an authentication's status directly (a walk's data changing under it). */
  setStatus(id: string, status: AuthenticationRecord['status']): void {
    const record = this.#records.get(id);
    if (!record) throw new RangeError(`no authentication ${id}`);
    record.status = status;
    this.#records.changed();
  }

  /** Ids in the order the list serves them for `sort=created_at&way=desc` (newest first). */
  newestFirst(): string[] {
    return [...this.#records.all()].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1)).map((r) => r.id);
  }

  /** The API key it accepts. */
  get credentials(): Pick<NotificoreConfig, 'apiKey'> {
    return { apiKey: this.apiKey };
  }

  /** A config that works against this simulator (template 1 is approved; any sender). */
  config(): SimulatorConfig & NotificoreConfig & SimulatedAt {
    return { provider: 'notificore', apiKey: this.apiKey, sender: 'MyApp', templateId: this.#templates[0]!.id, baseUrl: this.url };
  }

  describe(): string[] {
    return [`Notificore  ${this.url}   api_key: ${this.apiKey}   template ${this.#templates[0]!.id}, any sender`];
  }

  /** Adds a finished authentication directly (list tests, benchmarks); returns its id. */
  seed(input: SeedInput): string {
    const id = randomUUID();
    const createdAt = Math.floor(input.createdAt.getTime() / 1000) * 1000;
    const recipient = input.to.replace(/^\+/, '');
    this.#records.changed();
    const status = input.status ?? 'verified';
    const currency = this.#options.currency ?? 'EUR';
    const channel = (input.channel as NotificoreChannel | undefined) ?? 'sms';
    this.#records.add({
      id,
      recipient,
      status,
      channel,
      sender: 'SENDER',
      sender_alt: null,
      message_text: this.#templates[0]!.text,
      code_lifetime: 300,
      code_max_tries: 3,
      code_digits: 6,
      price: input.price ?? (status === 'verified' ? this.#authPrice() : '0'),
      currency,
      country_code: countryOf(recipient),
      expired_at: createdAt + 300_000,
      created_at: createdAt,
      updated_at: createdAt,
      finished_at: status === 'pending' ? null : (input.finishedAt === undefined ? createdAt + 60_000 : Math.floor(input.finishedAt.getTime() / 1000) * 1000),
      messages: [this.#message(recipient, channel, 'SENDER', status === 'failed' ? 'undelivered' : 'delivered', createdAt)],
      sim: { code: '000000', tries: 0 },
    });
    return id;
  }

  // ---- auth ----

  #issueToken(now: number): string {
    this.tokensIssued++;
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
    const iat = Math.floor(now / 1000);
    const payload = Buffer.from(JSON.stringify({ iat, exp: iat + (this.#options.tokenTtlSeconds ?? 3600), jti: randomUUID(), g: this.#generation })).toString('base64url');
    const signature = createHmac('sha256', SIGNING_KEY).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** Whether the request carries a token this simulator signed that has not expired. */
  #authorized(request: SimRequest, now: number): boolean {
    const match = /^Bearer (.+)$/.exec(String(request.headers['authorization'] ?? ''));
    const [header, payload, signature] = match?.[1]?.split('.') ?? [];
    if (!header || !payload || !signature) return false;
    const expected = createHmac('sha256', SIGNING_KEY).update(`${header}.${payload}`).digest('base64url');
    if (expected !== signature) return false;
    const { exp, g } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number; g?: number };
    return now < exp * 1000 && g === this.#generation;
  }

  // ---- routes ----

  protected override refusal(reason: Refusal, request: SimRequest): SimResponse | undefined {
    if (reason === 'auth') return { status: 401, body: { message: 'Unauthenticated.' } };
    if (reason === 'rate-limit') return { status: 429, body: { message: 'Too many duplicate request detected' } };
    return request.method === 'POST' && request.path === '/api/2fa/authentications/otp' ? invalid(['Insufficient funds']) : undefined;
  }

  protected route(request: SimRequest): SimResponse {
    if (request.method !== 'GET') this.#records.changed();
    return this.#routes(request);
  }

  // Notificore's dates have whole seconds; so does everything the simulator stores.
  #second(): number {
    return Math.floor(this.now() / 1000) * 1000;
  }

  readonly #routes = routeTable(
    [
      {
        method: 'POST',
        path: '/api/auth/login',
        open: true,
        run: (request) => {
          const key = (request.body as { api_key?: unknown } | undefined)?.api_key;
          return key === this.apiKey ? { status: 200, body: { bearer: this.#issueToken(this.#second()) } } : { status: 401, body: { message: 'Unauthenticated.' } };
        },
      },
      { method: 'POST', path: '/api/auth/refresh', run: () => ({ status: 200, body: { bearer: this.#issueToken(this.#second()) } }) },
      { method: 'POST', path: '/api/2fa/authentications/otp', run: (request) => this.#create(request, this.#second()) },
      { method: 'GET', path: '/api/2fa/authentications', run: (request) => this.#list(request, this.#second()) },
      { method: 'POST', path: ROUTES.verify, run: (request, [id]) => this.#verify(id!, request, this.#second()) },
      { method: 'POST', path: ROUTES.resend, run: (_request, [id]) => this.#resend(id!, this.#second()) },
      { method: 'POST', path: ROUTES.cancel, run: (_request, [id]) => this.#cancel(id!, this.#second()) },
      {
        method: 'GET',
        path: ROUTES.item,
        run: (_request, [id]) => {
          const record = this.#find(id!, this.#second());
          return record ? { status: 200, json: `{"data":${this.#views.json(record)}}` } : notFound();
        },
      },
    ],
    {
      authorize: (request) => (this.#authorized(request, this.#second()) ? undefined : { status: 401, body: { message: 'Unauthenticated.' } }),
      notFound: () => ({ status: 404, body: { message: 'Not Found' } }),
    },
  );

  #create(request: SimRequest, now: number): SimResponse {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const fail = (field: string, message: string) => (errors[field] ??= []).push(message);
    const recipient = body['recipient'];
    if (typeof recipient !== 'string' && typeof recipient !== 'number') fail('recipient', 'The recipient field is required.');
    else if (!/^\d{9,15}$/.test(String(recipient))) fail('recipient', 'The recipient must be 9 to 15 digits.');
    const channel = typeof body['channel'] === 'string' ? body['channel'].toLowerCase() : undefined;
    if (channel !== 'sms' && channel !== 'viber') fail('channel', 'The value you selected is not a valid choice.');
    const sender = body['sender'];
    if (typeof sender !== 'string' || !/^(?:[A-Za-z0-9 !#$%&'()*+,\-./:;<=>?@_]{3,11}|\d{3,15})$/.test(sender)) fail('sender', 'The sender format is invalid.');
    const senderAlt = body['sender_alt'];
    if (senderAlt != null && (typeof senderAlt !== 'string' || senderAlt.length < 3 || senderAlt.length > 15)) fail('sender_alt', 'The sender alt format is invalid.');
    const integerIn = (field: string, min: number, max: number) => {
      const value = Number(body[field]);
      if (body[field] === undefined || body[field] === null) fail(field, `The ${field.replace(/_/g, ' ')} field is required.`);
      else if (!Number.isInteger(value) || value < min || value > max) fail(field, `The ${field.replace(/_/g, ' ')} must be between ${min} and ${max}.`);
      return value;
    };
    const templateId = integerIn('template_id', 1, 999_999_999);
    const lifetime = integerIn('code_lifetime', 30, 300);
    const maxTries = integerIn('code_max_tries', 1, 5);
    const digits = integerIn('code_digits', 3, 9);
    if (Object.keys(errors).length) return { status: 422, body: { message: INVALID, errors } };

    const template = this.#templates.find((t) => t.id === templateId);
    if (!template) return invalid(['Template is not available.']);
    if ((template.status ?? 'approved') !== 'approved') return invalid(['Invalid template status']);
    const digitsOnly = String(recipient);
    const country = countryOf(digitsOnly);
    if (template.countries && (!country || !template.countries.includes(country))) {
      return invalid([
        'The recipients phone number is located in a country that is not on the list of countries allowed for the selected template. Please register new message template.',
      ]);
    }
    if (!(this.balance > 0)) return invalid(['Insufficient funds']);
    const record: AuthenticationRecord = {
      id: randomUUID(),
      recipient: digitsOnly,
      status: 'pending',
      channel: channel as NotificoreChannel,
      sender: sender as string,
      sender_alt: channel === 'viber' && typeof senderAlt === 'string' ? senderAlt : null,
      message_text: template.text,
      code_lifetime: lifetime,
      code_max_tries: maxTries,
      code_digits: digits,
      price: '0',
      currency: this.#options.currency ?? 'EUR',
      country_code: country,
      expired_at: now + lifetime * 1000,
      created_at: now,
      updated_at: now,
      finished_at: null,
      messages: [],
      sim: { code: generateCode(digits), tries: 0 },
    };
    this.#records.add(record);
    this.#pending.add(record);
    this.#send(record, now);
    return { status: 201, body: { data: this.#view(record, false) } };
  }

  #verify(id: string, request: SimRequest, now: number): SimResponse {
    const record = this.#find(id, now);
    if (!record) return notFound();
    const code = (request.body as { access_code?: unknown } | undefined)?.access_code;
    if (code === undefined || code === null || !/^\d{3,9}$/.test(String(code))) {
      return { status: 422, body: { message: INVALID, errors: { access_code: ['The access code must be 3 to 9 digits.'] } } };
    }
    if (record.status !== 'pending') return this.#notPending(record);
    if (String(code) !== record.sim.code) {
      record.sim.tries++;
      record.updated_at = now;
      if (record.sim.tries >= record.code_max_tries) this.#finish(record, 'failed', now);
      return { status: 404, body: { message: SERVICE_ERROR, errors: ['The code does not match the expected value'] } };
    }
    record.price = this.#authPrice();
    this.#finish(record, 'verified', now);
    return { status: 200, body: { data: this.#view(record, false) } };
  }

  #resend(id: string, now: number): SimResponse {
    const record = this.#find(id, now);
    if (!record) return notFound();
    if (record.status !== 'pending') return this.#notPending(record);
    record.sim.code = generateCode(record.code_digits);
    record.expired_at = now + record.code_lifetime * 1000;
    record.updated_at = now;
    this.#send(record, now);
    return { status: 200, body: { data: this.#view(record, false) } };
  }

  #cancel(id: string, now: number): SimResponse {
    const record = this.#find(id, now);
    if (!record) return notFound();
    if (record.status !== 'pending') return this.#notPending(record);
    record.price = '0';
    this.#finish(record, 'canceled', now);
    return { status: 200, body: { data: this.#view(record, false) } };
  }

  #list(request: SimRequest, now: number): SimResponse {
    const q = request.query;
    const errors: Record<string, string[]> = {};
    const fail = (field: string, message: string) => (errors[field] ??= []).push(message);
    const offset = Number(q.get('page[offset]') ?? 0);
    const limit = Number(q.get('page[limit]') ?? 10);
    if (!Number.isInteger(offset) || offset < 0) fail('page.offset', 'The page.offset must be at least 0.');
    if (!Number.isInteger(limit) || limit < 10 || limit > 500) fail('page.limit', 'The page.limit must be between 10 and 500.');
    const from = Date.parse(q.get('filter[from]') ?? '');
    const to = Date.parse(q.get('filter[to]') ?? '');
    if (!q.get('filter[from]')) fail('filter.from', 'The filter.from field is required.');
    else if (Number.isNaN(from)) fail('filter.from', 'The filter.from is not a valid date.');
    if (!q.get('filter[to]')) fail('filter.to', 'The filter.to field is required.');
    else if (Number.isNaN(to)) fail('filter.to', 'The filter.to is not a valid date.');
    const ids = [...q.getAll('filter[ids]'), ...q.getAll('filter[ids][]')];
    if (ids.length > 3) fail('filter.ids', 'The filter.ids may not have more than 3 items.');
    const status = q.get('filter[status]');
    if (status !== null && !STATUSES.includes(status)) fail('filter.status', 'The selected filter.status is invalid.');
    const channel = q.get('filter[channel]')?.toLowerCase();
    if (channel !== undefined && channel !== 'sms' && channel !== 'viber') fail('filter.channel', 'The selected filter.channel is invalid.');
    const recipient = q.get('filter[recipient]');
    if (recipient !== null && !/^\d{9,15}$/.test(recipient)) fail('filter.recipient', 'The filter.recipient must be 9 to 15 digits.');
    const country = q.get('filter[country_code]');
    const sort = (q.get('sort') ?? 'created_at') as (typeof SORT_KEYS)[number];
    if (!SORT_KEYS.includes(sort)) fail('sort', 'The selected sort is invalid.');
    const way = q.get('way') ?? 'asc';
    if (way !== 'asc' && way !== 'desc') fail('way', 'The selected way is invalid.');
    if (Object.keys(errors).length) return { status: 422, body: { message: INVALID, errors } };

    for (const record of this.#pending) this.#expire(record, now);
    const key = JSON.stringify([from, to, ids, status, channel, recipient, country, sort, way]);
    const matches = this.#matching(key, from, to, ids, status, channel, recipient, country, sort, way);
    const served = Math.min(limit, this.#options.maxPageSize ?? limit);
    const list = matches.slice(offset, offset + served).map((record) => this.#views.json(record));
    const answer: SimResponse = { status: 200, json: `{"data":{"list":[${list.join(',')}],"total":${matches.length}}}` };
    this.#options.afterList?.(this);
    return answer;
  }

  #matching(
    key: string,
    from: number,
    to: number,
    ids: string[],
    status: string | null,
    channel: string | undefined,
    recipient: string | null,
    country: string | null,
    sort: (typeof SORT_KEYS)[number],
    way: string,
  ): AuthenticationRecord[] {
    // filter[to] is a date: the whole day is included.
    const toEnd = to + 86_400_000;
    const direction = way === 'desc' ? -1 : 1;
    const field = (record: AuthenticationRecord): string | number => record[sort] ?? '';
    const compare = (a: AuthenticationRecord, b: AuthenticationRecord) => {
      const x = field(a);
      const y = field(b);
      if (x !== y) return (x < y ? -1 : 1) * direction;
      return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * direction;
    };
    return this.#records.sorted(key, compare, (record) => {
      return (
        record.created_at >= from &&
        record.created_at < toEnd &&
        (ids.length === 0 || ids.includes(record.id)) &&
        (status === null || record.status === status) &&
        (channel === undefined || record.channel === channel) &&
        (recipient === null || record.recipient === recipient) &&
        (country === null || record.country_code === country)
      );
    });
  }

  // ---- state ----

  #find(id: string, now: number): AuthenticationRecord | undefined {
    const record = this.#records.get(id.toLowerCase());
    if (record) this.#expire(record, now);
    return record;
  }

  #expire(record: AuthenticationRecord, now: number): void {
    if (record.status === 'pending' && now >= record.expired_at) this.#finish(record, 'expired', record.expired_at);
  }

  #finish(record: AuthenticationRecord, status: AuthenticationRecord['status'], at: number): void {
    this.#pending.delete(record);
    this.#records.changed();
    record.status = status;
    record.finished_at = at;
    record.updated_at = at;
  }

  #notPending(record: AuthenticationRecord): SimResponse {
    const text = record.status === 'expired' ? 'Authentication expired' : `Authentication ${record.status} status`;
    return { status: 422, body: { message: SERVICE_ERROR, errors: [text] } };
  }

  /** Sends the current code on the authentication's channel, falling back to SMS for Viber with `sender_alt`. */
  #send(record: AuthenticationRecord, now: number): void {
    const outcome = this.#outcomes[record.channel] ?? 'delivered';
    record.messages.push(this.#message(record.recipient, record.channel, record.sender, outcome, now));
    this.#charge(record.channel);
    if (outcome === 'delivered') return this.#deliver(record, record.channel, now);
    if (record.channel === 'viber' && record.sender_alt) {
      const fallback = this.#outcomes.sms ?? 'delivered';
      record.messages.push(this.#message(record.recipient, 'sms', record.sender_alt, fallback, now));
      this.#charge('sms');
      if (fallback === 'delivered') this.#deliver(record, 'sms', now);
    }
  }

  #deliver(record: AuthenticationRecord, channel: NotificoreChannel, now: number): void {
    this.inbox.add({
      to: `+${record.recipient}`,
      channel,
      code: record.sim.code,
      text: record.message_text.split('{code2fa}').join(record.sim.code),
      at: new Date(now),
      verificationId: record.id,
    });
  }

  #message(recipient: string, channel: NotificoreChannel, sender: string, outcome: NotificoreOutcome, now: number): MessageRecord {
    return {
      id: randomUUID(),
      recipient,
      status: outcome === 'delivered' ? 'delivered' : 'undelivered',
      channel,
      sender,
      price: this.#messagePrice(channel),
      currency: this.#options.currency ?? 'EUR',
      sent_at: formatDate(now),
      created_at: formatDate(now),
    };
  }

  #messagePrice(channel: NotificoreChannel): string {
    return this.#options.messagePrices?.[channel] ?? (channel === 'viber' ? '0.0321459' : '0.0642918');
  }

  #charge(channel: NotificoreChannel): void {
    this.balance -= Number(this.#messagePrice(channel));
  }

  #authPrice(): string {
    return this.#options.authenticationPrice ?? '0.02';
  }

  #price(amount: string): number | string {
    return this.#options.priceFormat === 'comma-string' ? amount.replace('.', ',') : Number(amount);
  }

  /** The documented object; `messages` and `updated_at` only on get and list. */
  #view(record: AuthenticationRecord, full: boolean): Record<string, unknown> {
    const view: Record<string, unknown> = {
      id: record.id,
      recipient: record.recipient,
      status: record.status,
      channel: record.channel,
      sender: record.sender,
      sender_alt: record.sender_alt,
      message_text: record.message_text,
      code_lifetime: record.code_lifetime,
      code_max_tries: record.code_max_tries,
      code_digits: record.code_digits,
      price: this.#price(record.price),
      currency: record.currency,
      country_code: record.country_code,
      expired_at: formatDate(record.expired_at),
      created_at: formatDate(record.created_at),
      finished_at: record.finished_at === null ? null : formatDate(record.finished_at),
    };
    if (full) {
      view['updated_at'] = formatDate(record.updated_at);
      view['messages'] = record.messages.map((m) => ({ ...m, price: this.#price(m.price) }));
    }
    return view;
  }
}

function notFound(): SimResponse {
  return { status: 404, body: { message: SERVICE_ERROR, errors: ['Authentication not found'] } };
}

function invalid(errors: string[]): SimResponse {
  return { status: 422, body: { message: INVALID, errors } };
}

function countryOf(digits: string): string | null {
  return COUNTRIES.find(([prefix]) => digits.startsWith(prefix))?.[1] ?? null;
}


/** Starts a Notificore simulator on 127.0.0.1. */
export function startNotificoreSimulator(options: NotificoreSimulatorOptions = {}): Promise<NotificoreSimulator> {
  return NotificoreSimulator.start(options);
}
