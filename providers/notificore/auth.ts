/**
 * Notificore's JWT: `POST /api/auth/login {"api_key"}` gives `{"bearer"}`; every 2FA call
 * sends `Authorization: Bearer <jwt>`; `POST /api/auth/refresh` renews a token that is still
 * valid. The token is cached, renewed before it expires (its `exp` claim, else an assumed
 * lifetime), renewed once after a 401, and shared: concurrent calls wait for one login.
 */
import { base64urlDecode } from '../../src/bytes.js';
import * as v from 'valibot';
import { AuthenticationError, InvalidResponseError } from '../../src/errors.js';
import type { HttpCall, HttpClient, HttpResult } from '../../src/http/index.js';
import type { CallOptions } from '../../src/provider.js';
import type { Redactor } from '../../src/redact.js';
import { tokenSchema } from './wire.js';

/** Lifetime assumed for a token without a readable `exp` (integrations cache for 50–55 min of ~1 h). */
export const ASSUMED_TOKEN_LIFETIME_MS = 50 * 60_000;
/** Renew this long before `exp`, so no request goes out with a token about to lapse. */
export const RENEW_BEFORE_MS = 60_000;

interface Token {
  readonly bearer: string;
  readonly expiresAt: number;
}

/** Reads `exp` (seconds) from a JWT's payload without verifying it: only to schedule renewal. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(base64urlDecode(payload)) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export interface TokenKeeperOptions {
  readonly apiKey: string;
  readonly http: HttpClient;
  readonly redactor: Redactor;
  readonly provider: string;
  readonly now: () => number;
}

/** Holds the current bearer token of one adapter instance. */
export class TokenKeeper {
  readonly #options: TokenKeeperOptions;
  #token: Token | undefined;
  #pending: Promise<Token> | undefined;
  /** Logins made (for tests and metrics). */
  logins = 0;
  refreshes = 0;

  constructor(options: TokenKeeperOptions) {
    this.#options = options;
  }

  /** The bearer to send now, if one is held (read by the request hook). */
  get current(): string | undefined {
    return this.#token?.bearer;
  }

  /** A token valid for at least `RENEW_BEFORE_MS` more; logs in or refreshes when needed, once for all callers. */
  async ensure(options?: CallOptions): Promise<void> {
    const token = this.#token;
    if (token && this.#options.now() < token.expiresAt - RENEW_BEFORE_MS) return;
    await this.#renew(token && this.#options.now() < token.expiresAt ? 'refresh' : 'login', options);
  }

  /** A call with a valid token; after a 401, one new login and one more try (a 401 was not processed). */
  async request(call: HttpCall): Promise<HttpResult> {
    await this.ensure(call.options);
    const bearer = this.current;
    try {
      return await this.#options.http.request(call);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      await this.reject(bearer, call.options);
      return this.#options.http.request(call);
    }
  }

  /**
   * After a 401: the token sent is no longer accepted; log in again, once for all callers. A
   * caller whose 401 arrives while that login is under way waits for it; one whose 401 came
   * for a token already replaced goes on with the new one.
   */
  async reject(rejected: string | undefined, options?: CallOptions): Promise<void> {
    if (this.#pending) {
      await this.#pending;
      return;
    }
    if (rejected !== undefined && this.#token !== undefined && this.#token.bearer !== rejected) return; // someone already renewed
    this.#forget();
    await this.#renew('login', options);
  }

  #renew(how: 'login' | 'refresh', options?: CallOptions): Promise<Token> {
    this.#pending ??= this.#fetch(how, options).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(how: 'login' | 'refresh', options?: CallOptions): Promise<Token> {
    const { http, apiKey, provider, now } = this.#options;
    let body: unknown;
    if (how === 'refresh') {
      try {
        body = (await http.request({ operation: 'auth', method: 'POST', path: 'api/auth/refresh', sends: false, options })).body;
        this.refreshes++;
      } catch {
        // A refused refresh is not fatal: a fresh login follows.
        this.#forget();
        return this.#fetch('login', options);
      }
    } else {
      body = (await http.request({ operation: 'auth', method: 'POST', path: 'api/auth/login', json: { api_key: apiKey }, sends: false, options })).body;
      this.logins++;
    }
    const parsed = v.safeParse(tokenSchema, body);
    if (!parsed.success) {
      throw new InvalidResponseError(`${provider} auth: the ${how} answer has no bearer token`, { provider, operation: 'auth', sent: 'no' });
    }
    const bearer = parsed.output.bearer;
    this.#forget();
    this.#options.redactor.add(bearer);
    this.#token = { bearer, expiresAt: jwtExpiry(bearer) ?? now() + ASSUMED_TOKEN_LIFETIME_MS };
    return this.#token;
  }

  #forget(): void {
    this.#options.redactor.remove(this.#token?.bearer);
    this.#token = undefined;
  }

  toJSON(): string {
    return '[TokenKeeper]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[TokenKeeper]';
  }
}
