/** Providers from configuration and from the environment; errors name fields and never echo secrets. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MemoryCodeStore, ValidationError, createProvider, providerFromEnv } from '../../providers/index.js';
import { rejectionOf } from '../helpers.js';
import { ENV, builtIn } from '../../providers/built-in.js';

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
    ['an unknown provider', { provider: 'vonage', token: SECRETS[0] }, [{ field: 'provider', message: "must have provider 'lox24', 'notificore', 'messagebird' or 'twilio'" }]],
    ['a Twilio config with half a pair of credentials', { provider: 'twilio', accountSid: `AC${'0'.repeat(32)}`, serviceSid: `VA${'0'.repeat(32)}`, apiKeySecret: SECRETS[0] }, [{ field: 'apiKeySid', message: 'give one pair of credentials: accountSid + authToken, or apiKeySid + apiKeySecret' }]],
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

describe('composite configs: { failover }, { route }, nested', () => {
  const LOX = { provider: 'lox24', token: SECRETS[0]!, secret: SECRETS[3]! } as const;
  const NC = { provider: 'notificore', apiKey: SECRETS[1]!, sender: 'MyApp', templateId: 12 } as const;
  const BIRD = { provider: 'messagebird', accessKey: SECRETS[2]!, workspaceId: WORKSPACE, channels: { sms: { navigatorId: NAV } } } as const;

  it('builds a route of any forms, named and guarded, and the same config in two places once', async () => {
    const verify = await createProvider({ route: { '+44': BIRD, '@example.com': [BIRD], '@': { failover: [NC], name: 'mail' }, default: { failover: [LOX, NC], name: 'eu' } }, name: 'signup', guard: { perPhone: { max: 1, windowSeconds: 60 } } });
    expect(inspect(verify)).toBe("VerifyProvider { name: 'signup', guard: ['perPhone'] }");
    const plain = await createProvider({ route: { '+44': BIRD, default: [LOX, NC] } });
    expect(inspect(plain)).toBe("VerifyProvider { name: 'route', route: ['+44', 'default'] }");
    const failover = await createProvider({ failover: [LOX, [NC, BIRD]], name: 'main' });
    expect(inspect(failover)).toBe("VerifyProvider { name: 'main', failover: ['lox24', 'failover'] }");
    // LOX24 twice: one provider, so the route's members stay distinct by name.
    const twice = await createProvider({ route: { '+49': LOX, default: [LOX, NC] } });
    expect(inspect(twice)).toBe("VerifyProvider { name: 'route', route: ['+49', 'default'] }");
  });

  const bad: [string, unknown, { field: string; message: string }[]][] = [
    ['an empty array', [], [{ field: 'config', message: 'must name at least one provider' }]],
    ['an empty nested array', { failover: [LOX, []] }, [{ field: 'failover.1', message: 'must name at least one provider' }]],
    ['a failover that is not an array', { failover: LOX }, [{ field: 'failover', message: 'must be an array of provider configs' }]],
    ['a route that is an array', { route: [LOX] }, [{ field: 'route', message: "must be an object of destinations ('+44', '@', '@example.com', 'default') to provider configs" }]],
    ['an empty route', { route: {} }, [{ field: 'route', message: "must be an object of destinations ('+44', '@', '@example.com', 'default') to provider configs" }]],
    ['a route that is null', { route: null }, [{ field: 'route', message: "must be an object of destinations ('+44', '@', '@example.com', 'default') to provider configs" }]],
    ['a bad destination', { route: { DE: LOX, '+49x': LOX, '@x': LOX } }, [
      { field: 'route.DE', message: "is not a destination: use an E.164 prefix ('+49'), '@', '@domain' or 'default'" },
      { field: 'route.+49x', message: "is not a destination: use an E.164 prefix ('+49'), '@', '@domain' or 'default'" },
      { field: 'route.@x', message: "is not a destination: use an E.164 prefix ('+49'), '@', '@domain' or 'default'" },
    ]],
    ['a bad name and guard', { failover: [LOX], name: 'a:b', guard: { perPhone: { max: 0, windowSeconds: 60 } } }, [
      { field: 'guard.perPhone.max', message: 'must be at least 1' },
      { field: 'name', message: 'must be 1 to 40 letters, digits, _ or -' },
    ]],
    ['a name that is not a string', { failover: [LOX], name: 7 }, [{ field: 'name', message: 'must be 1 to 40 letters, digits, _ or -' }]],
    ['an unknown key of a failover', { failover: [LOX], members: [] }, [{ field: 'members', message: "is not an option of a failover config (failover, guard, testNumbers, name); a config is one provider's, an array, { failover } or { route }" }]],
    ['a bad member deep inside', { route: { default: { failover: [LOX, { provider: 'notificore', sender: 'MyApp', templateId: 12 }] } } }, [{ field: 'route.default.failover.1.apiKey', message: 'is required' }]],
  ];
  it.each(bad)('refuses %s, naming each field by its path', async (_why, config, issues) => {
    const error = await rejectionOf(createProvider(config as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual(issues);
    expectNoSecret(error);
  });

  it('a config with provider is one provider’s, whatever other keys it has', async () => {
    const error = await rejectionOf(createProvider({ ...LOX, route: { default: NC } } as never));
    expect(error.issues).toEqual([{ field: 'route', message: 'is not a known field' }]);
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
    for (const path of ['./polyverify.json', 'config/lox24.json', '/etc/app/verify.json', ' ./padded.json ']) {
      expect((await rejectionOf(providerFromEnv({ POLYVERIFY_CONFIG: path }))).issues).toEqual([
        { field: 'POLYVERIFY_CONFIG', message: 'holds the config itself as JSON, not a path to a file (use the CLI’s --config FILE for a file)' },
      ]);
    }
    // Broken JSON that merely holds a path somewhere is broken JSON.
    for (const text of ['[1, ./polyverify.json', './polyverify.json; rm']) {
      expect((await rejectionOf(providerFromEnv({ POLYVERIFY_CONFIG: text }))).issues).toEqual([{ field: 'POLYVERIFY_CONFIG', message: 'is not valid JSON' }]);
    }
    expectNoSecret(error);
  });

  it('takes an empty variable for an unset one', async () => {
    expect((await rejectionOf(providerFromEnv({ POLYVERIFY_CONFIG: '', POLYVERIFY_PROVIDER: '' }))).issues).toEqual([{ field: 'POLYVERIFY_PROVIDER', message: 'is not set' }]);
  });
});

describe('what a config error says about itself', () => {
  const LOX = { provider: 'lox24', token: SECRETS[0]!, secret: SECRETS[3]! } as const;
  it('is a config error of the config, with every issue in its message', async () => {
    const one = await rejectionOf(createProvider({ provider: 'lox24' } as never));
    expect(one).toMatchObject({ provider: 'config', operation: 'config', message: 'Invalid provider config: token: is required' });
    const composite = await rejectionOf(createProvider({ failover: [LOX], guard: 'strict' } as never));
    expect(composite).toMatchObject({ provider: 'config', operation: 'config', message: 'Invalid provider config: guard: must be an object of guard rules' });
    const key = await rejectionOf(createProvider({ route: { 'x+49': LOX, '@@x.de': LOX } } as never));
    expect(key.issues.map((i: { field: string }) => i.field)).toEqual(['route.x+49', 'route.@@x.de']);
  });

  it('names the vendors an environment may choose, and the variables of each', async () => {
    const env = await rejectionOf(providerFromEnv({ POLYVERIFY_PROVIDER: 'vonage' }));
    expect(env).toMatchObject({ provider: 'config', operation: 'config', message: "Invalid environment: POLYVERIFY_PROVIDER: must be 'lox24', 'notificore', 'messagebird' or 'twilio'" });
    const twilio = await rejectionOf(providerFromEnv({ POLYVERIFY_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` }));
    expect(twilio.message).toBe('Invalid environment: TWILIO_AUTH_TOKEN: is not set; TWILIO_VERIFY_SERVICE_SID: is not set');
    const path = await rejectionOf(providerFromEnv({ POLYVERIFY_CONFIG: './x.json' }));
    expect(path.message).toBe('Invalid environment: POLYVERIFY_CONFIG: holds the config itself as JSON, not a path to a file (use the CLI’s --config FILE for a file)');
    expect([ENV.redisUrl, ENV.lox24['token'], ENV.notificore['apiKey']]).toEqual(['POLYVERIFY_REDIS_URL', 'LOX24_TOKEN', 'NOTIFICORE_API_KEY']);
  });
});

describe('a config that is not an object', () => {
  it.each([['a string', 'lox24'], ['null', null], ['a number', 7]])('refuses %s, naming the vendors', async (_why, config) => {
    const error = await rejectionOf(createProvider(config as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^Invalid provider config: /);
    expect(error.issues[0].message).toMatch(/provider 'lox24', 'notificore', 'messagebird' or 'twilio'|must be/);
  });

  it('refuses a route that is a string', async () => {
    expect((await rejectionOf(createProvider({ route: 'lox24' } as never))).issues).toEqual([
      { field: 'route', message: "must be an object of destinations ('+44', '@', '@example.com', 'default') to provider configs" },
    ]);
  });
});

describe('the same vendor config in two places', () => {
  it('is one provider: listed once, its ids from either way reach it', async () => {
    const { startSimulator } = await import('../../testing/index.js');
    const sim = await startSimulator('lox24');
    try {
      const lox = sim.config();
      const verify = await createProvider({ route: { '+49': lox, default: [lox] } } as never);
      const direct = await verify.start({ to: '+491701234567' });
      const viaDefault = await verify.start({ to: '+33612345678' });
      const listed: string[] = [];
      for await (const v of verify.list()) listed.push(v.id);
      expect(listed.sort()).toEqual([direct.id, viaDefault.id.replace(/^failover:/, '')].sort());
      expect(await verify.check(viaDefault.id, sim.lastCode(viaDefault.id.split(':').pop()!)!)).toEqual({ verified: true, status: 'verified' });
    } finally {
      await sim.close();
    }
  });
});

describe('a config guard', () => {
  const LOX = { provider: 'lox24', token: SECRETS[0]!, secret: SECRETS[3]!, baseUrl: 'http://127.0.0.1:9' } as const;
  it('reports to onEvent and counts in the store’s limits unless limits are given', async () => {
    const taken: string[] = [];
    const limits = { take: async (bucket: string) => (taken.push(`store ${bucket}`), { allowed: false, retryAfterMs: 1000 }), giveBack: async () => undefined };
    const own = { take: async (bucket: string) => (taken.push(`own ${bucket}`), { allowed: false, retryAfterMs: 1000 }), giveBack: async () => undefined };
    const events: string[] = [];
    const store = Object.assign(new MemoryCodeStore(), { limits });
    const guarded = await createProvider({ ...LOX, guard: { perPhone: { max: 1, windowSeconds: 60 } } }, { store, onEvent: (e) => events.push(`${e.type} ${(e as { decision?: string }).decision}`) });
    expect(await rejectionOf(guarded.start({ to: '+491701234567' }))).toMatchObject({ name: 'RateLimitError' });
    const chosen = await createProvider({ failover: [LOX], guard: { perPhone: { max: 1, windowSeconds: 60 } } }, { store, limits: own });
    expect(await rejectionOf(chosen.start({ to: '+491701234567' }))).toMatchObject({ name: 'RateLimitError' });
    expect(taken).toEqual(['store perPhone:0', 'own perPhone:0']);
    expect(events).toEqual(['decision refused']);
  });
});
