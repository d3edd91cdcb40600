/** Providers from configuration and from the environment; errors name fields and never echo secrets. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ValidationError, createProvider, providerFromEnv } from '../../providers/index.js';
import { rejectionOf } from '../helpers.js';
import { builtIn } from '../../providers/built-in.js';

const { configFromEnv } = builtIn;

const SECRETS = ['lox-token-SECRET-123456', 'live_notificore_SECRET_99', 'bird-access-SECRET-key-77', 'hmac-SECRET-0123456789'];
const WORKSPACE = 'f0e1d2c3-b4a5-4968-8776-655443322110';
const NAV = 'aaaaaaaa-0000-4000-8000-000000000002';

function expectNoSecret(error: unknown): void {
  const views = [(error as Error).message, JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
  for (const secret of SECRETS) expect(views).not.toContain(secret);
}

describe('createProvider', () => {
  it('builds each vendor from its config', async () => {
    const lox = await createProvider({ provider: 'lox24', token: SECRETS[0]!, secret: SECRETS[3]! });
    const nc = await createProvider({ provider: 'notificore', apiKey: SECRETS[1]!, sender: 'MyApp', templateId: 12, name: 'nc-eu' });
    const bird = await createProvider({ provider: 'messagebird', accessKey: SECRETS[2]!, workspaceId: WORKSPACE, channels: { sms: { navigatorId: NAV } } });
    expect([lox.name, nc.name, bird.name]).toEqual(['lox24', 'nc-eu', 'messagebird']);
    expect([lox.capabilities.codeOwner, nc.capabilities.codeOwner, bird.capabilities.channels]).toEqual(['library', 'vendor', ['sms', 'whatsapp', 'email']]);
    for (const p of [lox, nc, bird]) expect(inspect(p) + JSON.stringify(p)).not.toMatch(/SECRET/);
  });

  const bad: [string, unknown, { field: string; message: string }[]][] = [
    ['an unknown provider', { provider: 'twilio', token: SECRETS[0] }, [{ field: 'provider', message: "must have provider 'lox24', 'notificore' or 'messagebird'" }]],
    ['a missing LOX24 token', { provider: 'lox24', secret: SECRETS[3] }, [{ field: 'token', message: 'is required' }]],
    ['a short LOX24 secret', { provider: 'lox24', token: SECRETS[0], secret: 'short' }, [{ field: 'secret', message: 'must be at least 16 characters' }]],
    ['a Notificore template id as text', { provider: 'notificore', apiKey: SECRETS[1], templateId: '12' }, [{ field: 'templateId', message: 'must be a number' }]],
    ['a Bird workspace that is no UUID', { provider: 'messagebird', accessKey: SECRETS[2], workspaceId: 'ws-1', channels: {} }, [{ field: 'workspaceId', message: 'must be a UUID' }, { field: 'channels', message: 'must map at least one channel' }]],
    ['an unknown option', { provider: 'lox24', token: SECRETS[0], tokn: SECRETS[0] }, [{ field: 'tokn', message: 'is not a known field' }]],
    ['a name unfit for ids', { provider: 'lox24', token: SECRETS[0], name: 'lox:eu' }, [{ field: 'name', message: 'must be 1 to 40 letters, digits, _ or -' }]],
  ];
  it.each(bad)('refuses %s, naming the field and echoing no secret', async (_why, config, issues) => {
    const error = await rejectionOf(createProvider(config as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual(issues);
    expectNoSecret(error);
  });

  it('an array of configs becomes a failover in that order; errors name the entry', async () => {
    const verify = await createProvider([
      { provider: 'lox24', token: SECRETS[0]!, secret: SECRETS[3]! },
      { provider: 'messagebird', accessKey: SECRETS[2]!, workspaceId: WORKSPACE, channels: { sms: { navigatorId: NAV } } },
    ]);
    expect(inspect(verify)).toBe("VerifyProvider { name: 'failover', failover: ['lox24', 'messagebird'] }");
    const error = await rejectionOf(createProvider([{ provider: 'lox24', token: SECRETS[0]! }, { provider: 'notificore' } as never]));
    expect(error.issues).toEqual([{ field: '1.apiKey', message: 'is required' }]);
  });
});

describe('providerFromEnv', () => {
  it('reads each vendor from its variables', async () => {
    const lox = await providerFromEnv({ POLYVERIFY_PROVIDER: 'lox24', LOX24_TOKEN: SECRETS[0], POLYVERIFY_SECRET: SECRETS[3] });
    expect(lox.name).toBe('lox24');
    expect(configFromEnv({ POLYVERIFY_PROVIDER: 'notificore', NOTIFICORE_API_KEY: SECRETS[1], NOTIFICORE_SENDER: 'MyApp', NOTIFICORE_TEMPLATE_ID: '12' })).toEqual({
      provider: 'notificore',
      apiKey: SECRETS[1],
      sender: 'MyApp',
      templateId: 12,
    });
    expect(
      configFromEnv({ POLYVERIFY_PROVIDER: 'messagebird', BIRD_ACCESS_KEY: SECRETS[2], BIRD_WORKSPACE_ID: WORKSPACE, BIRD_SMS_NAVIGATOR_ID: NAV, MESSAGEBIRD_BASE_URL: 'http://127.0.0.1:1' }),
    ).toEqual({ provider: 'messagebird', accessKey: SECRETS[2], workspaceId: WORKSPACE, channels: { sms: { navigatorId: NAV } }, baseUrl: 'http://127.0.0.1:1' });
  });

  it('names every missing variable', async () => {
    const cases: [Record<string, string>, string[]][] = [
      [{}, ['POLYVERIFY_PROVIDER']],
      [{ POLYVERIFY_PROVIDER: 'lox24' }, ['LOX24_TOKEN']],
      [{ POLYVERIFY_PROVIDER: 'notificore' }, ['NOTIFICORE_API_KEY']],
      [{ POLYVERIFY_PROVIDER: 'messagebird', BIRD_ACCESS_KEY: SECRETS[2]! }, ['BIRD_WORKSPACE_ID', 'BIRD_SMS_NAVIGATOR_ID']],
      [{ POLYVERIFY_PROVIDER: 'sinch' }, ['POLYVERIFY_PROVIDER']],
    ];
    for (const [env, fields] of cases) {
      const error = await rejectionOf(providerFromEnv(env));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues.map((i: { field: string }) => i.field)).toEqual(fields);
      expectNoSecret(error);
    }
  });

  it('takes POLYVERIFY_CONFIG as JSON, one config or several', async () => {
    const one = await providerFromEnv({ POLYVERIFY_CONFIG: JSON.stringify({ provider: 'lox24', token: SECRETS[0], secret: SECRETS[3] }) });
    expect(one.name).toBe('lox24');
    const error = await rejectionOf(providerFromEnv({ POLYVERIFY_CONFIG: `{"provider":"lox24","token":"${SECRETS[0]}"` }));
    expect(error.issues).toEqual([{ field: 'POLYVERIFY_CONFIG', message: 'is not valid JSON' }]);
    // A path, the usual mistake (issue 33, trap 11), is named as such.
    for (const path of ['./polyverify.json', 'config/lox24.json', '/etc/app/verify.json']) {
      expect((await rejectionOf(providerFromEnv({ POLYVERIFY_CONFIG: path }))).issues).toEqual([
        { field: 'POLYVERIFY_CONFIG', message: 'holds the config itself as JSON, not a path to a file (use the CLI’s --config FILE for a file)' },
      ]);
    }
    expectNoSecret(error);
  });
});
