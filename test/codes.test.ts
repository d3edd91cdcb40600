import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodeHasher, MemoryCodeStore, generateCode, type CodeRecord } from '../src/index.js';
import { OwnedCodes } from '../src/codes/owned-codes.js';

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
