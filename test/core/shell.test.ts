/** The provider shell (src/adapter/define.ts): `prepare` runs once per start and hands its body to `start`. */
import { inspect } from 'node:util';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { defineProvider } from '../../src/adapter/define.js';
import type { Verification } from '../../src/model.js';
import type { Capabilities } from '../../src/provider.js';
import { rejectionOf } from '../helpers.js';
import { cursorKeyOf } from '../../src/listing/cursor.js';

const capabilities: Capabilities = {
  channels: ['sms'],
  recipients: ['phone'],
  codeOwner: 'vendor',
  customCode: false,
  codeLength: { min: 4, max: 8, default: 6 },
  ttlSeconds: { min: 30, max: 600, default: 300 },
  maxAttempts: { min: 1, max: 5, default: 3 },
  resend: false,
  failover: false,
  cancel: 'none',
  cost: false,
  reference: true,
  languages: ['en', 'de'],
  listFilters: { server: [], client: [] },
};

function shell() {
  const prepared: unknown[] = [];
  const started: unknown[] = [];
  const provider = defineProvider<Record<string, never>, number, { phone: string; lang: string }>({
    vendor: 'made',
    title: 'Made',
    name: 'made',
    capabilities,
    id: { pattern: /^m\d+$/, what: 'a Made id' },
    defaultChannels: [{ channel: 'sms' }],
    prepare(input) {
      prepared.push(input.to);
      return input.reference === 'bad' ? { issues: [{ field: 'reference', message: 'is bad for Made' }] } : { issues: [], body: { phone: input.to as string, lang: input.locale! } };
    },
    async start(_input, _options, body) {
      started.push(body);
      return { id: 'm1', provider: 'made', to: body!.phone, status: 'pending', createdAt: new Date(0) } as unknown as Verification;
    },
    check: async () => ({ verified: true }),
    get: async () => ({}) as Verification,
    paging: { position: v.number(), read: async () => ({ at: 0, items: [] }) },
  });
  return { provider, prepared, started };
}

describe('prepare', () => {
  it('builds the body once per start, after the language is decided, and start gets it', async () => {
    const { provider, prepared, started } = shell();
    await provider.start({ to: '+491701234567' });
    expect(prepared).toEqual(['+491701234567']);
    expect(started).toEqual([{ phone: '+491701234567', lang: 'de' }]);
  });

  it('its issues join the shell\'s in one ValidationError, and start is never called', async () => {
    const { provider, started } = shell();
    const error = await rejectionOf(provider.start({ to: '+491701234567', reference: 'bad', ttlSeconds: 5 }));
    expect(error).toMatchObject({ name: 'ValidationError', message: 'Invalid start request: ttlSeconds: must be 30 to 600 for Made; reference: is bad for Made' });
    expect(started).toEqual([]);
  });
});

describe('the shell’s checks, before the adapter is asked', () => {
  function made(overrides: { capabilities?: Partial<Capabilities>; defaultChannels?: { channel: 'sms' | 'voice' | 'email' }[]; code?: { pattern: RegExp; message: string } } = {}) {
    const started: unknown[] = [];
    const checked: string[] = [];
    const provider = defineProvider({
      vendor: 'made',
      title: 'Made',
      name: 'made-eu',
      capabilities: { ...capabilities, ...overrides.capabilities },
      id: { pattern: /^m\d+$/, what: 'a Made id' },
      ...(overrides.code && { code: overrides.code }),
      defaultChannels: overrides.defaultChannels ?? [{ channel: 'sms' }],
      async start(input) {
        started.push(input);
        return { id: 'm1', provider: 'made', createdAt: new Date(0) } as unknown as Verification;
      },
      check: async (_id, code) => (checked.push(code), { verified: true }),
      get: async () => ({}) as Verification,
      paging: { position: v.number(), read: async () => ({ at: 0, items: [] }) },
    });
    return { provider, started, checked };
  }
  const issuesOf = async (pending: Promise<unknown>) => ((await rejectionOf(pending)) as { issues: unknown[] }).issues;

  it('refuses what the capabilities exclude, every issue named, nothing started', async () => {
    const { provider, started } = made({ capabilities: { channels: ['sms', 'voice'] } });
    expect(await issuesOf(provider.start({ to: { email: 'a@example.com' }, channels: [{ channel: 'viber' }], code: '12', codeLength: 3, ttlSeconds: 601, maxAttempts: 6 }))).toEqual([
      { field: 'to', message: 'Made delivers to phone numbers only' },
      { field: 'code', message: 'Made generates the code; a code of your own cannot be sent' },
      { field: 'codeLength', message: 'must be 4 to 8 for Made' },
      { field: 'ttlSeconds', message: 'must be 30 to 600 for Made' },
      { field: 'maxAttempts', message: 'must be 1 to 5 for Made' },
      { field: 'channels.0.channel', message: 'Made delivers on sms and voice only' },
    ]);
    const mail = made({ capabilities: { recipients: ['email'], customCode: true, channels: ['email'] }, defaultChannels: [{ channel: 'email' }] });
    expect(await issuesOf(mail.provider.start({ to: '+491701234567', code: '123456789' }))).toEqual([
      { field: 'to', message: 'Made delivers to e-mail addresses only' },
      { field: 'code', message: 'must be 4 to 8 characters' },
    ]);
    expect(await issuesOf(provider.start({ to: '+491701234567', ttlSeconds: 29, codeLength: 9 }))).toEqual([
      { field: 'codeLength', message: 'must be 4 to 8 for Made' },
      { field: 'ttlSeconds', message: 'must be 30 to 600 for Made' },
    ]);
    expect(await issuesOf(provider.start({ to: '+491701234567', vendor: { x: 1 } as never }))).toEqual([{ field: 'vendor', message: 'Made takes no vendor extras' }]);
    expect(started).toEqual([]);
    await provider.start({ to: '+491701234567', vendor: {}, codeLength: 8, maxAttempts: 5, ttlSeconds: 30 });
    expect(started).toHaveLength(1);
  });

  it('a default plan the vendor cannot run fails at creation, naming the option', () => {
    const error = (() => {
      try {
        made({ defaultChannels: [{ channel: 'sms' }, { channel: 'voice' }] });
      } catch (e) {
        return e as { message: string; issues: unknown[]; operation: string };
      }
    })();
    expect(error).toMatchObject({ operation: 'config', issues: [{ field: 'options.channels.1.channel', message: 'Made delivers on sms only' }] });
    expect(error!.message).toMatch(/^Invalid Made options/);
  });

  it('checks codes: the vendor’s pattern when it has one, else a string of 1 to 32 characters', async () => {
    const { provider, checked } = made();
    for (const bad of ['', 'x'.repeat(33), 123456 as unknown as string]) expect(await rejectionOf(provider.check('m1', bad))).toMatchObject({ name: 'ValidationError', operation: 'check' });
    await provider.check('m1', 'x'.repeat(32));
    await provider.check('m1', 'a');
    expect(checked).toEqual(['x'.repeat(32), 'a']);
    const digits = made({ code: { pattern: /^\d{6}$/, message: 'must be 6 digits for Made' } });
    for (const bad of ['12345', 123456 as unknown as string]) {
      expect(await rejectionOf(digits.provider.check('m1', bad))).toMatchObject({ name: 'ValidationError', operation: 'check', issues: [{ field: 'code', message: 'must be 6 digits for Made' }] });
    }
    await digits.provider.check('m1', '123456');
    expect(digits.checked).toEqual(['123456']);
  });

  it('shows its name and vendor, and nothing else, to util.inspect', () => {
    expect(inspect(made().provider)).toBe("VerifyProvider { name: 'made-eu', vendor: 'made' }");
  });
});

describe('operations and listing through the shell', () => {
  function withOps(spec: { caps?: Partial<Capabilities>; ops?: Record<string, unknown>; unsupported?: Record<string, string>; cursorKey?: Buffer; maxListPages?: number } = {}) {
    let reads = 0;
    const calls: string[] = [];
    const provider = defineProvider({
      vendor: 'made',
      title: 'Made',
      name: 'made-eu',
      capabilities: { ...capabilities, ...spec.caps },
      id: { pattern: /^m\d+$/, what: 'a Made id' },
      defaultChannels: [{ channel: 'sms' }],
      start: async () => ({}) as Verification,
      check: async () => ({ verified: true }),
      get: async (id) => (calls.push(`get ${id}`), { id } as Verification),
      ...(spec.ops as object),
      ...(spec.unsupported && { unsupported: spec.unsupported }),
      ...(spec.cursorKey && { cursorKey: spec.cursorKey }),
      ...(spec.maxListPages && { maxListPages: spec.maxListPages }),
      paging: { position: v.number(), read: async (at: number | undefined) => (reads++, { at: at ?? 0, items: [], next: (at ?? 0) + 1 }) },
    });
    return { provider, calls, reads: () => reads };
  }

  it('refuses what the capabilities exclude with one UnsupportedError, the vendor’s reason or a plain one, nothing sent', async () => {
    const { provider } = withOps({ unsupported: { cancel: 'Made ends verifications by expiry' } });
    expect(await rejectionOf(provider.resend('m1'))).toMatchObject({ name: 'UnsupportedError', provider: 'made-eu', operation: 'resend', sent: 'no', message: 'made-eu resend: Made has no resend' });
    expect(await rejectionOf(provider.failover('m1'))).toMatchObject({ name: 'UnsupportedError', operation: 'failover', message: 'made-eu failover: Made has no failover' });
    expect(await rejectionOf(provider.cancel('m1'))).toMatchObject({ name: 'UnsupportedError', operation: 'cancel', message: 'made-eu cancel: Made ends verifications by expiry' });
    // Capabilities that say yes without the operation: still refused, never a crash.
    const claimed = withOps({ caps: { resend: true, failover: true, cancel: 'vendor' } });
    for (const operation of ['resend', 'failover', 'cancel'] as const) expect(await rejectionOf(claimed.provider[operation]('m1'))).toMatchObject({ name: 'UnsupportedError', operation });
    // Operations the adapter has but the capabilities exclude: refused too.
    const hidden = withOps({ ops: { resend: async () => ({}) as Verification, failover: async () => ({}) as Verification, cancel: async () => ({}) as Verification } });
    for (const operation of ['resend', 'failover', 'cancel'] as const) expect(await rejectionOf(hidden.provider[operation]('m1'))).toMatchObject({ name: 'UnsupportedError', operation });
  });

  it('runs the operations the capabilities include, after checking the id for that operation', async () => {
    const seen: string[] = [];
    const op = (name: string) => async (id: string, options: unknown) => (seen.push(`${name} ${id} ${JSON.stringify(options)}`), { id } as Verification);
    const { provider, calls } = withOps({ caps: { resend: true, failover: true, cancel: 'vendor' }, ops: { resend: op('resend'), failover: op('failover'), cancel: op('cancel') } });
    await provider.get('m1');
    await provider.resend('m2', { step: 1 });
    await provider.failover('m3');
    await provider.cancel('m4');
    expect(calls).toEqual(['get m1']);
    expect(seen).toEqual(['resend m2 {"step":1}', 'failover m3 undefined', 'cancel m4 undefined']);
    for (const operation of ['get', 'resend', 'failover', 'cancel'] as const) {
      expect(await rejectionOf(provider[operation]('x1'))).toMatchObject({ name: 'ValidationError', operation, issues: [{ field: 'id', message: 'must be a Made id' }] });
    }
    expect(await rejectionOf(provider.check('x1', '1234'))).toMatchObject({ name: 'ValidationError', operation: 'check', issues: [{ field: 'id', message: 'must be a Made id' }] });
    expect(await rejectionOf(provider.get('m1', { timeoutMs: -1 }))).toMatchObject({ name: 'ValidationError', operation: 'get' });
  });

  it('signs its cursors with the key given, and stops a walk after maxListPages pages without an item', async () => {
    const key = Buffer.alloc(32, 7);
    const { provider, reads } = withOps({ cursorKey: key, maxListPages: 3 });
    expect(cursorKeyOf(provider)).toEqual(key);
    expect(cursorKeyOf(withOps().provider)).toBeUndefined();
    expect(await rejectionOf(provider.listPage({}))).toMatchObject({ operation: 'list' });
    expect(reads()).toBe(3);
  });
});
