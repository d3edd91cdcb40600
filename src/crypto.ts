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
export interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: string | Uint8Array): NodeDigest;
  createHash(algorithm: 'sha256'): NodeDigest;
}
interface NodeDigest {
  update(data: string | Uint8Array): { digest(encoding: 'hex'): string; digest(): Uint8Array };
}

const encoder = new TextEncoder();

/** Where Node's crypto may be handed out: `globalThis`, or a stand-in in tests. */
type Scope = { process?: { getBuiltinModule?: (name: string) => unknown } };

/** Node's crypto where `scope` hands it out synchronously (`process.getBuiltinModule`), else undefined. */
export function nodeCryptoOf(scope: Scope): NodeCrypto | undefined {
  let found: NodeCrypto | undefined;
  try {
    found = scope.process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  } catch {
    // A runtime may refuse the module (a permission model): the pure-JS hashes do the same.
  }
  return found;
}

/** The hash functions in use here: chosen once, by what the runtime offers. Strings are UTF-8 (Node's own encoder on Node: no copy). */
export interface Hashing {
  readonly name: 'native' | 'noble';
  hmac(key: string | Uint8Array, data: string | Uint8Array): Uint8Array;
  hmacHex(key: string | Uint8Array, data: string | Uint8Array): string;
  sha256(data: string | Uint8Array): Uint8Array;
  sha256Hex(data: string | Uint8Array): string;
}

/** Node's hashes over `native`, else @noble/hashes'. */
export function hashingWith(native: NodeCrypto | undefined): Hashing {
  if (native) {
    return {
      name: 'native',
      hmac: (key, data) => native.createHmac('sha256', key).update(data).digest(),
      hmacHex: (key, data) => native.createHmac('sha256', key).update(data).digest('hex'),
      sha256: (data) => native.createHash('sha256').update(data).digest(),
      sha256Hex: (data) => native.createHash('sha256').update(data).digest('hex'),
    };
  }
  return {
    name: 'noble',
    hmac: (key, data) => hmac(sha256, bytesOf(key), bytesOf(data)),
    hmacHex: (key, data) => toHex(hmac(sha256, bytesOf(key), bytesOf(data))),
    sha256: (data) => sha256(bytesOf(data)),
    sha256Hex: (data) => toHex(sha256(bytesOf(data))),
  };
}

// Chosen at the first hash, not at import: loading Node's crypto costs a cold start ~7 ms.
let chosen: Hashing | undefined;
const hashing = (): Hashing => (chosen ??= hashingWith(nodeCryptoOf(globalThis as Scope)));

/** Which implementation hashes here: `'native'` or `'noble'` (for tests and benchmarks). */
export function hashingName(): 'native' | 'noble' {
  return hashing().name;
}

/** HMAC-SHA256 of `data` under `key`. */
export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Uint8Array {
  return hashing().hmac(key, data);
}

/** HMAC-SHA256 of `data` under `key`, as hex. */
export function hmacSha256Hex(key: string | Uint8Array, data: string | Uint8Array): string {
  return hashing().hmacHex(key, data);
}

/** SHA-256 of `data`. */
export function sha256Bytes(data: string | Uint8Array): Uint8Array {
  return hashing().sha256(data);
}

/** SHA-256 of `data`, as hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return hashing().sha256Hex(data);
}

/**
 * Whether two byte strings are equal, in time that depends on their length only (never on where
 * they differ): every byte is compared.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  // Every byte is visited whatever it holds: no early exit.
  return a.reduce((difference, byte, i) => difference | (byte ^ b[i]!), 0) === 0;
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
