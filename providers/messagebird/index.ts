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
 * @module polyverify/messagebird
 */
import * as v from 'valibot';
import { defineProvider, type CheckOutcome, type StepOptions } from '../../src/adapter/define.js';
import { setupVendor } from '../../src/adapter/options.js';
import { InvalidResponseError, afterAcceptedSend, type Operation } from '../../src/errors.js';
import type { HttpCall } from '../../src/http/index.js';
import { LruMap } from '../../src/lru.js';
import type { Channel, Verification } from '../../src/model.js';
import type { VerifyProvider } from '../../src/provider.js';
import { UUID, brokenField, invalid } from '../../src/validate.js';
import { MESSAGEBIRD_CAPABILITIES, MESSAGEBIRD_OPTIONS, messagebirdVendor, type MessagebirdChannelMap, type MessagebirdOptions, MESSAGEBIRD_BASE_URL } from './config.js';
import { STEP_INDEX_FIELD, toCreateBody, toMessagebirdError, toVerification } from './map.js';
import { messagebirdPaging, type Position } from './paging.js';
import { verificationSchema, type MessagebirdCreateBody } from './wire.js';

export type { MessagebirdOptions } from './config.js';


/**
 * Creates a Bird Verify provider.
 *
 * @throws ValidationError when an option is missing or malformed (the access key is never echoed).
 */
export function messagebird(options: MessagebirdOptions): VerifyProvider {
  const { name, config, warn, http, redactor, shell } = setupVendor(options, messagebirdVendor, MESSAGEBIRD_OPTIONS, {
    baseUrl: MESSAGEBIRD_BASE_URL,
    credentials: (c) => [c.accessKey],
    account: (c) => [c.workspaceId],
    authorize: (request, c) => request.headers.set('Authorization', `AccessKey ${c.accessKey}`),
    toError: toMessagebirdError,
  });
  const configContext = { provider: name, operation: 'config' as const, summary: 'Invalid Bird options' };
  const map = config.channels as MessagebirdChannelMap;
  const mapIssues = [];
  if (map.whatsapp && !map.whatsapp.template) mapIssues.push({ field: 'channels.whatsapp.template', message: 'is required: Bird sends WhatsApp verifications with a template' });
  if (map.sms?.template) mapIssues.push({ field: 'channels.sms.template', message: 'Bird generates SMS texts (set locale instead)' });
  for (const channel of ['whatsapp', 'email'] as const) {
    if (map[channel] && 'navigatorId' in map[channel]) mapIssues.push({ field: `channels.${channel}`, message: 'navigators are for SMS; use a channelId' });
  }
  if (mapIssues.length) invalid(mapIssues, configContext);
  const base = `workspaces/${config.workspaceId}/verify`;
  const channelById = new Map<string, Channel>();
  for (const [channel, target] of Object.entries(map)) channelById.set('channelId' in target ? target.channelId : target.navigatorId, channel as Channel);
  // Wrong codes Bird reported last, per verification: a higher count after a failed check means the code was wrong.
  const lastFailed = new LruMap<string, number>(10_000);

  // The mapping's context, made once per operation rather than once per verification of a list.
  const channelOf = (id: string | null | undefined) => (id ? channelById.get(id) : undefined);
  const mapContexts = new Map<string, Parameters<typeof toVerification>[2]>();
  const mapContext = (operation: Operation, verified: boolean): Parameters<typeof toVerification>[2] => {
    const key = `${operation}:${verified}`;
    const known = mapContexts.get(key);
    if (known) return known;
    const context = { provider: name, channelOf, warn: (m: string) => warn(m, operation), verified };
    mapContexts.set(key, context);
    return context;
  };
  /** The verification a body holds, or what about it does not fit Bird's format. */
  function fromWire(raw: unknown, operation: Operation, verified: boolean): Verification | string {
    const parsed = v.safeParse(verificationSchema, raw);
    if (!parsed.success) return `the verification does not fit Bird's documented format (${brokenField(parsed.issues)})`;
    const wire = parsed.output;
    if (wire.failedAttempts != null) lastFailed.set(wire.id, wire.failedAttempts);
    try {
      return toVerification(wire, raw, mapContext(operation, verified));
    } catch {
      return 'the verification has an unreadable createdAt';
    }
  }
  function toModel(raw: unknown, operation: Operation, sent: 'no' | 'maybe' = 'no'): Verification {
    const model = fromWire(raw, operation, false);
    if (typeof model === 'string') throw new InvalidResponseError(`${name} ${operation}: ${model}`, { provider: name, operation, sent });
    return model;
  }

  const single = async (call: HttpCall) => {
    const result = await http.request(call);
    return toModel(result.body, call.operation, result.sent);
  };
  const read = (id: string, operation: Operation, callOptions: StepOptions | undefined) => single({ operation, method: 'GET', path: `${base}/${id}`, sends: false, options: callOptions });
  /**
   * Resend and failover: Bird documents only "… request was accepted for processing". A body that
   * is the verification is read as such; an acknowledgement or no body is followed by a read (a
   * read: nothing is sent again), whose failure says `sent: 'maybe'`.
   */
  const onStep = (operation: 'resend' | 'failover') => async (id: string, callOptions: StepOptions | undefined) => {
    const json = callOptions?.step === undefined ? {} : { [STEP_INDEX_FIELD]: callOptions.step };
    const result = await http.request({ operation, method: 'POST', path: `${base}/${id}/${operation}`, json, sends: true, statusAnswers: true, options: callOptions });
    const answered = fromWire(result.body, operation, false);
    if (typeof answered !== 'string') return answered;
    try {
      return await read(id, operation, callOptions);
    } catch (error) {
      throw afterAcceptedSend(error);
    }
  };

  /** The outcome of a check Bird did not accept, read from the verification as it now stands. */
  function outcomeOf(verification: Verification, before: number | undefined): CheckOutcome {
    const failed = verification.failedAttempts ?? 0;
    const max = verification.maxAttempts;
    if (verification.status === 'verified') return { verified: false, reason: 'already_verified', verification };
    if (verification.status === 'canceled') return { verified: false, reason: 'canceled', verification };
    if (verification.status === 'expired') return { verified: false, reason: 'expired', verification };
    const counted = before === undefined ? verification.status === 'pending' : failed > before;
    if (!counted) return { verified: false, reason: 'max_attempts', verification };
    const attemptsRemaining = max === undefined ? undefined : Math.max(0, max - failed);
    return { verified: false, reason: 'incorrect_code', ...(attemptsRemaining !== undefined && { attemptsRemaining }), verification };
  }

  return defineProvider<Record<string, never>, Position, MessagebirdCreateBody>({
    ...shell,
    capabilities: MESSAGEBIRD_CAPABILITIES,
    id: { pattern: UUID, what: 'a Bird verification id (UUID)' },
    defaultChannels: options.defaultChannels ?? [{ channel: map.sms ? 'sms' : (Object.keys(map)[0] as Channel) }],
    unsupported: { cancel: 'Bird Verify has no cancel; a verification ends by expiry' },
    prepare: (input) => toCreateBody(input, input.channels, map),
    start: (_input, callOptions, body) => single({ operation: 'start', method: 'POST', path: base, json: body, sends: true, options: callOptions }),

    async check(id, code, callOptions): Promise<CheckOutcome> {
      const before = lastFailed.get(id);
      const result = await http.request({
        operation: 'check',
        method: 'POST',
        path: `${base}/${id}`,
        json: { code },
        sends: false,
        idempotent: false,
        accept: [400, 404, 409, 410, 422],
        statusAnswers: true,
        options: callOptions,
        redactor: redactor.with(code),
      });
      if (result.status === 404) return { verified: false, reason: 'not_found' };
      // "Code was successfully verified" is the documented meaning of 200: any 2xx is verified,
      // whatever the body holds; a body that is the verification adds it (`raw` keeps what Bird sent).
      if (result.status < 300) {
        const verification = fromWire(result.body, 'check', true);
        return typeof verification === 'string' ? { verified: true } : { verified: true, verification };
      }
      // Bird's answer to a failed check is not documented: what the verification now says decides.
      return outcomeOf(await read(id, 'check', callOptions), before);
    },

    get: (id, callOptions) => read(id, 'get', callOptions),
    /** Sends the code again, on step `step` (0-based) or the current one. */
    resend: onStep('resend'),
    /** Moves to the next step now (or to step `step`, 0-based). */
    failover: onStep('failover'),

    paging: messagebirdPaging({ name, http, path: base, pageSize: options.listPageSize ?? 100, sortCap: options.listSortCap, toModel: (raw) => toModel(raw, 'list') }),
  });
}
