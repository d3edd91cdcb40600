/**
 * Keyed hashing of codes: only HMAC-SHA256(secret, code) is ever stored.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Hashes codes with one secret. The secret never leaves this object. */
export class CodeHasher {
  readonly #secret: Buffer;

  constructor(secret: string | Buffer) {
    // A copy either way (a Buffer the caller still holds may change); strings as UTF-8.
    this.#secret = Buffer.from(secret);
  }

  /** A hasher with a random secret: its hashes do not survive a restart or reach another process. */
  static ephemeral(): CodeHasher {
    return new CodeHasher(randomBytes(32));
  }

  /** Hex HMAC-SHA256 of the code. */
  hash(code: string): string {
    return createHmac('sha256', this.#secret).update(code).digest('hex');
  }

  /** What `JSON.stringify` shows: the class name only, never a secret. */
  toJSON(): string {
    return '[CodeHasher]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[CodeHasher]';
  }
}

const HEX = /^(?:[0-9a-f]{2})+$/i;

/**
 * Constant-time equality of two hex hashes. Anything that is not whole, non-empty hex is
 * never equal to anything: `Buffer.from(…, 'hex')` would silently drop an odd last digit or
 * stop at the first non-hex character, and two damaged records must not match.
 */
export function hashesEqual(a: string, b: string): boolean {
  if (a.length !== b.length || !HEX.test(a) || !HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
