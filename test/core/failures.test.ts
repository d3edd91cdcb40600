/**
 * "Nothing was sent" on every runtime: the shapes each runtime's fetch gives a request that never
 * left (measured on Node 20, Bun 1.4 and Deno 2.9 against a closed port on 127.0.0.1), and the
 * ones that may have left; a cause's own words kept, scrubbed.
 */
import { describe, expect, it } from 'vitest';
import { neverSent } from '../../src/http/failures.js';
import { Redactor, sanitizeCause } from '../../src/redact.js';

const withCause = (message: string, cause: unknown) => Object.assign(new TypeError(message), { cause });
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('neverSent', () => {
  it.each<[string, unknown, boolean]>([
    ['Node: refused', withCause('fetch failed', coded('connect ECONNREFUSED 127.0.0.1:37367', 'ECONNREFUSED')), true],
    ['Node: no such host', withCause('fetch failed', coded('getaddrinfo ENOTFOUND x.invalid', 'ENOTFOUND')), true],
    ['Node: a port fetch refuses', withCause('fetch failed', new Error('bad port')), true],
    ['Node: the other side closed', withCause('fetch failed', coded('other side closed', 'UND_ERR_SOCKET')), false],
    ['Bun: refused', coded('ECONNREFUSED: Unable to connect. Is the computer able to access the url?', 'ECONNREFUSED'), true],
    ['Bun: reset', coded('ECONNRESET: The socket connection was closed unexpectedly.', 'ECONNRESET'), false],
    ['Deno: refused', withCause('fetch failed', new Error('error sending request for url (http://127.0.0.1:42953/x): client error (Connect): tcp connect error: Connection refused (os error 111)')), true],
    ['Deno: no such host', withCause('fetch failed', new Error('error sending request for url (http://x.invalid/x): client error (Connect): dns error: failed to lookup address information')), true],
    ['Deno: a port it refuses', new TypeError('Fetch failed: Requests to port 9 are blocked'), true],
    ['Deno: closed after sending', withCause('fetch failed', new Error('error sending request from 127.0.0.1:38178 for http://127.0.0.1:42823/x (127.0.0.1:42823): client error (SendRequest): connection closed before message completed')), false],
    ['workerd: lost (refused or dropped, it cannot tell)', new Error('Network connection lost.'), false],
    ['not an error', 'ECONNREFUSED', false],
    // Whole messages only: a vendor's or a proxy's text that merely contains the words proves nothing.
    ['bad port inside other words', withCause('fetch failed', new Error('a bad port')), false],
    ['bad port, then more', withCause('fetch failed', new Error('bad port 99')), false],
    ['Deno: a blocked port of several digits', new TypeError('Fetch failed: Requests to port 25 are blocked'), true],
    ['Deno: blocked, inside other words', new TypeError('Proxy: Fetch failed: Requests to port 25 are blocked'), false],
    ['Deno: blocked, then more', new TypeError('Fetch failed: Requests to port 25 are blocked, retrying'), false],
    ['the shape three causes down', [1, 2].reduce((inner) => withCause('wrapped', inner), withCause('fetch failed', new Error('bad port')) as unknown), true],
    ['the shape four causes down: not looked for', [1, 2, 3].reduce((inner) => withCause('wrapped', inner), withCause('fetch failed', new Error('bad port')) as unknown), false],
  ])('%s', (_runtime, error, expected) => {
    expect(neverSent(error)).toBe(expected);
  });

  it('ends on a cause chain that loops', () => {
    const looping = new TypeError('fetch failed');
    Object.assign(looping, { cause: looping });
    expect(neverSent(looping)).toBe(false);
  });
});

describe('sanitizeCause', () => {
  it('keeps the runtime’s words in the cause chain, secrets scrubbed and numbers masked', () => {
    const redactor = new Redactor(['tok-SECRET-123456']);
    const error = withCause('fetch failed tok-SECRET-123456', new Error('client error (Connect) for http://h/x?token=tok-SECRET-123456&to=+491701234567'));
    const copy = sanitizeCause(error, redactor);
    expect(copy.message).toBe('fetch failed [redacted]');
    expect((copy.cause as Error).message).toBe('client error (Connect) for http://h/x?token=[redacted]&to=+49170*****67');
    expect(JSON.stringify(copy)).toBe('{"name":"TypeError"}');
  });
});
