/**
 * Failover between vendors: `start` tries each provider in order while nothing was sent;
 * later calls go to the provider that issued the verification, from its id alone.
 */
import { isVerifyError, type VerifyError } from './errors.js';
import { emit, type DecisionEvent, type VerifyEvent } from './events.js';
import { checkMembers, combinedCapabilities, compositeListing, issuerCalls, qualify, membersCursorKey, sealWrapper } from './composite.js';
import type { StartRequest, Verification } from './model.js';
import type { CallOptions, VerifyProvider } from './provider.js';
import { parseCallOptionsOnce, parseStartRequest } from './validate.js';

/** Options of {@link failover}. */
export interface FailoverOptions {
  /** The composite's name (`'failover'`): the first part of its ids when it is itself a member. */
  readonly name?: string;
  /**
   * After a failure that may have sent a message (`sent: 'maybe'`): `'stop'` (default) throws
   * it, so no recipient ever gets codes from two vendors for one start; `'continue'` tries the
   * next provider anyway.
   */
  readonly onMaybeSent?: 'stop' | 'continue';
  /** Receives a `decision` event for every member tried, skipped or stopped at. */
  readonly onEvent?: (event: VerifyEvent) => void;
}

/**
 * One provider over several: `start` tries them in order, moving on only when the failure
 * proves nothing was sent (connection refused, authentication, funds, a channel or country
 * the vendor refuses). The verification it returns has an id (`member:vendorId`) that routes
 * `check`, `get`, `resend`, `failover` and `cancel` to the member that issued it; store that
 * string, restart, and a new `failover` built from the same config still finds it.
 *
 * @example
 * ```ts
 * const verify = failover([lox, nc, bird]);
 * const v = await verify.start({ to: '+491701234567' });   // v.id === 'lox24:…'
 * await verify.check(v.id, code);                          // reaches LOX24
 * ```
 */
export function failover(providers: readonly VerifyProvider[], options: FailoverOptions = {}): VerifyProvider {
  const name = options.name ?? 'failover';
  checkMembers(providers, name);
  const members = [...providers];
  const decide = (member: string, decision: DecisionEvent['decision'], error?: VerifyError) =>
    emit(options.onEvent, {
      type: 'decision',
      provider: name,
      operation: 'start',
      member,
      decision,
      ...(error && { error: { name: error.name, code: error.code, sent: error.sent } }),
    });
  const listing = compositeListing(members);

  const provider: VerifyProvider = {
    name,
    capabilities: combinedCapabilities(members),

    async start(request: StartRequest, callOptions?: CallOptions): Promise<Verification> {
      // What no member could accept fails here, before any member is asked.
      const callParsed = parseCallOptionsOnce(callOptions, { provider: name, operation: 'start' });
      const parsed = parseStartRequest(request, { provider: name, operation: 'start', summary: 'Invalid start request' });
      let first: VerifyError | undefined;
      let last: VerifyError | undefined;
      for (const member of members) {
        decide(member.name, 'try');
        try {
          const verification = await member.start(parsed, callParsed);
          decide(member.name, 'sent');
          return qualify(verification, member.name);
        } catch (error) {
          if (!isVerifyError(error)) throw error;
          first ??= error;
          last = error;
          if (error.sent === 'no') {
            decide(member.name, 'next', error);
            continue;
          }
          if (options.onMaybeSent === 'continue') {
            decide(member.name, 'next-despite-maybe', error);
            continue;
          }
          decide(member.name, 'stop', error);
          throw error;
        }
      }
      decide(members.at(-1)!.name, 'exhausted', last);
      // Every member refused the request itself: the first answer is the telling one.
      throw first!.code === 'validation' ? first! : last!;
    },

    ...issuerCalls(members, name),
    list: listing.list,
    listPage: listing.listPage,
  };
  return sealWrapper(provider, `failover: [${members.map((m) => `'${m.name}'`).join(', ')}]`, membersCursorKey(members), members);
}
