/**
 * Early starts (src/early-start.ts): a guarded LOX24 start sends its code's provisional save
 * while the guard's limits are taken (one round trip to a shared store, not two) and reaches
 * LOX24 — and its own `start` — only once they pass; a refusal or a failing limit store drops
 * the saved record; a failing save gives the limits back; an invalid request and a provider
 * without early work (a failover) keep the plain order. Against the LOX24 simulator on 127.0.0.1.
 */
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failover, guard, MemoryCodeStore, RateLimitError, StoreUnavailableError, ValidationError, type LimitStore, type VerifyProvider } from '../../src/index.js';
import { defineProvider } from '../../src/adapter/define.js';
import type { CodeRecord } from '../../src/codes/store.js';
import { earlyStart, type EarlyWork } from '../../src/early-start.js';
import type { Verification } from '../../src/model.js';
import { lox24 } from '../../providers/lox24/index.js';
import { startSimulator, type Simulators } from '../../testing/index.js';

let sim: Simulators['lox24'];
beforeAll(async () => void (sim = await startSimulator('lox24')));
afterAll(() => sim.close());

/** A code store that records what it is asked, and fails saves when told. */
class RecordingStore extends MemoryCodeStore {
  readonly saved: string[] = [];
  readonly deleted: string[] = [];
  failSaves = false;
  override async save(key: string, record: CodeRecord): Promise<void> {
    this.saved.push(key);
    if (this.failSaves) throw new Error('store down');
    return super.save(key, record);
  }
  override async delete(key: string): Promise<void> {
    this.deleted.push(key);
    return super.delete(key);
  }
}

type Answer = { allowed: boolean; retryAfterMs: number } | Error;

/** Limits whose takes wait until `settle` is called with their answer. */
function heldLimits() {
  const held: ((answer: Answer) => void)[] = [];
  const givenBack: string[] = [];
  const limits: LimitStore = {
    take: () => new Promise((resolve, reject) => held.push((answer) => (answer instanceof Error ? reject(answer) : resolve(answer)))),
    giveBack: async (bucket) => void givenBack.push(bucket),
  };
  return { limits, held, givenBack, settle: (answer: Answer) => held.splice(0).forEach((settle) => settle(answer)) };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 30));
const RULES = { perPhone: { max: 3, windowSeconds: 600 }, perKey: { max: 10, windowSeconds: 600 } };
const ALLOWED = { allowed: true, retryAfterMs: 0 };

function setup(wrap: (p: ReturnType<typeof lox24>) => VerifyProvider = (p) => p) {
  const store = new RecordingStore();
  const held = heldLimits();
  const provider = wrap(lox24({ token: sim.token, secret: 'early-start-secret-0123456789', baseUrl: sim.url, codeStore: store }));
  const verify = guard(provider, { ...RULES, limits: held.limits });
  return { store, held, verify };
}

describe('early starts under a guard', () => {
  it('saves the code while the limits are taken, and reaches LOX24 only once they pass', async () => {
    const { store, held, verify } = setup();
    const before = sim.requestCount;
    const starting = verify.start({ to: '+491701234567' }, { limitKey: '10.0.0.1' });
    await settled();
    expect(held.held).toHaveLength(2);
    expect(store.saved).toEqual([expect.stringMatching(/^provisional:[0-9a-f-]{36}$/)]);
    expect(sim.requestCount).toBe(before);
    held.settle(ALLOWED);
    const verification = await starting;
    expect(sim.requestCount).toBe(before + 1);
    expect(store.saved).toEqual([expect.stringMatching(/^provisional:/), verification.id]);
    expect(store.deleted).toEqual([store.saved[0]]);
    expect(held.givenBack).toEqual([]);
    // The code sent is the code saved: the simulator's last message checks against the store.
    const code = sim.lastCode('+491701234567');
    expect(await verify.check(verification.id, code!)).toEqual({ verified: true, status: 'verified' });
  });

  it('a refusal drops the saved code, sends nothing, and is the error thrown', async () => {
    const { store, held, verify } = setup();
    const before = sim.requestCount;
    const starting = verify.start({ to: '+491701234567' }, { limitKey: '10.0.0.2' });
    await settled();
    held.settle({ allowed: false, retryAfterMs: 60_000 });
    const error = await starting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ sent: 'no', retryAfterMs: 60_000, message: expect.stringMatching(/^lox24 start refused by the guard: too many /) });
    expect(sim.requestCount).toBe(before);
    expect(store.saved).toHaveLength(1);
    expect(store.deleted).toEqual(store.saved);
    expect(store.size).toBe(0);
  });

  it("the limit store's failure is the error thrown, and the saved code is dropped", async () => {
    const { store, held, verify } = setup();
    const before = sim.requestCount;
    const starting = verify.start({ to: '+491701234567' }, { limitKey: '10.0.0.3' });
    await settled();
    held.settle(new Error('limits down'));
    const error = await starting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ sent: 'no', message: expect.stringContaining("the guard's limit store failed (limits down)") });
    expect(sim.requestCount).toBe(before);
    expect(store.deleted).toEqual(store.saved);
    expect(store.size).toBe(0);
  });

  it('a save that fails sends nothing, throws the store error from start, and gives the limits back', async () => {
    const { store, held, verify } = setup();
    store.failSaves = true;
    const before = sim.requestCount;
    const starting = verify.start({ to: '+491701234567' }, { limitKey: '10.0.0.4' });
    await settled();
    held.settle(ALLOWED);
    const error = await starting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ sent: 'no', provider: 'lox24', operation: 'start', message: 'lox24 start: the code store failed (store down)' });
    expect(sim.requestCount).toBe(before);
    expect(held.givenBack.sort()).toEqual(['perKey:0', 'perPhone:0']);
    expect(store.deleted).toEqual([]);
  });

  it('an invalid request begins nothing: the limits are taken, then start refuses it as without a guard', async () => {
    const { store, held, verify } = setup();
    const starting = verify.start({ to: '+491701234567', codeLength: 20 }, { limitKey: '10.0.0.6' });
    await settled();
    expect(store.saved).toEqual([]);
    held.settle(ALLOWED);
    const error = await starting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ issues: [{ field: 'codeLength', message: 'must be 4 to 8 for LOX24' }] });
    expect(store.saved).toEqual([]);
    expect(held.givenBack.sort()).toEqual(['perKey:0', 'perPhone:0']);
  });

  it("the caller's call options reach the vendor call of a start begun early (here: its signal)", async () => {
    const { store, held, verify } = setup();
    const before = sim.requestCount;
    const controller = new AbortController();
    const starting = verify.start({ to: '+491701234567' }, { limitKey: '10.0.0.7', signal: controller.signal });
    await settled();
    controller.abort();
    held.settle(ALLOWED);
    const error = await starting.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortedError', provider: 'lox24', operation: 'start', sent: 'no' });
    expect(sim.requestCount).toBe(before);
    expect(store.size).toBe(0);
  });

  it('a provider without early work (a failover) keeps the plain order: limits first, then the save', async () => {
    const { store, held, verify } = setup((p) => failover([p]));
    const starting = verify.start({ to: '+491701234567' }, { limitKey: '10.0.0.5' });
    await settled();
    expect(held.held).toHaveLength(2);
    expect(store.saved).toEqual([]);
    held.settle(ALLOWED);
    await starting;
    expect(store.saved).toHaveLength(2);
  });

  it('the start itself (no guard) begins its own work; a start that fails before using the begun work has it released', async () => {
    const events: string[] = [];
    const work = (name: string): EarlyWork => ({ release: async () => void events.push(`release ${name}`) });
    let used = false;
    const provider = defineProvider({
      vendor: 'made',
      title: 'Made',
      name: 'made',
      capabilities: {
        channels: ['sms'],
        recipients: ['phone'],
        codeOwner: 'library',
        customCode: true,
        codeLength: { min: 4, max: 8, default: 6 },
        ttlSeconds: { min: 30, max: 600, default: 300 },
        maxAttempts: { min: 1, max: 5, default: 3 },
        resend: false,
        failover: false,
        cancel: 'none',
        cost: false,
        reference: true,
        listFilters: { server: [], client: [] },
      },
      id: { pattern: /^m\d+$/, what: 'a Made id' },
      defaultChannels: [{ channel: 'sms' }],
      early: (input) => (events.push(`early ${input.to as string}`), work(input.to as string)),
      async start(input, _options, _body, early) {
        events.push(`start ${early ? 'with' : 'without'} early work`);
        if (used) throw new Error('vendor down');
        used = true;
        return { id: 'm1', provider: 'made', status: 'pending', to: input.to } as unknown as Verification;
      },
      check: async () => ({ verified: true }),
      get: async () => ({}) as Verification,
      paging: { position: v.number(), read: async () => ({ at: 0, items: [] }) },
    });
    await provider.start({ to: '+491701234567' });
    expect(events).toEqual(['start without early work']);
    events.length = 0;
    const verify = guard(provider, { perPhone: { max: 5, windowSeconds: 600 } });
    await expect(verify.start({ to: '+491701234568' })).rejects.toThrow('vendor down');
    // Begun before the limits, handed to start, released after its failure (a provider's own work decides what release means).
    expect(events).toEqual(['early +491701234568', 'start with early work', 'release +491701234568']);
    // What was begun goes only to a start of the very request it was begun for.
    events.length = 0;
    used = false;
    const begun = earlyStart(provider, { to: '+491701234569' }, undefined)!;
    const other = await provider.start({ to: '+491701234560' }, begun.options);
    expect(other.to).toBe('+491701234560');
    expect(events).toEqual(['early +491701234569', 'start without early work']);
    // An invalid request begins nothing.
    expect(earlyStart(provider, { to: 'not a phone' }, undefined)).toBeUndefined();
  });
});
