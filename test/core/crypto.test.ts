/**
 * The crypto and bytes of every runtime (src/crypto.ts, src/bytes.ts): Node's own where the
 * runtime hands it out, @noble/hashes elsewhere — the same bytes either way; uniform random
 * integers; constant-time equality; base64url and hex as Node's Buffer writes them; the
 * User-Agent's runtime.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { base64urlDecode, base64urlEncode, bytesOf, concatBytes, hexBytes, toHex } from '../../src/bytes.js';
import * as crypto from '../../src/crypto.js';
import { readFileSync } from 'node:fs';
import { runtimeProduct, userAgent, VERSION } from '../../src/version.js';

const SAMPLES = ['', 'a', '123456', 'ünïcödé ✓', 'x'.repeat(1000)];

async function nobleCrypto(): Promise<typeof crypto> {
  vi.resetModules();
  const process = globalThis.process as unknown as { getBuiltinModule?: unknown };
  const saved = process.getBuiltinModule;
  process.getBuiltinModule = undefined;
  try {
    const module = await import('../../src/crypto.js');
    module.hashingName(); // chosen at the first hash: while the runtime offers no Node crypto
    return module;
  } finally {
    process.getBuiltinModule = saved;
  }
}

describe('hashing', () => {
  it('is native on Node, and @noble/hashes gives the same bytes where the runtime has no Node crypto', async () => {
    const noble = await nobleCrypto();
    expect([crypto.hashingName(), noble.hashingName()]).toEqual(['native', 'noble']);
    for (const implementation of [crypto, noble]) {
      for (const text of SAMPLES) {
        expect(implementation.sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
        expect(toHex(implementation.sha256Bytes(text))).toBe(createHash('sha256').update(text).digest('hex'));
        expect(implementation.hmacSha256Hex('key', text)).toBe(createHmac('sha256', 'key').update(text).digest('hex'));
        expect(toHex(implementation.hmacSha256(bytesOf('k'.repeat(100)), text))).toBe(createHmac('sha256', 'k'.repeat(100)).update(text).digest('hex'));
      }
    }
  });

  it('compares in constant time: equal only for the same bytes of the same length', () => {
    const a = new Uint8Array([1, 2, 3]);
    expect(crypto.constantTimeEqual(a, new Uint8Array([1, 2, 3]))).toBe(true);
    expect(crypto.constantTimeEqual(a, new Uint8Array([1, 2, 4]))).toBe(false);
    expect(crypto.constantTimeEqual(a, new Uint8Array([0, 2, 3]))).toBe(false);
    expect(crypto.constantTimeEqual(a, new Uint8Array([1, 2]))).toBe(false);
    expect(crypto.constantTimeEqual(new Uint8Array([1, 2]), a)).toBe(false);
    expect(crypto.constantTimeEqualText('abc', 'abc')).toBe(true);
    expect(crypto.constantTimeEqualText('abc', 'abd')).toBe(false);
  });

  it('hashes natively over Node crypto and with @noble/hashes without it, to the same bytes', () => {
    const native = crypto.hashingWith(crypto.nodeCryptoOf(globalThis as Parameters<typeof crypto.nodeCryptoOf>[0]));
    const noble = crypto.hashingWith(undefined);
    expect([native.name, noble.name]).toEqual(['native', 'noble']);
    const [key, data] = [bytesOf('key'), bytesOf('data')];
    const hmac = createHmac('sha256', 'key').update('data').digest('hex');
    const sha = createHash('sha256').update('data').digest('hex');
    for (const hashing of [native, noble]) {
      expect([toHex(hashing.hmac(key, data)), hashing.hmacHex(key, data), toHex(hashing.sha256(data)), hashing.sha256Hex(data)]).toEqual([hmac, hmac, sha, sha]);
    }
  });

  it("finds Node's crypto only where the runtime hands it out, and takes a refusal for none", () => {
    expect(crypto.nodeCryptoOf({})).toBeUndefined();
    expect(crypto.nodeCryptoOf({ process: {} })).toBeUndefined();
    expect(crypto.nodeCryptoOf({ process: { getBuiltinModule: () => { throw new Error('ERR_ACCESS_DENIED'); } } })).toBeUndefined();
    const native = crypto.nodeCryptoOf(globalThis as Parameters<typeof crypto.nodeCryptoOf>[0]);
    expect(native?.createHash('sha256').update(bytesOf('a')).digest('hex')).toBe(createHash('sha256').update('a').digest('hex'));
  });
});

describe('randomness', () => {
  it('randomInt is uniform (every digit near a tenth of 50 000 draws) and refuses a bad bound', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) counts[crypto.randomInt(10)]!++;
    // 5 000 each; a deviation of 300 is over 4 standard deviations.
    for (const count of counts) expect(Math.abs(count - 5000)).toBeLessThan(300);
    expect(crypto.randomInt(1)).toBe(0);
    // The widest bound: every 32-bit draw is a value, none is refused.
    const widest = crypto.randomInt(2 ** 32);
    expect(Number.isInteger(widest) && widest >= 0 && widest < 2 ** 32).toBe(true);
    for (const bad of [0, 1.5, 2 ** 32 + 1]) expect(() => crypto.randomInt(bad)).toThrow('max must be a whole number from 1 to 2^32');
  });

  it('draws again past the last whole block of values (rejection sampling)', () => {
    // max 3: 2³² mod 3 = 1, so the draw 2³² − 1 is refused and the next one used.
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementationOnce((array) => ((array as Uint32Array)[0] = 2 ** 32 - 1, array)).mockImplementationOnce((array) => ((array as Uint32Array)[0] = 7, array));
    expect(crypto.randomInt(3)).toBe(1);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('random bytes and UUIDs from the Web Crypto API', () => {
    expect(crypto.randomBytes(16)).toHaveLength(16);
    expect(toHex(crypto.randomBytes(8))).not.toBe(toHex(crypto.randomBytes(8)));
    expect(crypto.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('bytes', () => {
  it('base64url and hex as Buffer writes them; hex that is not whole is refused', () => {
    for (const text of SAMPLES) {
      expect(base64urlEncode(text)).toBe(Buffer.from(text).toString('base64url'));
      expect(base64urlDecode(base64urlEncode(text))).toBe(text);
    }
    expect(base64urlEncode(new Uint8Array([251, 255, 191]))).toBe('-_-_');
    expect(['', 'a', 'ab', 'abc', 'abcd'].map((text) => base64urlEncode(text))).toEqual(['', 'YQ', 'YWI', 'YWJj', 'YWJjZA']);
    expect(base64urlDecode('-_-_')).toBe(new TextDecoder().decode(new Uint8Array([251, 255, 191])));
    expect(() => base64urlDecode('not base64!')).toThrow();
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect(hexBytes('000fff')).toEqual(new Uint8Array([0, 15, 255]));
    for (const bad of ['', 'abc', 'zz', '0g']) expect(hexBytes(bad)).toBeUndefined();
    expect(concatBytes([new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3])])).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('the runtime in the User-Agent', () => {
  it('names Bun and Deno before the process they imitate, then workerd, the edge runtime, Node, else js', () => {
    const node = { process: { versions: { node: '20.19.0' }, version: 'v20.19.0' } };
    expect(runtimeProduct({ ...node, Bun: { version: '1.4.4' } })).toBe('bun/1.4.4');
    expect(runtimeProduct({ ...node, Deno: { version: { deno: '2.9.6' } } })).toBe('deno/2.9.6');
    expect(runtimeProduct({ navigator: { userAgent: 'Cloudflare-Workers' } })).toBe('workerd');
    expect(runtimeProduct({ EdgeRuntime: 'edge-runtime' })).toBe('edge-runtime');
    expect(runtimeProduct(node)).toBe('node/v20.19.0');
    expect(runtimeProduct({})).toBe('js');
    expect(runtimeProduct()).toBe(`node/${process.version}`);
    // Half-present globals are not a runtime.
    for (const odd of [{ Bun: {} }, { Bun: { version: 1 } }, { Deno: {} }, { Deno: { version: {} } }, { EdgeRuntime: true }, { navigator: { userAgent: 'Mozilla' } }]) {
      expect(runtimeProduct({ ...node, ...odd })).toBe('node/v20.19.0');
    }
    for (const odd of [{ navigator: {} }, { process: {} }, { process: { versions: {} } }, { Deno: { version: null } }]) expect(runtimeProduct(odd)).toBe('js');
  });

  it('the User-Agent is polyverify and its version from package.json, then the runtime', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(version);
    expect(userAgent()).toBe(`polyverify/${version} node/${process.version}`);
  });
});
