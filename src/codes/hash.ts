/**
 * Keyed hashing of codes: only HMAC-SHA256(secret, code) is ever stored.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Hashes codes with one secret. The secret never leaves this object. */
export class CodeHasher {
  readonly #secret: Buffer;

  constructor(secret: string | Buffer) {
    this.#secret = Buffer.isBuffer(secret) ? Buffer.from(secret) : Buffer.from(secret, 'utf8');
  }

  /** A hasher with a random secret: its hashes do not survive a restart or reach another process. */
  static ephemeral(): CodeHasher {
    return new CodeHasher(randomBytes(32));
  }

  /** Hex HMAC-SHA256 of the code. */
  hash(code: string): string {
    return createHmac('sha256', this.#secret).update(code, 'utf8').digest('hex');
  }

  toJSON(): string {
    return '[CodeHasher]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[CodeHasher]';
  }
}

/** Constant-time equality of two hex hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
