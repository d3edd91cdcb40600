/**
 * The crypto polyverify needs, on every JavaScript runtime: HMAC-SHA256 and SHA-256 (hex),
 * constant-time equality, random bytes, UUIDs and uniform random integers.
 *
 * No Node built-in is imported: where the runtime hands out Node's `crypto` synchronously
 * (`process.getBuiltinModule`: Node ≥ 20.16, Bun, Deno 2) it is used — native, and as fast as
 * before on Node; elsewhere (Cloudflare Workers without `nodejs_compat`, browsers, Vercel's
 * edge) `@noble/hashes`, audited pure JS, gives the same bytes. Both stay synchronous, so a
 * cursor or a digest is computed where it is needed, without turning every caller async.
 * Randomness is always the Web Crypto API's (`crypto.getRandomValues`, `crypto.randomUUID`).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesOf, toHex } from './bytes.js';

/** The part of `node:crypto` used here. */
interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: Uint8Array): NodeDigest;
  createHash(algorithm: 'sha256'): NodeDigest;
}
interface NodeDigest {
  update(data: Uint8Array): { digest(encoding: 'hex'): string; digest(): Uint8Array };
}

const encoder = new TextEncoder();

/** Node's crypto where the runtime offers it synchronously, else undefined. */
const native: NodeCrypto | undefined = (() => {
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
    return process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
})();

/** Which implementation hashes here: `'native'` or `'noble'` (for tests and benchmarks). */
export const HASHING: 'native' | 'noble' = native ? 'native' : 'noble';


/** HMAC-SHA256 of `data` under `key`. */
export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Uint8Array {
  if (native) return native.createHmac('sha256', bytesOf(key)).update(bytesOf(data)).digest();
  return hmac(sha256, bytesOf(key), bytesOf(data));
}

/** HMAC-SHA256 of `data` under `key`, as hex. */
export function hmacSha256Hex(key: string | Uint8Array, data: string | Uint8Array): string {
  if (native) return native.createHmac('sha256', bytesOf(key)).update(bytesOf(data)).digest('hex');
  return toHex(hmac(sha256, bytesOf(key), bytesOf(data)));
}

/** SHA-256 of `data`. */
export function sha256Bytes(data: string | Uint8Array): Uint8Array {
  if (native) return native.createHash('sha256').update(bytesOf(data)).digest();
  return sha256(bytesOf(data));
}

/** SHA-256 of `data`, as hex. */
export function sha256Hex(data: string | Uint8Array): string {
  if (native) return native.createHash('sha256').update(bytesOf(data)).digest('hex');
  return toHex(sha256(bytesOf(data)));
}

/**
 * Whether two byte strings are equal, in time that depends on their length only (never on where
 * they differ): every byte is compared.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** `constantTimeEqual` of two strings' UTF-8 bytes. */
export function constantTimeEqualText(a: string, b: string): boolean {
  return constantTimeEqual(encoder.encode(a), encoder.encode(b));
}

/** `length` random bytes from the Web Crypto API. */
export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** A random UUID (v4) from the Web Crypto API. */
export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * A uniformly random integer in [0, max), max ≤ 2³²: 32-bit draws, and those in the last
 * incomplete block of `max` values are drawn again (rejection sampling), so no value is likelier.
 */
export function randomInt(max: number): number {
  if (!Number.isInteger(max) || max < 1 || max > 2 ** 32) throw new RangeError('max must be a whole number from 1 to 2^32');
  const limit = 2 ** 32 - (2 ** 32 % max);
  const draw = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(draw);
    if (draw[0]! < limit) return draw[0]! % max;
  }
}
