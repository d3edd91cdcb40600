/**
 * Keyed hashing of codes: only HMAC-SHA256(secret, code) is ever stored.
 */
import { isWholeHex } from '../bytes.js';
import { hmacSha256Hex, randomBytes } from '../crypto.js';

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
 * Constant-time equality of two hex hashes, in either letter case. Anything that is not whole,
 * non-empty hex is never equal to anything: a lenient hex decoder would silently drop an odd last
 * digit or stop at the first non-hex character, and two damaged records must not match. The
 * digits are compared as they are (no decoding, no allocation: this runs on every check), every
 * one of them whatever the others hold; `| 0x20` lower-cases a hex letter and leaves a digit.
 */
export function hashesEqual(a: string, b: string): boolean {
  if (a.length !== b.length || !isWholeHex(a) || !isWholeHex(b)) return false;
  let difference = 0;
  for (let i = 0; i !== a.length; i++) difference |= (a.charCodeAt(i) | 0x20) ^ (b.charCodeAt(i) | 0x20);
  return difference === 0;
}
