import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryCodeStore, type CodeStore } from '../../providers/index.js';

import { hashesEqual } from '../../src/codes/hash.js';
import { EPHEMERAL_SECRET_WARNING, OwnedCodes, statusOfRecord } from '../../src/codes/owned-codes.js';
import type { CodeRecord } from '../../src/codes/index.js';
import { CodeHasher } from '../../src/codes/index.js';
import { decideAttempt } from '../../src/codes/index.js';
import { generateCode } from '../../src/codes/index.js';

const SECRET = 'codes-test-secret-123';

function record(overrides: Partial<CodeRecord> = {}): CodeRecord {
  return { hash: new CodeHasher(SECRET).hash('123456'), createdAt: 0, expiresAt: 60_000, maxAttempts: 5, failedAttempts: 0, state: 'pending', ...overrides };
}

describe('generateCode', () => {
  it('makes codes of the asked length from uniformly drawn digits', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 2000; i++) {
      const code = generateCode(6);
      expect(code).toMatch(/^\d{6}$/);
      for (const digit of code) counts[Number(digit)]!++;
    }
    // 12 000 digits: each count is 1200 ± 6 standard deviations (~33 each).
    for (const count of counts) expect(Math.abs(count - 1200)).toBeLessThan(200);
  });

  it('takes one draw a digit from a pool of 1 024 draws, zeroes each draw taken, and draws a digit again past the last whole block of ten', async () => {
    vi.resetModules();
    const { generateCode: fresh } = await import('../../src/codes/generate.js');
    // 2³² mod 10 = 6: the draws 2³² − 6 … 2³² − 1 are refused; 2³² − 7 is the last one taken (its digit: 9).
    const spy = vi
      .spyOn(globalThis.crypto, 'getRandomValues')
      .mockImplementationOnce((array) => ((array as Uint32Array).set([2 ** 32 - 7, 2 ** 32 - 6, 13, 2 ** 32 - 1]), array))
      .mockImplementationOnce((array) => ((array as Uint32Array)[0] = 4, array))
      .mockImplementationOnce((array) => ((array as Uint32Array)[0] = 2 ** 32 - 3, array))
      .mockImplementationOnce((array) => ((array as Uint32Array)[0] = 25, array));
    expect(fresh(4)).toBe('9435');
    expect(spy).toHaveBeenCalledTimes(4);
    const pool = spy.mock.calls[0]![0] as Uint32Array;
    expect(pool.length).toBe(1024);
    expect([...pool.subarray(0, 5)]).toEqual([0, 0, 0, 0, 0]);
    // The rest of the pool (zeros here) gives 1 020 more digits without a call; the next digit refills it.
    spy.mockClear();
    expect(fresh(1020)).toBe('0'.repeat(1020));
    expect(spy).not.toHaveBeenCalled();
    spy.mockImplementationOnce((array) => ((array as Uint32Array)[0] = 7, array));
    expect(fresh(1)).toBe('7');
    expect(spy).toHaveBeenCalledTimes(1);
    expect((spy.mock.calls[0]![0] as Uint32Array).length).toBe(1024);
    spy.mockRestore();
  });
});

describe('CodeHasher', () => {
  it('stores HMAC-SHA256 of the code with the secret, never the code', () => {
    const hash = new CodeHasher(SECRET).hash('123456');
    expect(hash).toBe(createHmac('sha256', SECRET).update('123456').digest('hex'));
    expect(new CodeHasher('another-secret-456').hash('123456')).not.toBe(hash);
  });
});

describe('MemoryCodeStore', () => {
  it('lets exactly one of many concurrent right attempts pass', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    await store.save('id', record());
    const hash = new CodeHasher(SECRET).hash('123456');
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.attempt('id', hash, 1)));
    expect(outcomes.filter((o) => o.outcome === 'verified')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'already_verified')).toHaveLength(49);
  });

  it('counts every concurrent wrong attempt and locks at the limit', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    await store.save('id', record({ maxAttempts: 5 }));
    const wrong = new CodeHasher(SECRET).hash('000000');
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.attempt('id', wrong, 1)));
    expect(outcomes.filter((o) => o.outcome === 'incorrect')).toHaveLength(5);
    expect(outcomes.filter((o) => o.outcome === 'max_attempts')).toHaveLength(15);
    expect((await store.get('id'))?.finishedAt).toBe(1);
  });

  it('evicts records past their retention, so memory stays bounded', async () => {
    let now = 0;
    const store = new MemoryCodeStore({ now: () => now, retainMs: 1000, sweepEveryMs: 100 });
    for (let i = 0; i < 10_000; i++) await store.save(`id-${i}`, record({ expiresAt: 60_000 }));
    expect(store.size).toBe(10_000);
    now = 61_000;
    await store.save('fresh', record({ expiresAt: 200_000 }));
    expect(store.size).toBe(1);
  });

  it('keeps an expired record within retention so a late check says expired', async () => {
    const store = new MemoryCodeStore({ now: () => 61_000, retainMs: 3_600_000 });
    await store.save('id', record({ expiresAt: 60_000 }));
    expect((await store.attempt('id', new CodeHasher(SECRET).hash('123456'), 61_000)).outcome).toBe('expired');
  });
});

describe('OwnedCodes', () => {
  it('maps outcomes to check results', async () => {
    let now = 0;
    const codes = new OwnedCodes({ secret: SECRET, now: () => now });
    await codes.issue('a', '123456', { ttlSeconds: 60, maxAttempts: 2 });
    expect(await codes.check('a', '000000')).toEqual({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 1 });
    expect(await codes.check('a', '000000')).toEqual({ verified: false, status: 'failed', reason: 'incorrect_code', attemptsRemaining: 0 });
    expect(await codes.check('a', '123456')).toEqual({ verified: false, status: 'failed', reason: 'max_attempts', attemptsRemaining: 0 });
    await codes.issue('b', '123456', { ttlSeconds: 60, maxAttempts: 2 });
    await codes.cancel('b');
    expect(await codes.check('b', '123456')).toEqual({ verified: false, status: 'canceled', reason: 'canceled' });
    await codes.issue('c', '123456', { ttlSeconds: 60, maxAttempts: 2 });
    now = 60_000;
    expect(await codes.check('c', '123456')).toEqual({ verified: false, status: 'expired', reason: 'expired' });
    expect(await codes.check('zzz', '123456')).toEqual({ verified: false, status: 'failed', reason: 'not_found' });
  });

  it('without a secret, hashes do not survive into another instance', async () => {
    const store = new MemoryCodeStore();
    const first = new OwnedCodes({ store });
    await first.issue('a', '123456', { ttlSeconds: 60, maxAttempts: 5 });
    const second = new OwnedCodes({ store });
    expect((await second.check('a', '123456')).reason).toBe('incorrect_code');
    const shared = new OwnedCodes({ store, secret: SECRET });
    await shared.issue('b', '123456', { ttlSeconds: 60, maxAttempts: 5 });
    expect((await new OwnedCodes({ store, secret: SECRET }).check('b', '123456')).verified).toBe(true);
  });
});

describe('MemoryCodeStore as a TriesStore', () => {
  it('counts wrong codes per key until the limit and the lifetime, keeping the newest keys', async () => {
    let now = 1_000;
    const store = new MemoryCodeStore({ now: () => now, triesLimit: 2 });
    await store.startTries('a', 3, 60_000);
    expect(await store.failTry('a')).toBe(2);
    expect(await store.failTry('a')).toBe(1);
    expect(await store.failTry('a')).toBe(0);
    expect(await store.failTry('a')).toBe(0);
    expect(await store.failTry('none')).toBeUndefined();
    await store.startTries('b', 5, 60_000);
    await store.startTries('c', 5, 60_000);
    expect(await store.triesFailed(['a', 'b', 'c'])).toEqual([undefined, 0, 0]);
    now += 60_000;
    expect(await store.triesFailed(['b'])).toEqual([undefined]);
  });
});

describe('hashesEqual', () => {
  // Hashed inside each test, not while the file is collected: a hasher that throws fails a test.
  let a = '';
  let b = '';
  beforeEach(() => {
    a = new CodeHasher(SECRET).hash('123456');
    b = new CodeHasher(SECRET).hash('654321');
  });

  it('is true for the same digest only, in either letter case', () => {
    expect(hashesEqual(a, a)).toBe(true);
    expect(hashesEqual(a, a.toUpperCase())).toBe(true);
    expect(hashesEqual(a, b)).toBe(false);
    expect(hashesEqual(a, `${a.slice(0, -1)}${a.endsWith('0') ? '1' : '0'}`)).toBe(false);
  });

  it('never matches empty, non-hex, odd-length or differently long digests', () => {
    expect(hashesEqual('', '')).toBe(false);
    expect(hashesEqual('zz', 'zz')).toBe(false);
    expect(hashesEqual('zzab', 'zzab')).toBe(false);
    expect(hashesEqual('abc', 'abc')).toBe(false);
    expect(hashesEqual('not hex at all', 'not hex at all')).toBe(false);
    expect(hashesEqual('abc', 'abd')).toBe(false); // Buffer.from would read both as [0xab]
    expect(hashesEqual(`${a}zz`, `${a}zz`)).toBe(false);
    expect(hashesEqual(a, a.slice(0, 62))).toBe(false);
    expect(hashesEqual(a.slice(0, 62), a)).toBe(false);
    // One side damaged, the other whole hex of the same length: never equal, never a throw.
    expect(hashesEqual('zz', 'ab')).toBe(false);
    expect(hashesEqual('ab', 'zz')).toBe(false);
  });
});

describe('CodeHasher, more', () => {
  it('hashes the same from a string secret and from its UTF-8 bytes, and copies a Buffer secret', () => {
    const bytes = Buffer.from('sécret-ünïcode-0123', 'utf8');
    const fromBytes = new CodeHasher(bytes);
    expect(new CodeHasher('sécret-ünïcode-0123').hash('1234')).toBe(fromBytes.hash('1234'));
    expect(fromBytes.hash('1234')).toBe(createHmac('sha256', bytes).update('1234').digest('hex'));
    bytes.fill(0);
    expect(fromBytes.hash('1234')).toBe(new CodeHasher('sécret-ünïcode-0123').hash('1234'));
    // A plain Uint8Array too (a Buffer's String() is its text, a Uint8Array's is its numbers).
    const plain = new TextEncoder().encode('sécret-ünïcode-0123');
    expect(new CodeHasher(plain).hash('1234')).toBe(new CodeHasher('sécret-ünïcode-0123').hash('1234'));
  });

  it('an ephemeral hasher has its own random secret', () => {
    expect(CodeHasher.ephemeral().hash('1234')).not.toBe(CodeHasher.ephemeral().hash('1234'));
    expect(CodeHasher.ephemeral().hash('1234')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows nothing of its secret when serialized or inspected', () => {
    const hasher = new CodeHasher(SECRET);
    expect(JSON.stringify({ hasher })).toBe('{"hasher":"[CodeHasher]"}');
    expect(inspect(hasher)).toBe('[CodeHasher]');
    expect(inspect({ hasher }, { depth: 5, showHidden: true })).not.toContain(SECRET);
  });
});

describe('decideAttempt', () => {
  const yes = () => true;
  const no = () => false;

  it('decides in the documented order', () => {
    expect(decideAttempt(undefined, yes, 0)).toEqual({ outcome: 'not_found' });
    const verified = record({ state: 'verified', finishedAt: 5 });
    expect(decideAttempt(verified, yes, 10)).toEqual({ outcome: 'already_verified', record: verified });
    const canceled = record({ state: 'canceled', finishedAt: 5 });
    expect(decideAttempt(canceled, yes, 10)).toEqual({ outcome: 'canceled', record: canceled });
    // Expiry is checked before the attempt limit, and at the very millisecond of expiry.
    const spent = record({ failedAttempts: 5, expiresAt: 100 });
    expect(decideAttempt(spent, yes, 100)).toEqual({ outcome: 'expired', record: spent });
    expect(decideAttempt(spent, yes, 99)).toEqual({ outcome: 'max_attempts', record: spent });
    expect(decideAttempt(record({ expiresAt: 100 }), yes, 99)).toEqual({ outcome: 'verified', record: record({ expiresAt: 100, state: 'verified', finishedAt: 99 }) });
  });

  it('counts a wrong code and stamps finishedAt only at lock-out', () => {
    const first = decideAttempt(record({ maxAttempts: 2 }), no, 7);
    expect(first).toEqual({ outcome: 'incorrect', record: record({ maxAttempts: 2, failedAttempts: 1 }) });
    expect(first.record).not.toHaveProperty('finishedAt');
    const second = decideAttempt(first.record, no, 9);
    expect(second).toEqual({ outcome: 'incorrect', record: record({ maxAttempts: 2, failedAttempts: 2, finishedAt: 9 }) });
    expect(decideAttempt(second.record, yes, 10)).toEqual({ outcome: 'max_attempts', record: second.record });
  });

  it('never changes the record it was given', () => {
    const original = record();
    const frozen = Object.freeze({ ...original });
    decideAttempt(frozen, no, 1);
    decideAttempt(frozen, yes, 1);
    expect(frozen).toEqual(original);
  });
});

describe('MemoryCodeStore, more', () => {
  it('sweeps by default on writes, past the default retention of 1 h', async () => {
    let now = 0;
    const store = new MemoryCodeStore({ now: () => now });
    await store.save('old', record({ expiresAt: 1_000 }));
    await store.save('young', record({ expiresAt: 3_000_000 }));
    now = 1_000 + 3_600_000 - 1; // within retention: the sweep keeps it
    await store.save('third', record({ expiresAt: 10_000_000 }));
    expect(store.size).toBe(3);
    now += 10_000; // retention over, and 10 s since that sweep
    await store.save('fourth', record({ expiresAt: 10_000_000 }));
    expect(store.size).toBe(3);
    expect(await store.get('old')).toBeUndefined();
    expect(await store.get('young')).toBeDefined();
  });

  it('sweeps by default at most every 10 s', async () => {
    let now = 0;
    const store = new MemoryCodeStore({ now: () => now, retainMs: 0 });
    now = 10_000;
    await store.save('a', record({ expiresAt: 10_001 })); // sweeps at 10 000
    now = 19_999;
    await store.save('b', record({ expiresAt: 1e9 }));
    expect(store.size).toBe(2); // a is past retention, but the last sweep was 9.999 s ago
    now = 20_000;
    await store.save('c', record({ expiresAt: 1e9 }));
    expect(store.size).toBe(2);
  });

  it('does not sweep again within sweepEveryMs', async () => {
    let now = 0;
    const store = new MemoryCodeStore({ now: () => now, retainMs: 0, sweepEveryMs: 1_000 });
    await store.save('a', record({ expiresAt: 10 })); // sweeps at 0
    now = 500;
    await store.save('b', record({ expiresAt: 10_000 }));
    expect(store.size).toBe(2); // a is past retention but no sweep ran
    now = 1_000;
    await store.save('c', record({ expiresAt: 10_000 }));
    expect(store.size).toBe(2);
  });

  it('evicts a record past retention when it is read, and answers not_found', async () => {
    let now = 0;
    const store = new MemoryCodeStore({ now: () => now, retainMs: 100, sweepEveryMs: 1e9 });
    await store.save('a', record({ expiresAt: 1_000 }));
    await store.save('b', record({ expiresAt: 1_000 }));
    now = 1_099;
    expect(await store.get('a')).toEqual(record({ expiresAt: 1_000 }));
    now = 1_100;
    expect(store.size).toBe(2);
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(1);
    expect(await store.attempt('b', record().hash, now)).toEqual({ outcome: 'not_found' });
    expect(store.size).toBe(0);
    expect(await store.cancel('b', now)).toBeUndefined();
  });

  it('cancels only a pending record, stamping the time', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    await store.save('p', record());
    expect(await store.cancel('p', 42)).toEqual(record({ state: 'canceled', finishedAt: 42 }));
    expect(await store.get('p')).toEqual(record({ state: 'canceled', finishedAt: 42 }));
    const verified = record({ state: 'verified', finishedAt: 5 });
    await store.save('v', verified);
    expect(await store.cancel('v', 43)).toEqual(verified);
    expect(await store.get('v')).toEqual(verified);
    expect(await store.cancel('missing', 44)).toBeUndefined();
  });

  it('stores the record after an attempt, and delete removes it', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    await store.save('id', record());
    await store.attempt('id', new CodeHasher(SECRET).hash('000000'), 3);
    expect(await store.get('id')).toEqual(record({ failedAttempts: 1 }));
    await store.delete('id');
    expect(await store.get('id')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('sweep() removes every record past retention now', async () => {
    let now = 0;
    const store = new MemoryCodeStore({ now: () => now, retainMs: 10, sweepEveryMs: 1e9 });
    await store.save('a', record({ expiresAt: 100 }));
    await store.save('b', record({ expiresAt: 200 }));
    now = 110;
    store.sweep();
    expect(store.size).toBe(1);
    expect(await store.get('b')).toBeDefined();
  });
});

describe('OwnedCodes, more', () => {
  it('a right code checked twice is already_verified, and the record keeps its limits', async () => {
    let now = 1_000;
    const codes = new OwnedCodes({ secret: SECRET, now: () => now });
    const issued = await codes.issue('a', '123456', { ttlSeconds: 60, maxAttempts: 3 });
    expect(issued).toEqual({ hash: new CodeHasher(SECRET).hash('123456'), createdAt: 1_000, expiresAt: 61_000, maxAttempts: 3, failedAttempts: 0, state: 'pending' });
    now = 2_000;
    expect(await codes.check('a', '123456')).toEqual({ verified: true, status: 'verified' });
    expect(await codes.check('a', '123456')).toEqual({ verified: false, status: 'verified', reason: 'already_verified' });
    expect(await codes.record('a')).toEqual({ ...issued, state: 'verified', finishedAt: 2_000 });
  });

  it('a wrong code leaves the right one valid while tries remain', async () => {
    const codes = new OwnedCodes({ secret: SECRET, now: () => 0 });
    await codes.issue('a', '123456', { ttlSeconds: 60, maxAttempts: 3 });
    expect(await codes.check('a', '111111')).toEqual({ verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 2 });
    expect(await codes.check('a', '123456')).toEqual({ verified: true, status: 'verified' });
  });

  it('deliver: stores the hash before the send, files it under the vendor id after, drops it when the send fails', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    const codes = new OwnedCodes({ secret: SECRET, store, now: () => 0 });
    const keysDuringSend: string[] = [];
    const record = await codes.deliver(codes.prepare('123456', { ttlSeconds: 60, maxAttempts: 3 }), async () => {
      for (const key of ['vendor-1']) keysDuringSend.push(String(await store.get(key)));
      return 'vendor-1';
    });
    expect(keysDuringSend).toEqual(['undefined']);
    expect(record).toMatchObject({ maxAttempts: 3, expiresAt: 60_000, state: 'pending' });
    expect(await codes.record('vendor-1')).toEqual(record);
    expect(await codes.check('vendor-1', '123456')).toEqual({ verified: true, status: 'verified' });
    // The provisional key held the record during the send, and is gone after it.
    let provisional: string | undefined;
    const spy = vi.spyOn(store, 'save');
    await codes.deliver(codes.prepare('654321', { ttlSeconds: 60, maxAttempts: 3 }), async () => {
      provisional = spy.mock.calls[0]![0];
      expect(await store.get(provisional)).toMatchObject({ hash: new CodeHasher(SECRET).hash('654321') });
      return 'vendor-2';
    });
    expect(provisional).toMatch(/^provisional:[0-9a-f-]{36}$/);
    expect(await store.get(provisional!)).toBeUndefined();
    const refused = new Error('vendor refused');
    let dropped: string | undefined;
    spy.mockClear();
    await expect(
      codes.deliver(codes.prepare('111111', { ttlSeconds: 60, maxAttempts: 3 }), async () => {
        dropped = spy.mock.calls[0]![0];
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(await store.get(dropped!)).toBeUndefined();
  });

  it('prepare: the save is in flight at once; release drops a record never delivered, once, and nothing once delivered', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    const codes = new OwnedCodes({ secret: SECRET, store, now: () => 0 });
    const spy = vi.spyOn(store, 'save');
    const dropped = codes.prepare('123456', { ttlSeconds: 60, maxAttempts: 3 });
    expect(dropped.code).toBe('123456');
    expect(dropped.key).toMatch(/^provisional:[0-9a-f-]{36}$/);
    expect(spy.mock.calls.map(([key]) => key)).toEqual([dropped.key]);
    await dropped.release();
    expect(await store.get(dropped.key)).toBeUndefined();
    const del = vi.spyOn(store, 'delete');
    await dropped.release();
    expect(del).not.toHaveBeenCalled();
    // Delivered: release leaves the vendor's record alone.
    const sent = codes.prepare('654321', { ttlSeconds: 60, maxAttempts: 3 });
    const record = await codes.deliver(sent, async () => 'vendor-9');
    await sent.release();
    expect(del.mock.calls).toEqual([[sent.key]]);
    expect(await store.get('vendor-9')).toEqual(record);
    // Never the code, not even in part.
    expect(`${JSON.stringify(sent)} ${inspect(sent)}`).not.toMatch(/654321|6543|4321/);
    expect(JSON.stringify(sent)).toBe('"[PendingCode]"');
    expect(inspect(sent)).toBe('PendingCode { code: [redacted] }');
  });

  it('prepare with a failing store: delivery is a StoreUnavailableError before any send, and release settles quietly', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    store.save = () => Promise.reject(new Error('down'));
    const codes = new OwnedCodes({ secret: SECRET, store, now: () => 0, provider: 'lox24' });
    const del = vi.spyOn(store, 'delete');
    const released = codes.prepare('123456', { ttlSeconds: 60, maxAttempts: 3 });
    await expect(released.release()).resolves.toBeUndefined();
    expect(del).not.toHaveBeenCalled();
    let sends = 0;
    const failed = codes.deliver(codes.prepare('123456', { ttlSeconds: 60, maxAttempts: 3 }), async () => String(++sends));
    await expect(failed).rejects.toMatchObject({ name: 'StoreUnavailableError', provider: 'lox24', operation: 'start', sent: 'no', message: 'lox24 start: the code store failed (down)' });
    expect(sends).toBe(0);
  });

  it('moves a record under the vendor id, and discard removes it', async () => {
    const store = new MemoryCodeStore({ now: () => 0 });
    const codes = new OwnedCodes({ secret: SECRET, store, now: () => 0 });
    const issued = await codes.issue('provisional', '123456', { ttlSeconds: 60, maxAttempts: 3 });
    await codes.move('provisional', 'vendor-id', issued);
    expect(await store.get('provisional')).toBeUndefined();
    expect(await store.get('vendor-id')).toEqual(issued);
    expect(codes.store).toBe(store);
    await codes.discard('vendor-id');
    expect(store.size).toBe(0);
  });

  it('generates codes of the asked length', () => {
    const codes = new OwnedCodes({ secret: SECRET });
    expect(codes.generate(8)).toMatch(/^\d{8}$/);
    expect(codes.generate(4)).toMatch(/^\d{4}$/);
  });

  it('tells once per instance, and warns once per process, when there is no secret', () => {
    const told: number[] = [];
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    new OwnedCodes({ onEphemeralSecret: () => told.push(1) });
    new OwnedCodes({ onEphemeralSecret: () => told.push(2) });
    new OwnedCodes({ secret: SECRET, onEphemeralSecret: () => told.push(3) });
    expect(told).toEqual([1, 2]);
    // The process warning was already given by an earlier test of this file, or by the first call here: never twice.
    expect(warn.mock.calls.length).toBeLessThanOrEqual(1);
    for (const call of warn.mock.calls) expect(call).toEqual([EPHEMERAL_SECRET_WARNING, { code: 'POLYVERIFY_EPHEMERAL_SECRET' }]);
    warn.mockRestore();
  });

  it('warns exactly once per process, with a code, however many instances lack a secret', async () => {
    vi.resetModules();
    const fresh = await import('../../src/codes/owned-codes.js');
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    new fresh.OwnedCodes({});
    new fresh.OwnedCodes({});
    new fresh.OwnedCodes({ secret: SECRET });
    expect(warn.mock.calls).toEqual([[fresh.EPHEMERAL_SECRET_WARNING, { code: 'POLYVERIFY_EPHEMERAL_SECRET' }]]);
    expect(fresh.EPHEMERAL_SECRET_WARNING).toBe(
      'polyverify: no `secret` given; codes are hashed with a random per-process secret and cannot be checked after a restart or by another instance.',
    );
    warn.mockRestore();
  });

  it('the status a record implies', () => {
    expect(statusOfRecord(record({ state: 'verified', failedAttempts: 9 }), 1e9)).toBe('verified');
    expect(statusOfRecord(record({ state: 'canceled', failedAttempts: 9 }), 1e9)).toBe('canceled');
    expect(statusOfRecord(record({ failedAttempts: 5, maxAttempts: 5 }), 0)).toBe('failed');
    expect(statusOfRecord(record({ failedAttempts: 4, maxAttempts: 5, expiresAt: 10 }), 10)).toBe('expired');
    expect(statusOfRecord(record({ failedAttempts: 4, maxAttempts: 5, expiresAt: 10 }), 9)).toBe('pending');
  });
});

describe('OwnedCodes over a store of your own', () => {
  it('never reports negative tries left, whatever the store counted', async () => {
    const store: CodeStore = {
      save: async () => undefined,
      get: async () => undefined,
      attempt: async () => ({ outcome: 'incorrect', record: record({ failedAttempts: 7, maxAttempts: 5 }) }),
      cancel: async () => undefined,
      delete: async () => undefined,
    };
    expect(await new OwnedCodes({ secret: SECRET, store }).check('a', '000000')).toEqual({ verified: false, status: 'failed', reason: 'incorrect_code', attemptsRemaining: 0 });
  });
});

describe('OwnedCodes over a failing store', () => {
  const broken = (how: 'reject' | 'throw'): CodeStore => {
    const fail = (what: string) => (how === 'throw' ? () => { throw new Error(`${what} down`); } : () => Promise.reject(new Error(`${what} down`)));
    return { save: fail('save'), get: fail('get'), attempt: fail('attempt'), cancel: fail('cancel'), delete: fail('delete') } as CodeStore;
  };

  for (const how of ['reject', 'throw'] as const) {
    it(`every operation is a StoreUnavailableError naming the provider and operation (a store that ${how}s)`, async () => {
      const codes = new OwnedCodes({ secret: SECRET, store: broken(how), provider: 'lox24-eu' });
      const expectFailure = async (pending: Promise<unknown>, operation: string, message: string) => {
        const error = await pending.catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'StoreUnavailableError', provider: 'lox24-eu', operation, sent: 'no', retryable: true, message });
      };
      await expectFailure(codes.issue('a', '123456', { ttlSeconds: 60, maxAttempts: 3 }), 'start', 'lox24-eu start: the code store failed (save down)');
      await expectFailure(codes.outcome('a', '123456'), 'check', 'lox24-eu check: the code store failed (attempt down)');
      await expectFailure(codes.cancel('a'), 'cancel', 'lox24-eu cancel: the code store failed (cancel down)');
      await expectFailure(codes.record('a'), 'get', 'lox24-eu get: the code store failed (get down)');
      await expectFailure(codes.record('a', 'list'), 'list', 'lox24-eu list: the code store failed (get down)');
      await expect(codes.discard('a')).resolves.toBeUndefined();
    });
  }

  it('a store that fails after the vendor accepted is sent: maybe, not retryable, and says the code cannot be checked', async () => {
    {
      const codes = new OwnedCodes({ secret: SECRET, store: broken('reject'), provider: 'lox24-eu' });
      const error = await codes.move('provisional:x', 'v-1', record()).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'StoreUnavailableError',
        operation: 'start',
        sent: 'maybe',
        retryable: false,
        message: 'lox24-eu start: the vendor accepted verification v-1, but its code could not be stored and cannot be checked (save down)',
      });
    }
    const unnamed = await new OwnedCodes({ secret: SECRET, store: broken('reject') }).record('a').catch((e: unknown) => e);
    expect(unnamed).toMatchObject({ provider: 'codes', message: 'codes get: the code store failed (get down)' });
    const notAnError = await new OwnedCodes({ secret: SECRET, store: { ...broken('reject'), get: () => Promise.reject('plain') } as CodeStore }).record('a').catch((e: unknown) => e);
    expect(notAnError).toMatchObject({ message: 'codes get: the code store failed (plain)' });
  });

  it('re-filing saves under the new key and deletes the old one at once (two one-key operations, one round trip)', async () => {
    const calls: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const store: CodeStore = {
      save: async (key) => {
        calls.push(`save ${key}`);
        await held;
      },
      get: async () => undefined,
      attempt: async () => ({ outcome: 'not_found' }),
      cancel: async () => undefined,
      delete: async (key) => void calls.push(`delete ${key}`),
    };
    const moving = new OwnedCodes({ secret: SECRET, store }).move('p', 'v', record());
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toEqual(['save v', 'delete p']); // the delete did not wait for the save
    release();
    await moving;
  });
});

describe('moving a record', () => {
  it('a record re-filed in a MemoryCodeStore is found under the new key only', async () => {
    const store = new MemoryCodeStore();
    const record = { hash: 'ab'.repeat(32), createdAt: 0, expiresAt: Date.now() + 60_000, maxAttempts: 3, failedAttempts: 0, state: 'pending' as const };
    await store.save('from', record);
    const codes = new OwnedCodes({ secret: 'moving-secret-0123456789', store });
    await codes.move('from', 'vendor-id', record);
    expect(await store.get('from')).toBeUndefined();
    expect(await store.get('vendor-id')).toEqual(record);
  });
});
