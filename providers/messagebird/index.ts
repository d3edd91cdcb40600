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
import { defineProvider, type StepOptions } from '../../src/adapter/define.js';
import { setupVendor } from '../../src/adapter/options.js';
import { afterAcceptedSend, type Operation } from '../../src/errors.js';
import type { HttpCall } from '../../src/http/index.js';
import { LruMap } from '../../src/lru.js';
import type { Channel } from '../../src/model.js';
import type { VerifyProvider } from '../../src/provider.js';
import { UUID, throwIssues } from '../../src/validate.js';
import { MESSAGEBIRD_BASE_URL, MESSAGEBIRD_CAPABILITIES, MESSAGEBIRD_OPTIONS, channelMapIssues, channelsById, messagebirdVendor, type MessagebirdChannelMap, type MessagebirdOptions } from './config.js';
import { STEP_INDEX_FIELD, refusedCheck, toCreateBody, toMessagebirdError, toVerification } from './map.js';
import { messagebirdPaging, type Position } from './paging.js';
import { verificationSchema, type MessagebirdCreateBody, type MessagebirdVerification } from './wire.js';

export type { MessagebirdOptions } from './config.js';

/**
 * Creates a Bird Verify provider.
 *
 * @throws ValidationError when an option is missing or malformed (the access key is never echoed).
 */
export function messagebird(options: MessagebirdOptions): VerifyProvider {
  const { name, config, warn, http, redactor, model, shell } = setupVendor(options, messagebirdVendor, MESSAGEBIRD_OPTIONS, {
    baseUrl: MESSAGEBIRD_BASE_URL,
    credentials: (c) => [c.accessKey],
    account: (c) => [c.workspaceId],
    authorize: (request, c) => request.headers.set('Authorization', `AccessKey ${c.accessKey}`),
    toError: toMessagebirdError,
  });
  const map = config.channels as MessagebirdChannelMap;
  throwIssues(channelMapIssues(map), { provider: name, operation: 'config', summary: 'Invalid Bird options' });
  const base = `workspaces/${config.workspaceId}/verify`;
  const channelOf = channelsById(map);
  // Wrong codes Bird reported last, per verification: a higher count after a failed check means the code was wrong.
  const lastFailed = new LruMap<string, number>(10_000);
  const verifications = model<MessagebirdVerification, boolean>({
    schema: verificationSchema,
    what: 'the verification',
    map(wire, raw, operation, verified) {
      if (wire.failedAttempts != null) lastFailed.set(wire.id, wire.failedAttempts);
      return toVerification(wire, raw, { provider: name, channelOf, warn: (m) => warn(m, operation), verified: verified === true });
    },
  });

  const single = (call: HttpCall) => http.request(call).then((result) => verifications.one(result.body, call.operation, result.sent));
  const read = (id: string, operation: Operation, callOptions: StepOptions | undefined) => single({ operation, method: 'GET', path: `${base}/${id}`, sends: false, options: callOptions });
  /**
   * Resend and failover: Bird documents only "… request was accepted for processing". A body that
   * is the verification is read as such; an acknowledgement or no body is followed by a read (a
   * read: nothing is sent again), whose failure says `sent: 'maybe'`.
   */
  const onStep = (operation: 'resend' | 'failover') => async (id: string, callOptions: StepOptions | undefined) => {
    const json = callOptions?.step === undefined ? {} : { [STEP_INDEX_FIELD]: callOptions.step };
    const result = await http.request({ operation, method: 'POST', path: `${base}/${id}/${operation}`, json, sends: true, statusAnswers: true, options: callOptions });
    return verifications.maybe(result.body, operation) ?? read(id, operation, callOptions).catch((error: unknown) => Promise.reject(afterAcceptedSend(error)));
  };
  return defineProvider<Record<string, never>, Position, MessagebirdCreateBody>({
    ...shell,
    capabilities: MESSAGEBIRD_CAPABILITIES,
    id: { pattern: UUID, what: 'a Bird verification id (UUID)' },
    defaultChannels: options.defaultChannels ?? [{ channel: map.sms ? 'sms' : (Object.keys(map)[0] as Channel) }],
    unsupported: { cancel: 'Bird Verify has no cancel; a verification ends by expiry' },
    prepare: (input) => toCreateBody(input, input.channels, map),
    start: (_input, callOptions, body) => single({ operation: 'start', method: 'POST', path: base, json: body, sends: true, options: callOptions }),
    async check(id, code, callOptions) {
      const before = lastFailed.get(id);
      const result = await http.request({ operation: 'check', method: 'POST', path: `${base}/${id}`, json: { code }, sends: false, idempotent: false, accept: [400, 404, 409, 410, 422], statusAnswers: true, options: callOptions, redactor: redactor.with(code) });
      if (result.status === 404) return { verified: false, reason: 'not_found' };
      // "Code was successfully verified" is the documented meaning of 200: any 2xx is verified,
      // whatever the body holds; a body that is the verification adds it (`raw` keeps what Bird sent).
      if (result.status < 300) {
        const verification = verifications.maybe(result.body, 'check', true);
        return verification ? { verified: true, verification } : { verified: true };
      }
      return refusedCheck(await read(id, 'check', callOptions), before);
    },
    get: (id, callOptions) => read(id, 'get', callOptions),
    /** Sends the code again, on step `step` (0-based) or the current one. */
    resend: onStep('resend'),
    /** Moves to the next step now (or to step `step`, 0-based). */
    failover: onStep('failover'),
    paging: messagebirdPaging({ name, http, path: base, pageSize: options.listPageSize ?? 100, sortCap: options.listSortCap, toModels: (raws) => verifications.many(raws, 'list') }),
  });
}
