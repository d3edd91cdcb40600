/**
 * What every wrapper shares: a start request is parsed once, by the outermost wrapper, and the
 * parsed request reaches every layer below as the same frozen object; and `sealWrapper`
 * finishes each wrapper the same way (inspect, cursor key, frozen).
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, ValidationError, failover, guard, route, type CallOptions, type StartRequest, type VerifyProvider } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { startSimulator } from '../../testing/index.js';
import { cursorKeyOf } from '../../src/listing/cursor.js';
import { membersCursorKey, sealWrapper } from '../../src/composite.js';
import type { Simulators } from '../../testing/index.js';

let sim: Simulators['lox24'];
beforeAll(async () => {
  sim = await startSimulator('lox24');
});
afterAll(() => sim.close());

/** A member that records what reached its `start`, refusing (nothing sent) when told to. */
function recorded(provider: VerifyProvider, seen: { member: string; request: StartRequest; options: CallOptions | undefined }[], refuse = false): VerifyProvider {
  return {
    ...provider,
    name: provider.name,
    capabilities: provider.capabilities,
    start(request, options) {
      seen.push({ member: provider.name, request, options });
      if (refuse) return Promise.reject(new ConnectionError('refused', { provider: provider.name, operation: 'start', sent: 'no' }));
      return provider.start(request, options);
    },
  };
}

const secret = 'a-secret-of-16+chars';

describe('a start request through wrappers', () => {
  it('is parsed once: every member below guard(failover(...)) gets the same frozen object, not the caller’s', async () => {
    const seen: { member: string; request: StartRequest; options: CallOptions | undefined }[] = [];
    const a = recorded(lox24({ name: 'a', token: sim.token, secret, baseUrl: sim.url }), seen, true);
    const b = recorded(lox24({ name: 'b', token: sim.token, secret, baseUrl: sim.url }), seen);
    const verify = guard(failover([a, b]), { perPhone: { max: 5, windowSeconds: 60 } });
    const request = { to: '+491701234567', reference: 'signup-1' };
    const options = { timeoutMs: 5_000 };
    const v = await verify.start(request, options);
    expect(v.id).toMatch(/^b:/);
    expect(seen.map((s) => s.member)).toEqual(['a', 'b']);
    const [first, second] = seen;
    expect(first!.request).toBe(second!.request);
    expect(first!.request).not.toBe(request);
    expect(first!.request).toEqual(request);
    expect(Object.isFrozen(first!.request)).toBe(true);
    expect(first!.options).toBe(second!.options);
    expect(first!.options).toEqual(options);
    expect(Object.isFrozen(first!.options)).toBe(true);
    // The caller's objects are untouched.
    expect(Object.isFrozen(request)).toBe(false);
  });

  it('a request the outermost wrapper refuses reaches no member; one parsed by a wrapper is not parsed again by route', async () => {
    const seen: { member: string; request: StartRequest; options: CallOptions | undefined }[] = [];
    const a = recorded(lox24({ name: 'a', token: sim.token, secret, baseUrl: sim.url }), seen);
    const verify = failover([route({ '+49': a }, { name: 'r' })]);
    const error = await verify.start({ to: '491701234567' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.field).toBe('to');
    expect(seen).toEqual([]);
    await verify.start({ to: '+491701234567' });
    expect(Object.isFrozen(seen[0]!.request)).toBe(true);
  });

  it('an object that only looks parsed (a caller’s frozen object) is still parsed', async () => {
    const a = lox24({ name: 'a', token: sim.token, secret, baseUrl: sim.url });
    const error = await failover([a]).start(Object.freeze({ to: '+49', extra: 1 }) as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
  });
});

describe('sealWrapper', () => {
  it('names the wrapper in util.inspect, signs its cursors with the key given, and freezes it', () => {
    const a = lox24({ name: 'a', token: sim.token, secret, baseUrl: sim.url });
    const b = lox24({ name: 'b', token: sim.token, secret: `${secret}2`, baseUrl: sim.url, cursorSecret: 'another-cursor-secret' });
    const wrapper = sealWrapper({ ...a, name: 'w' }, "wraps: ['a']", cursorKeyOf(a));
    expect(inspect(wrapper)).toBe("VerifyProvider { name: 'w', wraps: ['a'] }");
    expect(cursorKeyOf(wrapper)).toEqual(cursorKeyOf(a));
    expect(Object.isFrozen(wrapper)).toBe(true);
    const unsigned = sealWrapper({ ...a, name: 'u' }, 'plain', undefined);
    expect(cursorKeyOf(unsigned)).toBeUndefined();
    const both = failover([a, b]);
    expect(cursorKeyOf(both)).toEqual(membersCursorKey([a, b]));
    expect(cursorKeyOf(both)).not.toEqual(cursorKeyOf(a));
    expect(inspect(both)).toBe("VerifyProvider { name: 'failover', failover: ['a', 'b'] }");
    expect(inspect(route({ '+49': a, default: b }))).toBe("VerifyProvider { name: 'route', route: ['+49', 'default'] }");
    expect(inspect(guard(a, { total: { max: 1, windowSeconds: 1 } }))).toMatch(/^VerifyProvider \{ name: 'a', guard: \[/);
  });
});
