/**
 * What `failover()` and `route()` share: ids that name the member that issued them, the
 * combined capabilities of the members, and listing over members.
 */
import { INSPECT } from './redact.js';
import { ValidationError } from './errors.js';
import { listAcross, listAcrossPage } from './listing/merge.js';
import { combinedCursorKey, setCursorKey } from './listing/cursor.js';
import type { ListFilter, ListQuery, Page, PageQuery, Verification } from './model.js';
import type { CallOptions, Capabilities, VerifyProvider } from './provider.js';
import { invalid } from './validate.js';
import { traceOperation, type TracedProvider } from './tracing.js';

/** Separates the member's name from the rest of a routable id (`lox24:…`). */
export const ID_SEPARATOR = ':';
const MEMBER_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/** The id a composite hands out: the member's name, then the member's own id. */
export function routableId(member: string, id: string): string {
  return `${member}${ID_SEPARATOR}${id}`;
}

/** The member a routable id names, and the member's own id. */
export function splitRoutableId(id: unknown, owner: string, operation: 'check' | 'get' | 'resend' | 'failover' | 'cancel'): { member: string; id: string } {
  const at = typeof id === 'string' ? id.indexOf(ID_SEPARATOR) : -1;
  if (at <= 0) invalid([{ field: 'id', message: `must be an id from ${owner} (member:id)` }], { provider: owner, operation });
  const text = id as string;
  return { member: text.slice(0, at), id: text.slice(at + ID_SEPARATOR.length) };
}

/** Checks that member names are distinct and can stand in routable ids. */
export function checkMembers(members: readonly VerifyProvider[], owner: string): void {
  const context = { provider: owner, operation: 'config' as const, summary: `Invalid ${owner} members` };
  if (members.length === 0) invalid([{ field: 'providers', message: 'must have at least one provider' }], context);
  const issues = [];
  const seen = new Set<string>();
  for (const member of members) {
    if (!MEMBER_NAME.test(member.name)) issues.push({ field: 'providers', message: `'${member.name}' is not a usable name: use 1 to 40 letters, digits, _ or - (option name)` });
    if (seen.has(member.name)) issues.push({ field: 'providers', message: `has two different providers named '${member.name}'; give each a distinct name` });
    seen.add(member.name);
  }
  if (issues.length) throw new ValidationError(issues, context, `Invalid ${owner} members`);
}

export function qualify(verification: Verification, member: string): Verification {
  return { ...verification, id: routableId(member, verification.id) };
}

const ALL_FILTERS: readonly ListFilter[] = ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'];

/** The capabilities of a set of members, as a caller of the composite meets them. */
export function combinedCapabilities(members: readonly VerifyProvider[]): Capabilities {
  const caps = members.map((m) => m.capabilities);
  const union = <T>(pick: (c: Capabilities) => readonly T[]) => [...new Set(caps.flatMap(pick))];
  const same = <T extends string>(pick: (c: Capabilities) => T): T | 'mixed' => (caps.every((c) => pick(c) === pick(caps[0]!)) ? pick(caps[0]!) : 'mixed');
  // A start may land on any member: numeric limits are what every member accepts.
  const range = (pick: (c: Capabilities) => { min: number; max: number; default: number }) => {
    const min = Math.max(...caps.map((c) => pick(c).min));
    const max = Math.min(...caps.map((c) => pick(c).max));
    return { min, max, default: Math.min(max, Math.max(min, pick(caps[0]!).default)) };
  };
  const server = ALL_FILTERS.filter((f) => caps.every((c) => c.listFilters.server.includes(f)));
  return {
    channels: union((c) => c.channels),
    recipients: union((c) => c.recipients),
    codeOwner: same((c) => c.codeOwner),
    customCode: caps.every((c) => c.customCode),
    codeLength: range((c) => c.codeLength),
    ttlSeconds: range((c) => c.ttlSeconds),
    maxAttempts: range((c) => c.maxAttempts),
    // Later calls go to the member that issued the verification: what some member can do.
    resend: caps.some((c) => c.resend),
    failover: caps.some((c) => c.failover),
    cancel: same((c) => c.cancel),
    cost: caps.some((c) => c.cost),
    reference: caps.every((c) => c.reference),
    listFilters: { server, client: ALL_FILTERS.filter((f) => !server.includes(f)) },
  };
}

/**
 * A member seen through the composite: same listing, ids qualified with the member's name.
 * Everything else is the member's own (its prototype too, for providers written as classes).
 */
function qualifiedView(member: VerifyProvider, name = member.name): VerifyProvider {
  const pages = member.pages;
  const view = Object.create(member) as VerifyProvider;
  Object.defineProperties(view, {
    name: { value: name },
    list: {
      value: (query?: ListQuery, options?: CallOptions) =>
        (async function* () {
          for await (const v of member.list(query, options)) yield qualify(v, name);
        })(),
    },
    listPage: {
      value: async (query?: PageQuery, options?: CallOptions): Promise<Page<Verification>> => {
        const page = await member.listPage(query, options);
        return { ...page, items: page.items.map((v) => qualify(v, name)) };
      },
    },
    pages: {
      value: pages
        ? (query?: ListQuery, options?: CallOptions) =>
            (async function* () {
              for await (const batch of pages.call(member, query, options)) yield batch.map((v) => qualify(v, name));
            })()
        : undefined,
    },
  });
  return view;
}

/**
 * Finishes a wrapper (`failover`, `route`, `guard`, yours) the way every provider is finished:
 * `util.inspect` shows its name and `shape` (never a member's options), its cursors are signed
 * with `cursorKey` (a composite's: derived from its members' keys, `membersCursorKey`; a
 * wrapper of one provider: that provider's, so cursors pass through it), and it is frozen.
 */
export function sealWrapper<T extends VerifyProvider>(provider: T, shape: string, cursorKey: Uint8Array | undefined, members?: readonly VerifyProvider[]): T {
  if (members) MEMBERS.set(provider, members);
  // Each of its calls is traced as the wrapper's (`kind`: the shape's first word), its members' calls inside.
  const traced: TracedProvider = { provider: provider.name, kind: shape.slice(0, shape.indexOf(':')) };
  for (const operation of WRAPPED) {
    const original = provider[operation] as (...args: unknown[]) => Promise<unknown>;
    (provider as Record<string, unknown>)[operation] = traceOperation(operation === 'listPage' ? 'list' : operation, traced, (...args: unknown[]) => original.apply(provider, args));
  }
  Object.defineProperty(provider, INSPECT, { value: () => `VerifyProvider { name: '${provider.name}', ${shape} }` });
  if (cursorKey) setCursorKey(provider, cursorKey);
  return Object.freeze(provider);
}

const WRAPPED = ['start', 'check', 'get', 'resend', 'failover', 'cancel', 'listPage'] as const;

/** The cursor key of a composite: derived from its members' keys, so a merged list over it is signed as well. */
export function membersCursorKey(members: readonly VerifyProvider[]): Uint8Array | undefined {
  return combinedCursorKey(members, 'composite');
}

/** The members of each `failover` and `route` (composites that qualify ids with their members' names). */
const MEMBERS = new WeakMap<VerifyProvider, readonly VerifyProvider[]>();

/** Every provider below `members` that is not itself a failover or route, with the names on the way to it; each once (the first way found). */
function leavesOf(members: readonly VerifyProvider[], path: readonly string[] = [], found = new Map<VerifyProvider, string[]>()): Map<VerifyProvider, string[]> {
  for (const member of members) {
    const inner = MEMBERS.get(member);
    if (inner) leavesOf(inner, [...path, member.name], found);
    else if (!found.has(member)) found.set(member, [...path, member.name]);
  }
  return found;
}

/** How many ways lead to providers below `members` (a provider in two members counts twice). */
function waysDown(members: readonly VerifyProvider[]): number {
  return members.reduce((sum, member) => sum + (MEMBERS.has(member) ? waysDown(MEMBERS.get(member)!) : 1), 0);
}

/**
 * Listing over members, newest first, with routable ids. When one provider sits in two members
 * (LOX24 for `+49`, and in the default's failover), each provider below is listed once, under
 * the first way to it: otherwise its verifications, and their costs, would count twice.
 */
export function compositeListing(members: readonly VerifyProvider[]) {
  const leaves = leavesOf(members);
  const views = leaves.size === waysDown(members) ? members.map((member) => qualifiedView(member)) : [...leaves].map(([leaf, path]) => qualifiedView(leaf, path.join(ID_SEPARATOR)));
  return {
    list: (query?: ListQuery, options?: CallOptions): AsyncIterable<Verification> => listAcross(views, query, options),
    listPage: async (query?: PageQuery, options?: CallOptions): Promise<Page<Verification>> => {
      const { items, nextCursor } = await listAcrossPage(views, query, options);
      return nextCursor === undefined ? { items } : { items, nextCursor };
    },
  };
}

/** Runs `call` on the member a routable id names. */
export function onIssuer<T>(members: readonly VerifyProvider[], owner: string, id: unknown, operation: 'check' | 'get' | 'resend' | 'failover' | 'cancel', call: (member: VerifyProvider, memberId: string) => Promise<T>): Promise<T> {
  try {
    let parts = splitRoutableId(id, owner, operation);
    // An id from a composite of the same name (a config's array form and its route form): the rest is ours.
    if (parts.member === owner && !members.some((m) => m.name === owner) && parts.id.includes(ID_SEPARATOR)) parts = splitRoutableId(parts.id, owner, operation);
    const member = members.find((m) => m.name === parts.member) ?? descendant(members, parts.member);
    if (!member) invalid([{ field: 'id', message: `names '${parts.member}', which ${owner} does not have` }], { provider: owner, operation });
    return call(member, parts.id);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The one provider named `name` below `members` (inside a member failover or route): an id from
 * another form of the same config (`lox24:…` from the array form, given to the route form).
 */
function descendant(members: readonly VerifyProvider[], name: string): VerifyProvider | undefined {
  const named = [...leavesOf(members).keys()].filter((leaf) => leaf.name === name);
  return named.length === 1 ? named[0] : undefined;
}

/** `check`, `get`, `resend`, `failover` and `cancel` of a composite: each goes to the issuing member. */
export function issuerCalls(members: readonly VerifyProvider[], owner: string): Pick<VerifyProvider, 'check' | 'get' | 'resend' | 'failover' | 'cancel'> {
  return {
    check: (id, code, o) => onIssuer(members, owner, id, 'check', (member, memberId) => member.check(memberId, code, o)),
    get: (id, o) => onIssuer(members, owner, id, 'get', async (member, memberId) => qualify(await member.get(memberId, o), member.name)),
    resend: (id, o) => onIssuer(members, owner, id, 'resend', async (member, memberId) => qualify(await member.resend(memberId, o), member.name)),
    failover: (id, o) => onIssuer(members, owner, id, 'failover', async (member, memberId) => qualify(await member.failover(memberId, o), member.name)),
    cancel: (id, o) => onIssuer(members, owner, id, 'cancel', async (member, memberId) => qualify(await member.cancel(memberId, o), member.name)),
  };
}
