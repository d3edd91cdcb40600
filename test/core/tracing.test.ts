/**
 * The tracing channels the core publishes on (`polyverify:<operation>`, `polyverify:decision`),
 * seen by a plain `node:diagnostics_channel` subscriber: the events in order, the exact context
 * objects, nothing while nobody listens, and no secret, code or number on any context.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { failover, guard, MemoryCodeStore, RateLimitError } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { startSimulator, type Simulators } from '../../testing/index.js';
import { countryParser } from '../../src/numbers.js';
import { channelsOf, diagnosticsOf, traceOperation, type TraceContext } from '../../src/tracing.js';
import { fastBackoff, rejectionOf } from '../helpers.js';

const PHONE = '+491701234567';
const SECRET = 'tracing-secret-0123456789';
const OPERATIONS = ['start', 'check', 'get', 'list', 'resend', 'failover', 'cancel'] as const;

/** Every event on every polyverify channel, as [channel:event, a copy of the context then]. */
function listen() {
  const seen: [string, Record<string, unknown>][] = [];
  const contexts = new Set<TraceContext>();
  const subscriptions = OPERATIONS.map((operation) => {
    const handlers = Object.fromEntries(
      (['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const).map((event) => [
        event,
        (message: unknown) => {
          contexts.add(message as TraceContext);
          seen.push([`${operation}:${event}`, { ...(message as object) }]);
        },
      ]),
    );
    tracingChannel(`polyverify:${operation}`).subscribe(handlers as never);
    return () => tracingChannel(`polyverify:${operation}`).unsubscribe(handlers as never);
  });
  const decisions: unknown[] = [];
  const onDecision = (message: unknown) => decisions.push(message);
  channel('polyverify:decision').subscribe(onDecision);
  return {
    seen,
    contexts,
    decisions,
    close() {
      for (const unsubscribe of subscriptions) unsubscribe();
      channel('polyverify:decision').unsubscribe(onDecision);
    },
  };
}

describe('finding the channels', () => {
  it('takes node:diagnostics_channel from process.getBuiltinModule, and nothing where there is none', () => {
    expect(diagnosticsOf(globalThis as never)).toBeDefined();
    expect(diagnosticsOf({})).toBeUndefined();
    expect(diagnosticsOf({ process: {} })).toBeUndefined();
    expect(diagnosticsOf({ process: { getBuiltinModule: () => undefined } })).toBeUndefined();
    expect(diagnosticsOf({ process: { getBuiltinModule: () => ({ channel: () => undefined }) } })).toBeUndefined();
    expect(diagnosticsOf({ process: { getBuiltinModule: () => ({ tracingChannel: () => undefined }) } })).toBeUndefined();
    expect(
      diagnosticsOf({
        process: {
          getBuiltinModule: () => {
            throw new Error('denied by the permission model');
          },
        },
      }),
    ).toBeUndefined();
    expect(channelsOf(undefined)).toBeUndefined();
    const names: string[] = [];
    const made = channelsOf({ tracingChannel: (name) => (names.push(name), {} as never), channel: (name) => (names.push(name), {} as never) });
    expect(Object.keys(made!.operations)).toEqual([...OPERATIONS]);
    expect(names).toEqual([...OPERATIONS.map((operation) => `polyverify:${operation}`), 'polyverify:decision']);
  });
});

describe('a traced call', () => {
  const on = { provider: 'p', kind: 'vendor', vendor: 'v', serverAddress: 'api.example' };

  it('is the call itself while nobody listens: the same promise, no context built', async () => {
    const answer = Promise.resolve({ verified: true, status: 'verified' });
    const check = traceOperation('check', on, (_id: string, _code: string) => answer);
    expect(check('id', '123456')).toBe(answer);
    const log = listen();
    log.close();
    expect(check('id', '123456')).toBe(answer);
    expect(log.seen).toEqual([]);
  });

  it('publishes start, end, asyncStart, asyncEnd with one context, filled in before asyncEnd', async () => {
    const log = listen();
    try {
      const check = traceOperation('check', on, async (_id: string, _code: string) => ({ verified: false, status: 'pending' as const, reason: 'incorrect_code' as const, attemptsRemaining: 2 }));
      await check('the-id', '123456');
      expect(log.seen.map(([event]) => event)).toEqual(['check:start', 'check:end', 'check:asyncStart', 'check:asyncEnd']);
      expect(log.seen[0]![1]).toEqual({ operation: 'check', provider: 'p', kind: 'vendor', vendor: 'v', serverAddress: 'api.example' });
      expect(log.seen[3]![1]).toEqual({ operation: 'check', provider: 'p', kind: 'vendor', vendor: 'v', serverAddress: 'api.example', id: 'the-id', verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 2 });
      expect(log.contexts.size).toBe(1);
    } finally {
      log.close();
    }
  });

  it('a failure: error before asyncStart, the error and its sent on the context, the caller gets the same error', async () => {
    const log = listen();
    try {
      const refusal = new RateLimitError('p start refused', { provider: 'p', operation: 'start', sent: 'no' });
      const start = traceOperation('start', { provider: 'g', kind: 'guard' }, (_request: unknown) => Promise.reject(refusal));
      expect(await rejectionOf(start({ to: { email: 'a@example.com' }, channels: [{ channel: 'email' }] }))).toBe(refusal);
      expect(log.seen.map(([event]) => event)).toEqual(['start:start', 'start:end', 'start:error', 'start:asyncStart', 'start:asyncEnd']);
      expect(log.seen[0]![1]).toEqual({ operation: 'start', provider: 'g', kind: 'guard', channel: 'email', country: 'email' });
      expect(log.seen[4]![1]).toEqual({ operation: 'start', provider: 'g', kind: 'guard', channel: 'email', country: 'email', error: refusal, sent: 'no' });

      // Thrown before a promise: error and end, and the throw.
      log.seen.length = 0;
      const broken = new TypeError('a bug');
      const get = traceOperation('get', on, (_id: string): Promise<never> => {
        throw broken;
      });
      expect(() => get('x')).toThrow(broken);
      expect(log.seen.map(([event]) => event)).toEqual(['get:start', 'get:error', 'get:end']);
      expect(log.seen[2]![1]).toEqual({ operation: 'get', ...on, error: broken });

      // Anything but a VerifyError on a sending call: it may have sent.
      log.seen.length = 0;
      const resend = traceOperation('resend', on, (_id: string) => Promise.reject(broken));
      await rejectionOf(resend('x'));
      expect(log.seen.at(-1)![1]).toEqual({ operation: 'resend', ...on, error: broken, sent: 'maybe' });
    } finally {
      log.close();
    }
  });

  it("a list read: the page's item count", async () => {
    const log = listen();
    try {
      await traceOperation('list', on, async () => ({ items: [1, 2, 3] }))();
      expect(log.seen.at(-1)![1]).toEqual({ operation: 'list', ...on, items: 3 });
    } finally {
      log.close();
    }
  });
});

describe('providers publish', () => {
  let sim: Simulators['lox24'];
  beforeAll(async () => {
    sim = await startSimulator('lox24');
    await countryParser(); // countries come with the number metadata, which a guard or polyverify/otel loads
  });
  afterAll(() => sim.close());
  let log: ReturnType<typeof listen>;
  afterEach(() => log?.close());
  const lox = (name?: string) => lox24({ token: sim.token, secret: SECRET, baseUrl: sim.url, codeStore: new MemoryCodeStore(), backoff: fastBackoff, ...(name && { name }) });

  it("a vendor's start and check, and a failover's around them: exact contexts", async () => {
    log = listen();
    const verify = failover([lox()]);
    const started = await verify.start({ to: PHONE, channels: [{ channel: 'sms' }] });
    const vendorId = started.id.slice('lox24:'.length);
    const ends = () => log.seen.filter(([event]) => event.endsWith(':asyncEnd')).map(([, context]) => context);
    expect(ends()).toEqual([
      {
        operation: 'start',
        provider: 'lox24',
        kind: 'vendor',
        vendor: 'lox24',
        serverAddress: '127.0.0.1',
        channel: 'sms',
        country: 'DE',
        id: vendorId,
        status: 'pending',
        sent: 'yes',
        ...(started.cost && { cost: started.cost }),
      },
      { operation: 'start', provider: 'failover', kind: 'failover', channel: 'sms', country: 'DE', id: started.id, member: 'lox24', status: 'pending', sent: 'yes', ...(started.cost && { cost: started.cost }) },
    ]);
    // The failover's call encloses its member's.
    expect(log.seen.map(([event, context]) => `${event} ${context['provider']}`).slice(0, 3)).toEqual(['start:start failover', 'start:start lox24', 'start:end lox24']);
    expect(log.decisions).toEqual([
      { type: 'decision', provider: 'failover', operation: 'start', member: 'lox24', decision: 'try' },
      { type: 'decision', provider: 'failover', operation: 'start', member: 'lox24', decision: 'sent' },
    ]);

    log.seen.length = 0;
    const code = sim.lastCode(vendorId)!;
    await verify.check(started.id, code);
    expect(ends()).toEqual([
      { operation: 'check', provider: 'lox24', kind: 'vendor', vendor: 'lox24', serverAddress: '127.0.0.1', id: vendorId, verified: true, status: 'verified' },
      { operation: 'check', provider: 'failover', kind: 'failover', id: started.id, member: 'lox24', verified: true, status: 'verified' },
    ]);
    // A caller's bad id: refused, and not on the context.
    log.seen.length = 0;
    await rejectionOf(verify.check(PHONE, code));
    expect(ends()).toEqual([{ operation: 'check', provider: 'failover', kind: 'failover', error: expect.objectContaining({ code: 'validation' }) }]);
  });

  it("a guard's refusal publishes its decision without the recipient, and no context holds a secret, a code or a number", async () => {
    log = listen();
    const verify = guard(lox('guarded'), { perPhone: { max: 1, windowSeconds: 600 } });
    const started = await verify.start({ to: PHONE });
    const code = sim.lastCode(started.id)!;
    await verify.check(started.id, code);
    await verify.get(started.id);
    await verify.cancel(started.id).catch(() => undefined);
    await rejectionOf(verify.start({ to: PHONE }));
    await verify.listPage({ limit: 1, phone: PHONE });
    expect(log.decisions).toEqual([
      { type: 'decision', provider: 'guarded', operation: 'start', member: 'guarded', decision: 'allowed' },
      { type: 'decision', provider: 'guarded', operation: 'start', member: 'guarded', decision: 'refused', rule: 'perPhone' },
    ]);
    expect(new Set(log.seen.map(([event]) => event.split(':')[0]))).toEqual(new Set(['start', 'check', 'get', 'cancel', 'list']));
    for (const context of log.contexts) {
      const { error, ...rest } = context;
      const text = [JSON.stringify(rest), inspect(rest, { depth: Infinity, showHidden: true })].join('\n');
      for (const secret of [SECRET, sim.token, PHONE]) for (let i = 0; i + 8 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 8));
      expect(text).not.toContain(PHONE.slice(1));
      expect(text).not.toMatch(new RegExp(`\\b${code}\\b`));
      if (error !== undefined) expect(inspect(error)).not.toContain(PHONE);
    }
  });
});

describe('what a context says, call by call', () => {
  const on = { provider: 'p', kind: 'vendor', vendor: 'v' };
  beforeAll(async () => {
    await countryParser();
  });
  const verification = (changes: Record<string, unknown> = {}) => ({ id: 'vid', status: 'pending', channels: [{ channel: 'sms' }], deliveredChannel: undefined, cost: null, country: undefined, ...changes });
  /** The context at asyncEnd of one call. */
  async function endOf(operation: 'start' | 'get' | 'cancel' | 'resend' | 'check', value: unknown, args: unknown[], who: Record<string, string> = on): Promise<Record<string, unknown>> {
    const log = listen();
    try {
      await traceOperation(operation, who as never, (..._args: unknown[]) => Promise.resolve(value))(...args);
      return log.seen.find(([event]) => event.endsWith(':asyncEnd'))![1];
    } finally {
      log.close();
    }
  }

  for (const event of ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const) {
    it(`publishes when only ${event} is listened to`, async () => {
      const heard: unknown[] = [];
      const handler = { [event]: (message: unknown) => heard.push(message) };
      tracingChannel('polyverify:get').subscribe(handler as never);
      try {
        await traceOperation('get', on, (_id: string) => (event === 'error' ? Promise.reject(new Error('x')) : Promise.resolve(verification())))('vid').catch(() => undefined);
        expect(heard).toHaveLength(1);
        expect(heard[0]).toMatchObject({ operation: 'get', provider: 'p' });
      } finally {
        tracingChannel('polyverify:get').unsubscribe(handler as never);
      }
    });
  }

  it('start: the request read with care — a missing request, odd plans, numbers the metadata cannot place', async () => {
    expect(await endOf('start', verification(), [])).toEqual({ operation: 'start', ...on, id: 'vid', status: 'pending', channel: 'sms', sent: 'yes' });
    expect(await endOf('start', verification({ channels: [] }), [{ to: 42, channels: 'sms' }])).toEqual({ operation: 'start', ...on, id: 'vid', status: 'pending', sent: 'yes' });
    expect(await endOf('start', verification(), [{ to: '+491701234567', channels: [] }])).toMatchObject({ channel: 'sms', country: 'DE' });
    expect(await endOf('start', verification(), [{ to: '+491701234567', channels: [{ channel: 7 }] }])).toMatchObject({ country: 'DE' });
    expect(await endOf('start', verification(), [{ to: '+999123', channels: [{ channel: 'voice' }] }])).toMatchObject({ country: 'unknown' });
    expect(await endOf('start', verification({ country: 'AT' }), [{ to: 42 }])).toMatchObject({ country: 'AT' });
    expect(await endOf('start', verification({ country: 'AT' }), [{ to: '+491701234567' }])).toMatchObject({ country: 'DE' });
  });

  it('answers: the delivered channel first, cost only where said, member only on a wrapper, sent only on sending calls', async () => {
    expect(await endOf('get', verification({ deliveredChannel: 'voice', cost: { amount: '0.05', currency: 'EUR' }, country: 'AT' }), ['vid'])).toEqual({
      operation: 'get',
      ...on,
      id: 'vid',
      status: 'pending',
      channel: 'voice',
      cost: { amount: '0.05', currency: 'EUR' },
    });
    expect(await endOf('cancel', verification({ id: 'lox24:vid', status: 'canceled' }), ['lox24:vid'], { provider: 'f', kind: 'failover' })).toEqual({
      operation: 'cancel',
      provider: 'f',
      kind: 'failover',
      id: 'lox24:vid',
      member: 'lox24',
      status: 'canceled',
      channel: 'sms',
    });
    expect(await endOf('resend', verification(), ['vid'])).toMatchObject({ sent: 'yes' });
    expect(await endOf('check', { verified: true, status: 'verified' }, [42])).toEqual({ operation: 'check', ...on, verified: true, status: 'verified' });
  });

  it('a failed check or read says nothing of sent', async () => {
    for (const operation of ['check', 'get', 'list', 'cancel'] as const) {
      const log = listen();
      try {
        await rejectionOf(traceOperation(operation, on, () => Promise.reject(new Error('x')))());
        expect(log.seen.at(-1)![1]).not.toHaveProperty('sent');
      } finally {
        log.close();
      }
    }
  });
});

describe('a fresh process', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('without diagnostics channels: the call as it is, no decision published, nothing thrown', async () => {
    vi.resetModules();
    vi.stubGlobal('process', { ...process, getBuiltinModule: () => undefined });
    const fresh = await import('../../src/tracing.js');
    const answer = Promise.resolve('x');
    expect(fresh.traceOperation('get', { provider: 'p', kind: 'vendor' }, () => answer)()).toBe(answer);
    expect(() => fresh.publishDecision({ type: 'decision', provider: 'p', operation: 'start', member: 'm', decision: 'try' })).not.toThrow();
  });

  it('channels without runStores: start published, then the call', async () => {
    vi.resetModules();
    const heard: string[] = [];
    const publisher = (name: string) => ({ hasSubscribers: true, publish: (message: { operation: string }) => heard.push(`${name} ${message.operation}`) });
    const fake = {
      tracingChannel: () => ({ start: publisher('start'), end: publisher('end'), asyncStart: publisher('asyncStart'), asyncEnd: publisher('asyncEnd'), error: publisher('error') }),
      channel: () => publisher('decision'),
    };
    vi.stubGlobal('process', { ...process, getBuiltinModule: (name: string) => (name === 'node:diagnostics_channel' ? fake : undefined) });
    const fresh = await import('../../src/tracing.js');
    await fresh.traceOperation('get', { provider: 'p', kind: 'vendor' }, () => {
      heard.push('call');
      return Promise.resolve({ id: 'i', status: 'pending', channels: [] });
    })();
    expect(heard).toEqual(['start get', 'call', 'end get', 'asyncStart get', 'asyncEnd get']);
  });

  it("a start's country waits for the metadata still loading, and goes without when it fails to load", async () => {
    vi.resetModules();
    const fresh = await import('../../src/tracing.js');
    let release!: (parse: (phone: string) => string | undefined) => void;
    fresh.countriesFrom(new Promise((resolve) => (release = resolve)));
    const seen: Record<string, unknown>[] = [];
    const handler = { start: (m: unknown) => seen.push({ ...(m as object) }), asyncEnd: (m: unknown) => seen.push({ ...(m as object) }) };
    tracingChannel('polyverify:start').subscribe(handler as never);
    try {
      const pending = fresh.traceOperation('start', { provider: 'p', kind: 'vendor' }, (_request: unknown) => Promise.resolve({ id: 'i', status: 'pending', channels: [] }))({ to: '+491701234567' });
      const failing = fresh.traceOperation('start', { provider: 'p', kind: 'vendor' }, (_request: unknown) => Promise.reject(new Error('x')))({ to: '+491701234567' });
      const email = fresh.traceOperation('start', { provider: 'p', kind: 'vendor' }, (_request: unknown) => Promise.resolve({ id: 'j', status: 'pending', channels: [] }))({ to: { email: 'a@example.com' } });
      await email;
      expect(seen.slice(0, 3).map((context) => context['country'])).toEqual([undefined, undefined, 'email']);
      release((phone) => (phone.startsWith('+49') ? 'DE' : undefined));
      await pending;
      await failing.catch(() => undefined);
      expect(seen.filter((context) => context['id'] === 'i' || context['error']).map((context) => context['country'])).toEqual(['DE', 'DE']);

      vi.resetModules();
      const again = await import('../../src/tracing.js');
      again.countriesFrom(Promise.reject(new Error('no metadata')));
      seen.length = 0;
      await again.traceOperation('start', { provider: 'p', kind: 'vendor' }, (_request: unknown) => Promise.resolve({ id: 'k', status: 'pending', channels: [] }))({ to: '+491701234567' });
      expect(seen.at(-1)).not.toHaveProperty('country');
    } finally {
      tracingChannel('polyverify:start').unsubscribe(handler as never);
    }
  });
});
