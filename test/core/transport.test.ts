/**
 * What every adapter sends with: a `User-Agent` naming polyverify, and the caller's `fetch` when
 * one is given (proxies, undici agents, instrumentation) — against each vendor's simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lox24 } from '../../providers/lox24/index.js';
import { messagebird } from '../../providers/messagebird/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { ValidationError, type VerifyProvider } from '../../src/index.js';
import { VERSION } from '../../src/version.js';
import { startSimulator, type Simulators } from '../../testing/index.js';
import { rejectionOf } from '../helpers.js';

let lox: Simulators['lox24'];
let nc: Simulators['notificore'];
let bird: Simulators['messagebird'];
beforeAll(async () => {
  [lox, nc, bird] = await Promise.all([startSimulator('lox24'), startSimulator('notificore'), startSimulator('messagebird')]);
});
afterAll(() => Promise.all([lox.close(), nc.close(), bird.close()]));

const adapters: Record<string, (fetch?: typeof globalThis.fetch) => { provider: VerifyProvider; to: string; code: (id: string) => string }> = {
  lox24: (fetch) => ({ provider: lox24({ token: lox.token, secret: 'transport-secret-0123', baseUrl: lox.url, ...(fetch && { fetch }) }), to: '+491701234567', code: (id) => lox.lastCode(id)! }),
  notificore: (fetch) => ({ provider: notificore({ apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url, ...(fetch && { fetch }) }), to: '+61401629754', code: (id) => nc.lastCode(id)! }),
  messagebird: (fetch) => ({
    provider: messagebird({ accessKey: bird.accessKey, workspaceId: bird.workspaceId, baseUrl: bird.url, channels: { sms: { navigatorId: bird.ids.smsNavigatorId } }, ...(fetch && { fetch }) }),
    to: '+31612345678',
    code: (id) => bird.lastCode(id)!,
  }),
};

describe.each(Object.keys(adapters))('%s', (vendor) => {
  it('sends every request through the fetch given, with polyverify’s User-Agent', async () => {
    const seen: { method: string; path: string; userAgent: string | null }[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      seen.push({ method: request.method, path: new URL(request.url).pathname, userAgent: request.headers.get('user-agent') });
      return globalThis.fetch(request);
    };
    const { provider, to, code } = adapters[vendor]!(fetch);
    const v = await provider.start({ to });
    expect((await provider.check(v.id, code(v.id))).verified).toBe(true);
    await provider.get(v.id);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen.map((s) => s.userAgent))).toEqual(new Set([`polyverify/${VERSION} node/${process.version}`]));
    // Without the option, the global fetch: the same flow works.
    const plain = adapters[vendor]!();
    expect((await plain.provider.start({ to: plain.to })).status).toBe('pending');
  });

  it('refuses a fetch that is not a function, naming the option', async () => {
    const error = await rejectionOf(Promise.resolve().then(() => adapters[vendor]!('nope' as never)));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toContainEqual({ field: 'fetch', message: 'must be a function' });
  });
});
