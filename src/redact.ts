/**
 * Keeping secrets, codes and phone numbers out of messages, events and errors.
 */

const PHONE_PATTERN = /\+?\d{7,15}/g;

/**
 * Masks a phone number for logs: the first six characters and the last two stay.
 *
 * @example
 * ```ts
 * maskPhone('+491701234567'); // '+49170*****67'
 * ```
 */
export function maskPhone(phone: string): string {
  if (phone.length <= 8) return '*'.repeat(phone.length);
  return phone.slice(0, 6) + '*'.repeat(phone.length - 8) + phone.slice(-2);
}

/** Masks every phone-number-like run of digits inside a longer text. */
export function maskPhonesIn(text: string): string {
  return text.replace(PHONE_PATTERN, maskPhone);
}

/**
 * Removes known secret values (API keys, tokens, HMAC secrets, codes) from any text that
 * leaves polyverify. Secrets shorter than 3 characters are not tracked: they would
 * mangle ordinary text and are not secrets worth the name.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a secret to remove from now on (an empty or missing one is ignored). */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 3) this.#secrets.add(secret);
  }

  /** Forgets a secret that is no longer in use (a replaced token). */
  remove(secret: string | undefined): void {
    this.#secrets.delete(secret ?? '');
  }

  /** A copy that also knows `extra` (e.g. the code of one call). */
  with(...extra: (string | undefined)[]): Redactor {
    const copy = new Redactor(this.#secrets);
    for (const secret of extra) copy.add(secret);
    return copy;
  }

  /** `text` with every secret replaced by `[redacted]` (see `forLog` for masking phone numbers too). */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.replaceAll(secret, '[redacted]');
    return out;
  }

  /** Scrub, then mask phone numbers: for events and logs. */
  forLog(text: string): string {
    return maskPhonesIn(this.scrub(text));
  }

  /**
   * A vendor's text fit for an error message: secrets removed and phone numbers masked first,
   * then cut to `max` characters — in that order, so no part of a secret cut at the boundary
   * survives.
   */
  text(value: string, max = 300): string {
    const clean = this.forLog(value);
    return clean.length > max ? `${clean.slice(0, max)}…` : clean;
  }

  // Never show the secrets themselves when the redactor is inspected or serialized.
  /** What `JSON.stringify` shows: the class name only, never a secret. */
  toJSON(): string {
    return '[Redactor]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[Redactor]';
  }
}

/**
 * A plain copy of an underlying error, with only its name, scrubbed message and code,
 * suitable as the `cause` of a polyverify error. The original may carry a request object
 * with credentials (ky's `TimeoutError.request`, for one).
 */
export function sanitizeCause(error: unknown, redactor: Redactor, depth = 0): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  // The top message as before; a cause's text (a runtime's URL and all) with phone numbers masked too.
  const copy = new Error(depth === 0 ? redactor.scrub(source.message) : redactor.forLog(source.message));
  copy.name = source.name;
  const code = errorCode(source);
  if (code !== undefined) Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${copy.message}`;
  // The runtime's own words are often in the cause (Deno: `client error (Connect): tcp connect error: …`): kept, scrubbed.
  if (source.cause !== undefined && depth < 3) Object.defineProperty(copy, 'cause', { value: sanitizeCause(source.cause, redactor, depth + 1), enumerable: false, writable: true, configurable: true });
  return copy;
}

/** The system error code of an error or of its cause (`ECONNREFUSED`, `UND_ERR_SOCKET`, …). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The key `util.inspect` looks for (`inspect.custom`), without importing `node:util`: what a provider shows of itself. */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');
