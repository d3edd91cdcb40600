/**
 * A local simulator of Twilio Verify v2, as its OpenAPI description and error pages tell it:
 * form-encoded requests, HTTP Basic auth (Account SID + Auth Token or API Key SID + secret), one
 * Verify Service; a create to a recipient with a pending verification continues it (same SID,
 * same code, at most 5 sends: 60203); checks by SID or recipient (200 `pending` for a wrong
 * code, 60202 after 5); cancel as `Status=canceled`; a life of 10 minutes; the Attempts list with
 * prices, conversion and delivery statuses, `PageSize`/`PageToken` and `meta.next_page_url`;
 * Twilio's error bodies `{ code, message, more_info, status }`.
 *
 * Where Twilio is silent the simulator plays each plausible reading (docs/twilio.md lists them):
 * `ended` — a verification that ended is deleted (404 to fetch, check and update: Twilio's support
 * pages) or still readable with its status; `attemptOrder` — the Attempts list newest first,
 * oldest first or in no order; `dates` — ISO 8601 (the description's examples) or RFC 2822 (its prose).
 */
import { randomBytes } from 'node:crypto';
import { generateCode } from '../../src/codes/generate.js';
import { languageOfNumber } from '../../src/locale.js';
import type { Channel } from '../../src/model.js';
import { SimulatorBase, type SeedInput, type SimulatedAt, type SimulatorConfig } from '../../testing/base.js';
import { Inbox, type InboxMessage } from '../../testing/inbox.js';
import { RecordStore } from '../../testing/records.js';
import { routeTable } from '../../testing/router.js';
import type { Refusal, SimRequest, SimResponse, SimServer } from '../../testing/server.js';
import type { TwilioConfig } from './config.js';

const SERVICE_PATH = /^\/v2\/Services\/([^/]+)\/(Verifications|VerificationCheck)$/;
const ITEM_PATH = /^\/v2\/Services\/([^/]+)\/Verifications\/([^/]+)$/;
const ATTEMPTS_PATH = /^\/v2\/Attempts$/;
const LIFE_MS = 600_000;
const MAX_CHECKS = 5;
const MAX_SENDS = 5;
// The channels the simulator delivers on, by Twilio's name; `sna` and `auto` are refused (not simulated).
const CHANNELS: Readonly<Record<string, Channel>> = { sms: 'sms', call: 'voice', whatsapp: 'whatsapp', email: 'email' };
// The languages of the simulator's texts; other supported ones are written in English.
const TEXTS: Readonly<Record<string, string>> = { en: 'Your {name} verification code is: {code}', de: 'Ihr {name}-Bestätigungscode lautet: {code}', pl: 'Twój kod weryfikacyjny {name} to: {code}', fr: 'Votre code de vérification {name} est : {code}', es: 'Tu código de verificación de {name} es: {code}' };
const LOCALES = new Set(['af', 'ar', 'ca', 'zh', 'zh-CN', 'zh-HK', 'hr', 'cs', 'da', 'nl', 'en', 'en-GB', 'et', 'fi', 'fr', 'de', 'el', 'he', 'hi', 'hu', 'id', 'it', 'ja', 'kn', 'ko', 'lt', 'ms', 'mr', 'nb', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'es', 'sv', 'tl', 'te', 'th', 'tr', 'uk', 'vi']);
// The simulator's prices per attempt, by channel (USD, as Twilio bills).
const PRICES: Readonly<Record<string, string>> = { sms: '0.0083', call: '0.0130', whatsapp: '0.0050', email: '0.0000' };

/** How a simulated Twilio delivery ends. */
export type TwilioOutcome = 'delivered' | 'failed';

/** Options of the Twilio simulator. */
export interface TwilioSimulatorOptions {
  /** Port on 127.0.0.1 (a free one by default). */
  readonly port?: number;
  /** The Account SID and Auth Token it accepts (fixed test values by default). */
  readonly accountSid?: string;
  /** The Auth Token it accepts with the Account SID. */
  readonly authToken?: string;
  /** An API Key SID and secret it accepts as well. */
  readonly apiKeySid?: string;
  /** The API Key's secret. */
  readonly apiKeySecret?: string;
  /** The Verify Service it serves. */
  readonly serviceSid?: string;
  /** The Service accepts `CustomCode` (off by default, as on a Twilio account). */
  readonly customCode?: boolean;
  /** The Service's code length (6). */
  readonly codeLength?: number;
  /** Delivery outcome per channel (`delivered` by default). */
  readonly outcomes?: Partial<Record<'sms' | 'voice' | 'whatsapp' | 'email', TwilioOutcome>>;
  /** Added to every answer, milliseconds. */
  readonly latencyMs?: number;
  /** What an ended verification answers: `deleted` (404, the default, as Twilio's support pages say) or `readable` (its status). */
  readonly ended?: 'deleted' | 'readable';
  /** The Attempts list's order, which Twilio does not document (`newest` by default). */
  readonly attemptOrder?: 'newest' | 'oldest' | 'shuffled';
  /** How dates are written: `iso` (the description's examples, the default) or `rfc2822` (its prose). */
  readonly dates?: 'iso' | 'rfc2822';
  /** The HTTP status of a check's answer: 200 or 201 (the description has examples of both; 200 by default). */
  readonly checkStatus?: 200 | 201;
  /** Number prefixes Fraud Guard blocks (60410), e.g. `['+88']`. */
  readonly blockedPrefixes?: readonly string[];
  /** The currency of attempt prices, lower case as in the description's example (`usd`). */
  readonly currency?: string;
}

/** @internal */
interface VerificationRecord {
  id: string;
  to: string;
  channel: string;
  status: 'pending' | 'approved' | 'canceled' | 'max_attempts_reached' | 'expired';
  code: string;
  createdAt: number;
  updatedAt: number;
  checks: number;
  sends: string[];
  locale: string | undefined;
}

/** @internal */
interface AttemptRecord {
  id: string;
  verificationId: string;
  createdAt: number;
  updatedAt: number;
  channel: string;
  to: string;
  delivered: boolean;
  price: string;
  country: string | undefined;
}

const DEFAULTS = {
  accountSid: `AC${'0'.repeat(31)}1`,
  authToken: 'simulator-auth-token-0000000000000',
  apiKeySid: `SK${'0'.repeat(31)}1`,
  apiKeySecret: 'simulator-api-key-secret-00000000',
  serviceSid: `VA${'0'.repeat(31)}1`,
};

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A running Twilio Verify simulator. */
export class TwilioSimulator extends SimulatorBase {
  readonly inbox = new Inbox();
  /** The Account SID it accepts. */
  readonly accountSid: string;
  /** The Auth Token it accepts. */
  readonly authToken: string;
  /** The API Key SID it accepts. */
  readonly apiKeySid: string;
  /** The API Key secret it accepts. */
  readonly apiKeySecret: string;
  /** The Verify Service it serves. */
  readonly serviceSid: string;
  readonly #records = new RecordStore<VerificationRecord>();
  readonly #attempts = new RecordStore<AttemptRecord>();
  /** The newest verification of each recipient (a recipient has one pending at a time). */
  readonly #latest = new Map<string, VerificationRecord>();
  readonly #options: TwilioSimulatorOptions;
  #outcomes: TwilioSimulatorOptions['outcomes'];

  private constructor(server: SimServer, options: TwilioSimulatorOptions) {
    super(server);
    this.#options = options;
    this.accountSid = options.accountSid ?? DEFAULTS.accountSid;
    this.authToken = options.authToken ?? DEFAULTS.authToken;
    this.apiKeySid = options.apiKeySid ?? DEFAULTS.apiKeySid;
    this.apiKeySecret = options.apiKeySecret ?? DEFAULTS.apiKeySecret;
    this.serviceSid = options.serviceSid ?? DEFAULTS.serviceSid;
    this.#outcomes = { ...options.outcomes };
  }

  /** Starts the simulator on 127.0.0.1 (a free port). */
  static start(options: TwilioSimulatorOptions = {}): Promise<TwilioSimulator> {
    return SimulatorBase.listen(options, (server) => new TwilioSimulator(server, options));
  }

  setOutcomes(outcomes: Partial<Record<'sms' | 'voice' | 'whatsapp' | 'email', TwilioOutcome>>): void {
    this.#outcomes = { ...outcomes };
  }
  /** The code last delivered to a phone number, e-mail address or for a verification SID. */
  lastCode(recipientOrId: string): string | undefined {
    return this.inbox.last(recipientOrId)?.code;
  }
  /** The message last delivered to a phone number, e-mail address or for a verification SID. */
  lastMessage(recipientOrId: string): InboxMessage | undefined {
    return this.inbox.last(recipientOrId);
  }
  /** The Account SID and Auth Token it accepts, and its Service. */
  get credentials(): Pick<TwilioConfig, 'accountSid' | 'authToken' | 'serviceSid'> {
    return { accountSid: this.accountSid, authToken: this.authToken, serviceSid: this.serviceSid };
  }

  /** A config that works against this simulator. */
  config(): SimulatorConfig & TwilioConfig & SimulatedAt {
    return { provider: 'twilio', accountSid: this.accountSid, authToken: this.authToken, serviceSid: this.serviceSid, ...(this.#options.customCode && { customCode: true }), baseUrl: this.url };
  }

  describe(): string[] {
    return [`Twilio      ${this.url}   Account ${this.accountSid}   Auth Token ${this.authToken}   Service ${this.serviceSid}`];
  }

  /** Adds a finished verification directly (list tests, benchmarks, the demo): one SMS attempt; returns its SID. */
  seed(input: SeedInput): string {
    const createdAt = input.createdAt.getTime();
    const status = input.status === 'expired' ? 'expired' : input.status === 'failed' ? 'max_attempts_reached' : input.status === 'canceled' ? 'canceled' : 'approved';
    const channel = input.channel === 'voice' ? 'call' : (input.channel ?? 'sms');
    const finished = input.finishedAt?.getTime() ?? createdAt + 30_000;
    const record = this.#records.add({ id: sid('VE'), to: input.to, channel, status, code: '000000', createdAt, updatedAt: finished, checks: status === 'max_attempts_reached' ? MAX_CHECKS : 0, sends: [], locale: undefined });
    const attempt = this.#attempt(record, createdAt, input.price);
    attempt.updatedAt = finished;
    return record.id;
  }

  // ---- routes ----

  protected override refusal(reason: Refusal, request: SimRequest): SimResponse | undefined {
    if (reason === 'auth') return error(401, 20003, 'Authenticate');
    if (reason === 'rate-limit') return error(429, 20429, 'Too many requests');
    // Twilio's answer to an account without balance, on what sends: 20005 "Account not active" (HTTP 401 would read as bad credentials; Twilio documents 20005 for suspended accounts).
    return request.method === 'POST' && SERVICE_PATH.exec(request.path)?.[2] === 'Verifications' ? error(402, 20005, 'Account not active') : undefined;
  }

  protected route(request: SimRequest): SimResponse {
    if (request.method !== 'GET') {
      this.#records.changed();
      this.#attempts.changed();
    }
    return this.#routes(request);
  }

  readonly #routes = routeTable(
    [
      { method: 'POST', path: SERVICE_PATH, run: (request, [service, what]) => this.#inService(service!, request) ?? (what === 'Verifications' ? this.#create(request) : this.#check(request)) },
      { method: 'GET', path: ITEM_PATH, run: (request, [service, id]) => this.#inService(service!, request) ?? this.#fetch(id!, request) },
      { method: 'POST', path: ITEM_PATH, run: (request, [service, id]) => this.#inService(service!, request) ?? this.#update(id!, request) },
      { method: 'GET', path: ATTEMPTS_PATH, run: (request) => this.#listAttempts(request) },
    ],
    {
      authorize: (request) => {
        const given = request.headers['authorization'];
        return given === basic(this.accountSid, this.authToken) || given === basic(this.apiKeySid, this.apiKeySecret) ? undefined : error(401, 20003, 'Authenticate');
      },
      notFound: (request) => notFound(request.path),
      wrongMethod: () => error(405, 20004, 'Method not allowed'),
    },
  );

  #inService(service: string, request: SimRequest): SimResponse | undefined {
    return service === this.serviceSid ? undefined : notFound(request.path);
  }

  #now(): number {
    return this.now();
  }

  #live(record: VerificationRecord | undefined): VerificationRecord | undefined {
    if (record?.status === 'pending' && this.#now() >= record.createdAt + LIFE_MS) {
      record.status = 'expired';
      record.updatedAt = record.createdAt + LIFE_MS;
    }
    return record;
  }

  /** The record an ended-state rule lets a request see (deleted: only pending ones). */
  #visible(id: string): VerificationRecord | undefined {
    const record = this.#live(this.#records.get(id));
    if (!record) return undefined;
    return record.status === 'pending' || this.#options.ended === 'readable' ? record : undefined;
  }

  #create(request: SimRequest): SimResponse {
    const form = new URLSearchParams(request.rawBody);
    const to = form.get('To');
    const channel = form.get('Channel');
    if (!to) return error(400, 60200, 'Invalid parameter `To`: missing');
    if (!channel || !CHANNELS[channel]) return error(400, 60200, `Invalid parameter \`Channel\`: ${channel ?? 'missing'}`);
    const email = channel === 'email';
    if (email ? !/^[^@\s]+@[^@\s]+$/.test(to) : !/^\+[1-9]\d{6,14}$/.test(to)) return error(400, 60200, 'Invalid parameter `To`');
    const locale = form.get('Locale') ?? undefined;
    if (locale !== undefined && !LOCALES.has(locale)) return notFound(request.path);
    const custom = form.get('CustomCode');
    if (custom !== null && (!this.#options.customCode || !/^[\x21-\x7e]{4,10}$/.test(custom))) return error(400, 60200, 'Invalid parameter `CustomCode`');
    if (!email && this.#options.blockedPrefixes?.some((prefix) => to.startsWith(prefix))) return error(403, 60410, 'Verification delivery attempt blocked');
    const now = this.#now();
    const latest = this.#live(this.#latest.get(to));
    const pending = latest?.status === 'pending' ? latest : undefined;
    if (pending) {
      if (pending.sends.length >= MAX_SENDS) return error(429, 60203, 'Max send attempts reached');
      pending.channel = channel;
      pending.updatedAt = now;
      if (locale !== undefined) pending.locale = locale;
      this.#deliver(pending, now, form.get('CustomFriendlyName'));
      return { status: 201, body: this.#view(pending) };
    }
    const record = this.#records.add({ id: sid('VE'), to, channel, status: 'pending', code: custom ?? generateCode(this.#options.codeLength ?? 6), createdAt: now, updatedAt: now, checks: 0, sends: [], locale });
    this.#latest.set(to, record);
    this.#deliver(record, now, form.get('CustomFriendlyName'));
    return { status: 201, body: this.#view(record) };
  }

  #check(request: SimRequest): SimResponse {
    const form = new URLSearchParams(request.rawBody);
    const code = form.get('Code');
    const id = form.get('VerificationSid');
    const to = form.get('To');
    if (!code) return error(400, 60200, 'Invalid parameter `Code`');
    if (!id && !to) return error(400, 60200, 'Invalid parameter: either `To` or `VerificationSid` must be specified');
    const record = [id ? this.#records.get(id) : this.#latest.get(to!)].map((r) => this.#live(r)).find((r) => r?.status === 'pending' || r?.status === 'max_attempts_reached' || (r !== undefined && this.#options.ended === 'readable' && r.status !== 'approved'));
    if (!record) return notFound(request.path);
    if (record.checks >= MAX_CHECKS) return error(429, 60202, 'Max check attempts reached');
    if (record.status !== 'pending') return { status: this.#options.checkStatus ?? 200, body: this.#checkView(record) };
    const now = this.#now();
    record.updatedAt = now;
    if (code === record.code) {
      record.status = 'approved';
      for (const attempt of this.#attempts.all()) if (attempt.verificationId === record.id) attempt.updatedAt = now;
    } else if (++record.checks >= MAX_CHECKS) {
      record.status = 'max_attempts_reached';
      return { status: this.#options.checkStatus ?? 200, body: { ...this.#checkView(record), status: 'pending' } };
    }
    return { status: this.#options.checkStatus ?? 200, body: this.#checkView(record) };
  }

  #fetch(id: string, request: SimRequest): SimResponse {
    const record = this.#visible(id);
    return record ? { status: 200, body: this.#view(record) } : notFound(request.path);
  }

  #update(id: string, request: SimRequest): SimResponse {
    const status = new URLSearchParams(request.rawBody).get('Status');
    if (status !== 'canceled' && status !== 'approved') return error(400, 60200, 'Invalid parameter `Status`');
    const record = this.#live(this.#records.get(id));
    if (!record || record.status !== 'pending') return notFound(request.path);
    record.status = status;
    record.updatedAt = this.#now();
    return { status: 200, body: this.#view(record) };
  }

  #listAttempts(request: SimRequest): SimResponse {
    const q = request.query;
    const size = Number(q.get('PageSize') ?? 50);
    if (!Number.isInteger(size) || size < 1 || size > 1000) return error(400, 20001, 'Invalid PageSize');
    const after = q.get('DateCreatedAfter');
    const before = q.get('DateCreatedBefore');
    const afterMs = after === null ? undefined : Date.parse(after);
    const beforeMs = before === null ? undefined : Date.parse(before);
    if (Number.isNaN(afterMs) || Number.isNaN(beforeMs)) return error(400, 20001, 'Invalid DateCreatedAfter or DateCreatedBefore');
    const service = q.get('VerifyServiceSid');
    const only = q.get('VerificationSid');
    const to = q.get('ChannelData.To');
    const conversion = q.get('Status');
    const order = this.#options.attemptOrder ?? 'newest';
    const compare = (a: AttemptRecord, b: AttemptRecord) =>
      order === 'shuffled' ? (a.id.slice(-6) < b.id.slice(-6) ? -1 : 1) : (order === 'newest' ? b.createdAt - a.createdAt : a.createdAt - b.createdAt) || (a.id < b.id ? -1 : 1);
    const keep = (a: AttemptRecord) =>
      (service === null || service === this.serviceSid) &&
      (only === null || a.verificationId === only) &&
      (to === null || a.to === to) &&
      (afterMs === undefined || a.createdAt > afterMs) &&
      (beforeMs === undefined || a.createdAt < beforeMs) &&
      (conversion === null || this.#conversion(a) === conversion.toLowerCase());
    const sorted = this.#attempts.sorted(JSON.stringify([order, service, only, to, afterMs, beforeMs, conversion]), compare, keep);
    const token = q.get('PageToken');
    const offset = token === null ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString('utf8').replace(/^PA/, ''), 10);
    if (!Number.isInteger(offset) || offset < 0) return error(400, 20001, 'Invalid PageToken');
    const page = sorted.slice(offset, offset + size);
    const index = Math.floor(offset / size);
    const url = (pageIndex: number, at: number) => {
      const params = new URLSearchParams(q);
      params.set('PageSize', String(size));
      params.set('Page', String(pageIndex));
      if (at > 0) params.set('PageToken', Buffer.from(`PA${at}`).toString('base64url'));
      else params.delete('PageToken');
      return `${this.url}/v2/Attempts?${params}`;
    };
    return {
      status: 200,
      body: {
        attempts: page.map((a) => this.#attemptView(a)),
        meta: {
          key: 'attempts',
          page: index,
          page_size: size,
          first_page_url: url(0, 0),
          previous_page_url: offset > 0 ? url(index - 1, Math.max(0, offset - size)) : null,
          url: url(index, offset),
          next_page_url: offset + size < sorted.length ? url(index + 1, offset + size) : null,
        },
      },
    };
  }

  // ---- state ----

  #attempt(record: VerificationRecord, now: number, price?: string): AttemptRecord {
    const type = CHANNELS[record.channel]!;
    const attempt = this.#attempts.add({
      id: sid('VL'),
      verificationId: record.id,
      createdAt: now,
      updatedAt: now,
      channel: record.channel,
      to: record.to,
      delivered: (this.#outcomes?.[type as 'sms'] ?? 'delivered') === 'delivered',
      price: price ?? PRICES[record.channel]!,
      country: record.channel === 'email' ? undefined : countryOf(record.to),
    });
    record.sends.push(attempt.id);
    return attempt;
  }

  #deliver(record: VerificationRecord, now: number, friendlyName: string | null): void {
    const attempt = this.#attempt(record, now);
    if (!attempt.delivered) return;
    const language = (record.locale ?? (record.channel === 'email' ? undefined : languageOfNumber(record.to)) ?? 'en').split('-')[0]!.toLowerCase();
    const text = (TEXTS[language] ?? TEXTS['en']!).replace('{name}', friendlyName ?? 'polyverify').replace('{code}', record.code);
    this.inbox.add({ to: record.to, channel: CHANNELS[record.channel]!, code: record.code, text, language, at: new Date(now), verificationId: record.id });
  }

  #conversion(attempt: AttemptRecord): 'converted' | 'unconverted' {
    return this.#records.get(attempt.verificationId)?.status === 'approved' ? 'converted' : 'unconverted';
  }

  #date(ms: number): string {
    const date = new Date(ms);
    return this.#options.dates === 'rfc2822' ? date.toUTCString().replace('GMT', '+0000') : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  #view(record: VerificationRecord): Record<string, unknown> {
    return {
      sid: record.id,
      service_sid: this.serviceSid,
      account_sid: this.accountSid,
      to: record.to,
      channel: record.channel,
      status: record.status,
      valid: record.status === 'approved',
      date_created: this.#date(record.createdAt),
      date_updated: this.#date(record.updatedAt),
      lookup: {},
      amount: null,
      payee: null,
      // As in the description's examples: SMS and e-mail upper case, the others lower.
      send_code_attempts: record.sends.map((id) => {
        const attempt = this.#attempts.get(id)!;
        return { time: this.#date(attempt.createdAt), channel: attempt.channel === 'sms' || attempt.channel === 'email' ? attempt.channel.toUpperCase() : attempt.channel, attempt_sid: id };
      }),
      sna: null,
      url: `${this.url}/v2/Services/${this.serviceSid}/Verifications/${record.id}`,
    };
  }

  /** The VerificationCheck resource: the verification's fields less its lookup, attempts, sna and url. */
  #checkView(record: VerificationRecord): Record<string, unknown> {
    const { lookup: _lookup, send_code_attempts: _sends, sna: _sna, url: _url, ...fields } = this.#view(record);
    return { ...fields, sna_attempts_error_codes: [] };
  }

  #attemptView(attempt: AttemptRecord): Record<string, unknown> {
    const record = this.#live(this.#records.get(attempt.verificationId))!;
    const converted = record.status === 'approved';
    const voice = attempt.channel === 'call';
    return {
      sid: attempt.id,
      account_sid: this.accountSid,
      service_sid: this.serviceSid,
      verification_sid: attempt.verificationId,
      date_created: this.#date(attempt.createdAt),
      date_updated: this.#date(attempt.updatedAt),
      conversion_status: converted ? 'converted' : 'unconverted',
      channel: attempt.channel,
      price: { value: attempt.price, currency: this.#options.currency ?? 'usd' },
      channel_data: {
        verification_sid: attempt.verificationId,
        to: attempt.to,
        status: converted ? 'confirmed' : record.status === 'expired' ? 'expired' : 'unconfirmed',
        ...(voice ? { call_status: attempt.delivered ? 'completed' : 'no-answer' } : { message_status: attempt.delivered ? 'delivered' : 'undelivered' }),
        ...(attempt.delivered ? {} : { error_code: voice ? '13224' : '30008' }),
        ...(attempt.country && { country: attempt.country }),
        code_length: record.code.length,
      },
      url: `${this.url}/v2/Attempts/${attempt.id}`,
    };
  }
}

// The countries of the simulator's test numbers (a few calling codes: enough for costs and reports).
const COUNTRY_CODES: readonly [string, string][] = [['+44', 'GB'], ['+49', 'DE'], ['+48', 'PL'], ['+33', 'FR'], ['+31', 'NL'], ['+34', 'ES'], ['+61', 'AU'], ['+91', 'IN'], ['+1', 'US']];
function countryOf(to: string): string | undefined {
  return COUNTRY_CODES.find(([prefix]) => to.startsWith(prefix))?.[1];
}

function error(status: number, code: number, message: string): SimResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

function notFound(path: string): SimResponse {
  return error(404, 20404, `The requested resource ${path.replace(/^\/v2/, '')} was not found`);
}

/** Starts a Twilio Verify simulator on 127.0.0.1. */
export function startTwilioSimulator(options: TwilioSimulatorOptions = {}): Promise<TwilioSimulator> {
  return TwilioSimulator.start(options);
}
