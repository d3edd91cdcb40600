/**
 * A fourth, made-up vendor ("Acme", test/acme/: one folder, adapter and simulator) takes part
 * like a built-in one: the public conformance kit, createProvider and providerFromEnv with
 * its descriptor, failover to a built-in vendor, and listing across vendors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, failover, listAcross, providerFromEnv, type VerifyProvider } from 'polyverify';
import { runConformance, startSimulator } from 'polyverify/testing';
import { acme, acmeVendor } from '../acme/index.js';
import { AcmeSimulator } from '../acme/simulator.js';

runConformance(
  {
    name: 'acme (a third-party adapter)',
    async setup() {
      const sim = await AcmeSimulator.start();
      const provider = acme({ apiKey: sim.apiKey, baseUrl: sim.url });
      return {
        provider,
        to: '+15551234567',
        request: { to: '+15551234567' },
        readCode: (v) => sim.lastCode(v.id)!,
        advance: (ms) => sim.advance(ms),
        requestCount: () => sim.requestCount,
        unknownId: '00000000-0000-4000-8000-000000000000',
        wrongCode: (code) => code.replace(/./g, (d) => String((Number(d) + 1) % 10)),
        close: () => sim.close(),
      };
    },
    invalidStarts: [{ why: 'a channel Acme lacks', request: { channels: [{ channel: 'voice' }] }, field: 'channels.0.channel' }],
  },
  { describe, it },
);

describe('a third-party vendor with the built-in ones', () => {
  let sim: AcmeSimulator;
  let lox: Awaited<ReturnType<typeof startSimulator<'lox24'>>>;
  beforeAll(async () => {
    [sim, lox] = await Promise.all([AcmeSimulator.start(), startSimulator('lox24')]);
  });
  afterAll(async () => {
    await Promise.all([sim.close(), lox.close()]);
  });

  it('is created from config and from the environment with its descriptor', async () => {
    const fromConfig = await createProvider({ provider: 'acme', apiKey: sim.apiKey, baseUrl: sim.url, name: 'acme-us' }, { vendors: [acmeVendor] });
    expect(fromConfig.name).toBe('acme-us');
    const v = await fromConfig.start({ to: '+15550000001' });
    expect(await fromConfig.check(v.id, sim.lastCode(v.id)!)).toMatchObject({ verified: true, status: 'verified' });
    const fromEnv = await providerFromEnv({ POLYVERIFY_PROVIDER: 'acme', ACME_API_KEY: sim.apiKey }, { vendors: [acmeVendor] });
    expect(fromEnv.capabilities.channels).toEqual(['sms']);
    await expect(createProvider({ provider: 'acme', apiKey: 'x' })).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ field: 'provider', message: "must have provider 'lox24', 'notificore', 'messagebird' or 'twilio'" }],
    });
    await expect(createProvider({ provider: 'acme' }, { vendors: [acmeVendor] })).rejects.toMatchObject({ issues: [{ field: 'apiKey', message: 'is required' }] });
  });

  it('fails over to a built-in vendor when it provably sent nothing, and routes later calls by id', async () => {
    const dead = await AcmeSimulator.start();
    const deadUrl = dead.url;
    await dead.close();
    const verify = await createProvider(
      [
        { provider: 'acme', apiKey: sim.apiKey, baseUrl: deadUrl, retries: 0 },
        { provider: 'lox24', token: lox.token, secret: 'acme-test-secret-0123', baseUrl: lox.url },
      ],
      { vendors: [acmeVendor] },
    );
    const v = await verify.start({ to: '+491701234567' });
    expect(v.id.startsWith('lox24:')).toBe(true);
    expect(await verify.check(v.id, lox.lastCode(v.id.slice('lox24:'.length))!)).toMatchObject({ verified: true });
    const other = failover([acme({ apiKey: sim.apiKey, baseUrl: sim.url }), await createProvider(lox.config())]);
    expect((await other.start({ to: '+15550000002' })).id.startsWith('acme:')).toBe(true);
  });

  it('is listed across vendors, newest first, each item once', async () => {
    // A LOX24 of its own: this simulator lists in insertion order, and seeds here are older than the starts above.
    const lox = await startSimulator('lox24');
    const a = acme({ apiKey: sim.apiKey, baseUrl: sim.url });
    const l = await createProvider(lox.config());
    const providers: VerifyProvider[] = [a, l];
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 7; i++) {
      sim.seed({ to: '+15550001000', createdAt: new Date(base + i * 2_000) });
      lox.seed({ to: '+491701234567', createdAt: new Date(base + i * 2_000 + 1_000) });
    }
    const listed = [];
    for await (const v of listAcross(providers, { from: new Date(base), to: new Date(base + 60_000) })) listed.push(v);
    expect(listed).toHaveLength(14);
    expect(listed.map((v) => v.provider)).toEqual(Array.from({ length: 14 }, (_, i) => (i % 2 ? 'acme' : 'lox24')));
    expect(new Set(listed.map((v) => v.id)).size).toBe(14);
    await lox.close();
  });
});
