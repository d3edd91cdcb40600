/**
 * Keyed hashing of codes: only HMAC-SHA256(secret, code) is ever stored.
 */
import { hexBytes } from '../bytes.js';
import { constantTimeEqual, hmacSha256Hex, randomBytes } from '../crypto.js';

/** Hashes codes with one secret. The secret never leaves this object. */
export class CodeHasher {
  readonly #secret: Uint8Array;

  constructor(secret: string | Uint8Array) {
    // A copy either way (bytes the caller still holds may change); strings as UTF-8.
    this.#secret = typeof secret === 'string' ? new TextEncoder().encode(secret) : Uint8Array.from(secret);
  }

  /** A hasher with a random secret: its hashes do not survive a restart or reach another process. */
  static ephemeral(): CodeHasher {
    return new CodeHasher(randomBytes(32));
  }

  /** Hex HMAC-SHA256 of the code. */
  hash(code: string): string {
    return hmacSha256Hex(this.#secret, code);
  }

  /** What `JSON.stringify` shows: the class name only, never a secret. */
  toJSON(): string {
    return '[CodeHasher]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[CodeHasher]';
  }
}

/**
 * Constant-time equality of two hex hashes. Anything that is not whole, non-empty hex is
 * never equal to anything: a lenient hex decoder would silently drop an odd last digit or stop
 * at the first non-hex character, and two damaged records must not match. Digests of different
 * lengths are unequal by `constantTimeEqual`.
 */
export function hashesEqual(a: string, b: string): boolean {
  const left = hexBytes(a);
  const right = hexBytes(b);
  return left !== undefined && right !== undefined && constantTimeEqual(left, right);
}
