/** The provider shell (src/adapter/define.ts): `prepare` runs once per start and hands its body to `start`. */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { defineProvider } from '../../src/adapter/define.js';
import type { Verification } from '../../src/model.js';
import type { Capabilities } from '../../src/provider.js';
import { rejectionOf } from '../helpers.js';

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
