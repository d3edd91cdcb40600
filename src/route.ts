/**
 * Routing by destination: a provider per E.164 prefix (longest match wins) or e-mail rule,
 * and a default.
 */
import { emit, type VerifyEvent } from './events.js';
import { checkMembers, combinedCapabilities, compositeListing, issuerCalls, membersCursorKey, qualify, sealWrapper } from './composite.js';
import type { StartRequest, Verification } from './model.js';
import type { CallOptions, VerifyProvider } from './provider.js';
import { invalid, parseCallOptionsOnce, parseStartRequest } from './validate.js';

/**
 * Keys: an E.164 prefix (`'+49'`, `'+4915'`), `'@'` for any e-mail address, `'@example.com'`
 * for one domain, and `'default'`.
 */
export type RouteTable = Readonly<Record<string, VerifyProvider>>;

/** Options of {@link route}. */
export interface RouteOptions {
  /** The router's name (`'route'`): the first part of its ids when it is itself a member. */
  readonly name?: string;
  /** Receives a `route` decision for every start. */
  readonly onEvent?: (event: VerifyEvent) => void;
}

const PREFIX = /^\+\d{1,14}$/;
const EMAIL_RULE = /^@([^\s@]+\.[^\s@]+)?$/;

/**
 * Chooses the provider for each start by destination. Its ids name the provider that
 * issued them, so `check` and the rest reach it; `route` and `failover` compose.
 *
 * @example
 * ```ts
 * const verify = route({ '+49': lox, '+7': nc, default: failover([bird, nc]) });
 * const v = await verify.start({ to: '+491701234567' }); // LOX24
 * await verify.check(v.id, code);
 * ```
 */
export function route(table: RouteTable, options: RouteOptions = {}): VerifyProvider {
  const name = options.name ?? 'route';
  const context = { provider: name, operation: 'config' as const, summary: 'Invalid route table' };
  const issues = Object.keys(table)
    .filter((key) => key !== 'default' && !PREFIX.test(key) && !EMAIL_RULE.test(key))
    .map((key) => ({ field: key, message: "must be an E.164 prefix ('+49'), '@', '@domain' or 'default'" }));
  if (issues.length) invalid(issues, context);
  const members = [...new Set(Object.values(table))];
  checkMembers(members, name);
  const prefixes = Object.keys(table).filter((key) => PREFIX.test(key)).sort((a, b) => b.length - a.length);
  const listing = compositeListing(members);

  function choose(to: StartRequest['to']): VerifyProvider | undefined {
    if (typeof to === 'string') {
      const prefix = prefixes.find((p) => to.startsWith(p));
      return prefix ? table[prefix] : table['default'];
    }
    const domain = to.email.slice(to.email.lastIndexOf('@')).toLowerCase();
    return table[domain] ?? table['@'] ?? table['default'];
  }

  const provider: VerifyProvider = {
    name,
    capabilities: combinedCapabilities(members),

    async start(request: StartRequest, callOptions?: CallOptions): Promise<Verification> {
      const callParsed = parseCallOptionsOnce(callOptions, { provider: name, operation: 'start' });
      const input = parseStartRequest(request, { provider: name, operation: 'start', summary: 'Invalid start request' });
      const member = choose(input.to);
      if (!member) invalid([{ field: 'to', message: 'matches no route and there is no default' }], { provider: name, operation: 'start', summary: 'Invalid start request' });
      emit(options.onEvent, { type: 'decision', provider: name, operation: 'start', member: member.name, decision: 'route' });
      return qualify(await member.start(input, callParsed), member.name);
    },

    ...issuerCalls(members, name),
    list: listing.list,
    listPage: listing.listPage,
  };
  return sealWrapper(provider, `route: [${Object.keys(table).map((k) => `'${k}'`).join(', ')}]`, membersCursorKey(members), members);
}
