/**
 * failover() and route() over in-memory members: member checks, the exact decision events,
 * which error is thrown, routable ids on every call, combined capabilities.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  RejectedError,
  TimeoutError,
  UnsupportedError,
  ValidationError,
  failover,
  route,
  type Capabilities,
  type CheckResult,
  type VerifyEvent,
  type VerifyProvider,
} from '../../providers/index.js';
import { routableId } from '../../src/composite.js';
import { SMS_CAPABILITIES, fakeVerification } from '../array-provider.js';
import { rejectionOf } from '../helpers.js';

const CAPS = SMS_CAPABILITIES;

interface Member extends VerifyProvider {
  readonly calls: string[];
}

/** A member whose start fails with `startError` (or succeeds), and whose other calls echo what they got. */
function member(name: string, startError?: unknown, capabilities: Partial<Capabilities> = {}): Member {
  const calls: string[] = [];
  const verification = (id: string) => fakeVerification(name, id, 1_000);
  return {
    name,
    calls,
    capabilities: { ...CAPS, ...capabilities },
    async start(request) {
      calls.push(`start ${typeof request.to === 'string' ? request.to : request.to.email}`);
      if (startError) throw startError;
      return verification(`${name}-v1`);
    },
    async check(id, code) {
      calls.push(`check ${id} ${code}`);
      const result: CheckResult = code === 'with' ? { verified: true, status: 'verified' } : { verified: false, status: 'pending', reason: 'incorrect_code' };
      return result;
    },
    async get(id) {
      calls.push(`get ${id}`);
      return verification(id);
    },
    async resend(id, options) {
      calls.push(`resend ${id} ${options?.step}`);
      return verification(id);
    },
    async failover(id, options) {
      calls.push(`failover ${id} ${options?.step}`);
      return verification(id);
    },
    async cancel(id) {
      calls.push(`cancel ${id}`);
      return verification(id);
    },
    list: () => (async function* () {})(),
    listPage: async () => ({ items: [] }),
  };
}

const refused = (name: string) => new ConnectionError(`${name} start: connection failed (ECONNREFUSED); nothing was sent`, { provider: name, operation: 'start', sent: 'no' });
const late = (name: string) => new TimeoutError(`${name} start: no response`, { provider: name, operation: 'start', sent: 'maybe' });
const invalidInput = (name: string) => new ValidationError([{ field: 'to', message: `${name} cannot send there` }], { provider: name, operation: 'start' });
const rejected = (name: string) => new RejectedError(`${name} start: HTTP 422`, { provider: name, operation: 'start', status: 422 });

function decisions(events: VerifyEvent[]) {
  return events.map((e) => (e.type === 'decision' ? [e.member, e.decision, e.error?.code ?? '', e.error?.sent ?? ''].join(' ').trim() : e.type));
}

describe('member checks', () => {
  it('refuses no members, duplicate names and names that cannot stand in an id', () => {
    const empty = (() => {
      try {
        failover([]);
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(empty).toBeInstanceOf(ValidationError);
    expect(empty!.issues).toEqual([{ field: 'providers', message: 'must have at least one provider' }]);
    expect(empty!.message).toBe('Invalid failover members: providers: must have at least one provider');
    expect(empty!.operation).toBe('config');

    const twice = (() => {
      try {
        failover([member('a'), member('a')], { name: 'pair' });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(twice!.issues).toEqual([{ field: 'providers', message: "has two different providers named 'a'; give each a distinct name" }]);
    expect(twice!.message.startsWith('Invalid pair members: ')).toBe(true);

    for (const bad of ['a:b', '', 'x'.repeat(41), 'sp ace']) {
      expect(() => failover([member(bad)])).toThrow(ValidationError);
    }
    expect(() => failover([member('A_b-9'), member('x'.repeat(40))])).not.toThrow();
    const colon = (() => {
      try {
        route({ default: member('a:b') });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(colon!.issues).toEqual([{ field: 'providers', message: "'a:b' is not a usable name: use 1 to 40 letters, digits, _ or - (option name)" }]);
  });

  it('a route may name one member under several keys', () => {
    const a = member('a');
    expect(() => route({ '+49': a, '+43': a, default: a })).not.toThrow();
  });

  it('refuses route keys that are no prefix, e-mail rule or default, naming each', () => {
    const a = member('a');
    const error = (() => {
      try {
        route({ '49': a, '+': a, '@@x': a, '+4x': a, '@example.com': a, '@': a, default: a });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error!.issues.map((i) => i.field)).toEqual(['49', '+', '@@x', '+4x']);
    expect(error!.issues[0]!.message).toBe("must be an E.164 prefix ('+49'), '@', '@domain' or 'default'");
  });
});

describe('failover start', () => {
  it('moves on only while nothing was sent, reporting every decision', async () => {
    const events: VerifyEvent[] = [];
    const [a, b, c] = [member('a', refused('a')), member('b'), member('c')];
    const verify = failover([a, b, c], { onEvent: (e) => events.push(e) });
    const v = await verify.start({ to: '+491701234567' });
    expect(v.id).toBe('b:b-v1');
    expect(v.provider).toBe('b');
    expect(decisions(events)).toEqual(['a try', 'a next connection no', 'b try', 'b sent']);
    expect(events[0]).toEqual({ type: 'decision', provider: 'failover', operation: 'start', member: 'a', decision: 'try' });
    expect(events[1]).toEqual({ type: 'decision', provider: 'failover', operation: 'start', member: 'a', decision: 'next', error: { name: 'ConnectionError', code: 'connection', sent: 'no' } });
    expect(c.calls).toEqual([]);
  });

  it('stops at a failure that may have sent, and throws it', async () => {
    const events: VerifyEvent[] = [];
    const error = late('a');
    const b = member('b');
    const thrown = await rejectionOf(failover([member('a', error), b], { onEvent: (e) => events.push(e), name: 'fo' }).start({ to: '+491701234567' }));
    expect(thrown).toBe(error);
    expect(decisions(events)).toEqual(['a try', 'a stop timeout maybe']);
    expect(events.every((e) => e.provider === 'fo')).toBe(true);
    expect(b.calls).toEqual([]);
  });

  it('goes on past a failure that may have sent only when told to', async () => {
    const events: VerifyEvent[] = [];
    const v = await failover([member('a', late('a')), member('b')], { onMaybeSent: 'continue', onEvent: (e) => events.push(e) }).start({ to: '+491701234567' });
    expect(v.id).toBe('b:b-v1');
    expect(decisions(events)).toEqual(['a try', 'a next-despite-maybe timeout maybe', 'b try', 'b sent']);
  });

  it('when every member fails: exhausted, with the last error; the first one when it was a validation error', async () => {
    const events: VerifyEvent[] = [];
    const last = rejected('b');
    const thrown = await rejectionOf(failover([member('a', refused('a')), member('b', last)], { onEvent: (e) => events.push(e) }).start({ to: '+491701234567' }));
    expect(thrown).toBe(last);
    expect(decisions(events)).toEqual(['a try', 'a next connection no', 'b try', 'b next rejected no', 'b exhausted rejected no']);

    const first = invalidInput('a');
    const three: VerifyEvent[] = [];
    await rejectionOf(failover([member('a', refused('a')), member('b', refused('b')), member('c', refused('c'))], { onEvent: (e) => three.push(e) }).start({ to: '+491701234567' }));
    expect(decisions(three).at(-1)).toBe('c exhausted connection no');
    const both = await rejectionOf(failover([member('a', first), member('b', rejected('b'))]).start({ to: '+491701234567' }));
    expect(both).toBe(first);
    const later = invalidInput('b');
    expect(await rejectionOf(failover([member('a', refused('a')), member('b', later)]).start({ to: '+491701234567' }))).toBe(later);
  });

  it('an error that is not a polyverify error ends the start at once', async () => {
    const events: VerifyEvent[] = [];
    const boom = new Error('bug in a custom member');
    const b = member('b');
    expect(await rejectionOf(failover([member('a', boom), b], { onEvent: (e) => events.push(e) }).start({ to: '+491701234567' }))).toBe(boom);
    expect(decisions(events)).toEqual(['a try']);
    expect(b.calls).toEqual([]);
  });

  it('refuses what no member could accept before asking any', async () => {
    const a = member('a');
    const error = await rejectionOf(failover([a]).start({ to: 'nope' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.provider).toBe('failover');
    const options = await rejectionOf(failover([a]).start({ to: '+491701234567' }, { timeoutMs: -1 }));
    expect(options).toMatchObject({ name: 'ValidationError', provider: 'failover', operation: 'start' });
    expect(error.operation).toBe('start');
    expect(error.message).toBe('Invalid start request: to: must be an E.164 phone number such as +491701234567');
    expect(a.calls).toEqual([]);
  });
});

describe('calls by routable id', () => {
  it('reach the issuing member with its own id, and qualify what comes back', async () => {
    const [a, b] = [member('a'), member('b')];
    const verify = failover([a, b]);
    expect((await verify.get('b:x1')).id).toBe('b:x1');
    expect((await verify.resend('b:x2', { step: 1 })).id).toBe('b:x2');
    expect((await verify.failover('a:x3', { step: 2 })).id).toBe('a:x3');
    expect((await verify.cancel('a:x4')).id).toBe('a:x4');
    const verified = await verify.check('b:x5', 'with');
    expect(verified).toEqual({ verified: true, status: 'verified' });
    expect(await verify.check('a:x6', 'without')).toEqual({ verified: false, status: 'pending', reason: 'incorrect_code' });
    expect(a.calls).toEqual(['failover x3 2', 'cancel x4', 'check x6 without']);
    expect(b.calls).toEqual(['get x1', 'resend x2 1', 'check x5 with']);
  });

  it('an id with ":" in the member part splits at the first one', async () => {
    const a = member('a');
    expect((await failover([a]).get('a:x:y')).id).toBe('a:x:y');
    expect(a.calls).toEqual(['get x:y']);
    expect(routableId('a', 'x:y')).toBe('a:x:y');
  });

  it('refuses ids without a member, or naming one it does not have', async () => {
    const verify = failover([member('a')], { name: 'fo' });
    for (const id of ['plain', ':x', 42 as unknown as string]) {
      const error = await rejectionOf(verify.get(id));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues).toEqual([{ field: 'id', message: 'must be an id from fo (member:id)' }]);
      expect(error.operation).toBe('get');
    }
    const unknown = await rejectionOf(verify.check('zz:x', '1234'));
    expect(unknown.issues).toEqual([{ field: 'id', message: "names 'zz', which fo does not have" }]);
    expect(unknown.operation).toBe('check');
    expect((await rejectionOf(verify.resend('q'))).operation).toBe('resend');
    expect((await rejectionOf(verify.failover('q'))).operation).toBe('failover');
    expect((await rejectionOf(verify.cancel('q'))).operation).toBe('cancel');
  });
});

describe('ids from other forms of the same config', () => {
  it('a composite takes an id that starts with its own name', async () => {
    const [a, b] = [member('a'), member('b')];
    const verify = failover([a, b], { name: 'fo' });
    expect((await verify.get('fo:b:x1')).id).toBe('b:x1');
    expect(b.calls).toEqual(['get x1']);
    expect((await rejectionOf(verify.get('fo:zz:x'))).issues).toEqual([{ field: 'id', message: "names 'zz', which fo does not have" }]);
    // Its own name with nothing routable after it is not stripped.
    expect((await rejectionOf(verify.get('fo:x'))).issues).toEqual([{ field: 'id', message: "names 'fo', which fo does not have" }]);
  });

  it('a member named like the composite wins over stripping its name', async () => {
    const same = member('fo');
    const verify = failover([same], { name: 'fo' });
    expect((await verify.get('fo:a:x')).id).toBe('fo:a:x');
    expect(same.calls).toEqual(['get a:x']);
  });

  it('a route takes an id naming one provider inside a member, and refuses a name two providers share', async () => {
    const [a, b, c] = [member('a'), member('b'), member('c')];
    const verify = route({ '+49': a, default: failover([b, c]) });
    expect((await verify.get('c:x2')).id).toBe('c:x2');
    expect(await verify.check('b:x3', 'with')).toEqual({ verified: true, status: 'verified' });
    expect([b.calls, c.calls]).toEqual([['check x3 with'], ['get x2']]);
    const twoNamedA = route({ '+49': failover([member('a')], { name: 'f1' }), default: failover([member('a')], { name: 'f2' }) });
    expect((await rejectionOf(twoNamedA.get('a:x'))).issues).toEqual([{ field: 'id', message: "names 'a', which route does not have" }]);
  });
});

describe('listing through a composite', () => {
  /** A member that lists `count` items newest first, without pages(). */
  function listing(name: string, count: number, start: number): VerifyProvider {
    const items = Array.from({ length: count }, (_, i) => fakeVerification(name, `${name}-${i}`, start - i * 1_000));
    return {
      ...member(name),
      list: () => (async function* () { yield* items; })(),
      listPage: async (query) => {
        const from = Number(query?.cursor ?? 0);
        const limit = query?.limit ?? 25;
        const page = items.slice(from, from + limit);
        return from + limit < items.length ? { items: page, nextCursor: String(from + limit) } : { items: page };
      },
    };
  }

  it('qualifies ids in list() and listPage(), and gives no nextCursor on the last page', async () => {
    const verify = failover([listing('a', 3, 10_000), listing('b', 2, 9_500)]);
    const listed: string[] = [];
    for await (const v of verify.list()) listed.push(v.id);
    expect(listed).toEqual(['a:a-0', 'b:b-0', 'a:a-1', 'b:b-1', 'a:a-2']);
    const first = await verify.listPage({ limit: 3 });
    expect(first.items.map((v) => v.id)).toEqual(['a:a-0', 'b:b-0', 'a:a-1']);
    expect(typeof first.nextCursor).toBe('string');
    const last = await verify.listPage({ limit: 3, cursor: first.nextCursor! });
    expect(last.items.map((v) => v.id)).toEqual(['b:b-1', 'a:a-2']);
    expect(Object.keys(last)).toEqual(['items']);
  });
});

describe('listing a provider that sits in two members', () => {
  function listing(name: string, count: number, start: number): VerifyProvider {
    const items = Array.from({ length: count }, (_, i) => fakeVerification(name, `${name}-${i}`, start - i * 1_000));
    return {
      ...member(name),
      list: () => (async function* () { yield* items; })(),
      listPage: async (query) => {
        const from = Number(query?.cursor ?? 0);
        const limit = query?.limit ?? 25;
        const page = items.slice(from, from + limit);
        return from + limit < items.length ? { items: page, nextCursor: String(from + limit) } : { items: page };
      },
    };
  }

  it('lists it once, under the first way to it, in list() and listPage()', async () => {
    const a = listing('a', 2, 10_000);
    const verify = route({ '+49': a, default: failover([a, listing('b', 2, 9_500)]) });
    const listed: string[] = [];
    for await (const v of verify.list()) listed.push(v.id);
    expect(listed).toEqual(['a:a-0', 'failover:b:b-0', 'a:a-1', 'failover:b:b-1']);
    const first = await verify.listPage({ limit: 3 });
    expect(first.items.map((v) => v.id)).toEqual(['a:a-0', 'failover:b:b-0', 'a:a-1']);
    const last = await verify.listPage({ limit: 3, cursor: first.nextCursor! });
    expect(last.items.map((v) => v.id)).toEqual(['failover:b:b-1']);
  });

  it('nested composites without a shared provider list member by member, as before', async () => {
    const verify = route({ '+49': listing('a', 1, 10_000), default: failover([listing('b', 1, 9_000)], { name: 'fb' }) });
    const listed: string[] = [];
    for await (const v of verify.list()) listed.push(v.id);
    expect(listed).toEqual(['a:a-0', 'fb:b:b-0']);
  });
});

describe('route start', () => {
  it('longest prefix, then the e-mail domain (any case), then @, then default; one route decision each', async () => {
    const events: VerifyEvent[] = [];
    const [de, mobile, mail, shop, other] = ['de', 'mobile', 'mail', 'shop', 'other'].map((n) => member(n));
    const verify = route({ '+49': de!, '+4917': mobile!, '@': mail!, '@shop.example': shop!, default: other! }, { onEvent: (e) => events.push(e), name: 'r' });
    expect((await verify.start({ to: '+491701234567' })).id).toBe('mobile:mobile-v1');
    expect((await verify.start({ to: '+4930123456' })).id).toBe('de:de-v1');
    expect((await verify.start({ to: { email: 'A@Shop.Example' } })).id).toBe('shop:shop-v1');
    expect((await verify.start({ to: { email: 'a@elsewhere.example' } })).id).toBe('mail:mail-v1');
    expect((await verify.start({ to: '+31612345678' })).id).toBe('other:other-v1');
    expect(events).toEqual(
      ['mobile', 'de', 'shop', 'mail', 'other'].map((m) => ({ type: 'decision', provider: 'r', operation: 'start', member: m, decision: 'route' })),
    );
  });

  it('e-mail without @ rules goes to the default', async () => {
    const other = member('other');
    expect((await route({ '+49': member('de'), default: other }).start({ to: { email: 'a@b.example' } })).id).toBe('other:other-v1');
  });
});

describe('combined capabilities', () => {
  it('unions what a later call may use, intersects what a start needs', () => {
    const a = member('a', undefined, { channels: ['sms', 'voice'], codeOwner: 'library', customCode: true, resend: true, cancel: 'local', cost: false, reference: true, listFilters: { server: ['from'], client: ['to', 'status', 'channel', 'phone', 'reference', 'ids'] } });
    const b = member('b', undefined, { channels: ['sms', 'viber'], codeLength: { min: 6, max: 12, default: 6 }, ttlSeconds: { min: 60, max: 300, default: 120 }, maxAttempts: { min: 2, max: 10, default: 3 }, failover: true });
    expect(failover([a, b]).capabilities).toEqual({
      channels: ['sms', 'voice', 'viber'],
      recipients: ['phone'],
      codeOwner: 'mixed',
      customCode: false,
      codeLength: { min: 6, max: 8, default: 6 },
      ttlSeconds: { min: 60, max: 300, default: 300 },
      maxAttempts: { min: 2, max: 5, default: 3 },
      resend: true,
      failover: true,
      cancel: 'mixed',
      cost: true,
      reference: false,
      listFilters: { server: ['from'], client: ['to', 'status', 'channel', 'phone', 'reference', 'ids'] },
    });
    expect(failover([b, a]).capabilities.codeLength.default).toBe(6);
    const same = failover([member('x', undefined, { codeOwner: 'library', cancel: 'local', customCode: true, reference: true, cost: false }), member('y', undefined, { codeOwner: 'library', cancel: 'local', customCode: true, reference: true, cost: false })]).capabilities;
    expect(same).toMatchObject({ codeOwner: 'library', cancel: 'local', customCode: true, reference: true, cost: false, resend: false, failover: false });
    // A default outside what every member accepts is clamped into the common range.
    const low = member('low', undefined, { ttlSeconds: { min: 30, max: 100, default: 30 } });
    const high = member('high', undefined, { ttlSeconds: { min: 60, max: 600, default: 600 } });
    expect(failover([low, high]).capabilities.ttlSeconds).toEqual({ min: 60, max: 100, default: 60 });
    expect(failover([high, low]).capabilities.ttlSeconds).toEqual({ min: 60, max: 100, default: 100 });
  });
});

describe('inspection', () => {
  it('shows the composite, its members and nothing else', () => {
    const [a, b] = [member('a'), member('b')];
    expect(inspect(failover([a, b], { name: 'fo' }))).toBe("VerifyProvider { name: 'fo', failover: ['a', 'b'] }");
    expect(inspect(route({ '+49': a, default: b }))).toBe("VerifyProvider { name: 'route', route: ['+49', 'default'] }");
    expect(Object.isFrozen(failover([a]))).toBe(true);
    expect(Object.isFrozen(route({ default: a }))).toBe(true);
  });

  it('unsupported member calls still say so through the composite', async () => {
    const a = member('a');
    const broken = { ...a, resend: () => Promise.reject(new UnsupportedError('a resend: no', { provider: 'a', operation: 'resend' })) };
    expect(await rejectionOf(failover([broken]).resend('a:x'))).toBeInstanceOf(UnsupportedError);
  });
});
