/**
 * Twilio's configuration: its capabilities, every option's refusal, the credential pairs, the
 * environment, the runtime's store as the tries store, the start extras, and every language of
 * its default template (simulator.test.ts sends each).
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { builtIn } from '../../../providers/built-in.js';
import { decideLocale } from '../../../src/locale.js';
import { createProvider } from '../../../providers/index.js';
import { TWILIO_BASE_URL, TWILIO_LANGUAGES, credentialIssues } from '../../../providers/twilio/config.js';
import { twilio, type TwilioOptions } from '../../../providers/twilio/index.js';
import { rejectionOf, useNock } from '../../helpers.js';
import { PATHS, responseExample } from './spec.js';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const KEY = `SK${'b'.repeat(32)}`;
const SERVICE = `VA${'a'.repeat(32)}`;
const base = { accountSid: ACCOUNT, authToken: 'token-0123456789', serviceSid: SERVICE };

function issues(options: Record<string, unknown>) {
  try {
    twilio({ ...base, ...options } as TwilioOptions);
  } catch (error) {
    return (error as { issues: unknown }).issues;
  }
  return [];
}

useNock();

describe('capabilities', () => {
  it('say what Twilio can and cannot do; a code of your own only with customCode', () => {
    const caps = twilio(base).capabilities;
    expect(caps).toEqual({
      channels: ['sms', 'voice', 'whatsapp', 'email'],
      recipients: ['phone', 'email'],
      codeOwner: 'vendor',
      customCode: false,
      codeLength: { min: 4, max: 10, default: 6 },
      ttlSeconds: { min: 600, max: 600, default: 600 },
      maxAttempts: { min: 5, max: 5, default: 5 },
      resend: true,
      failover: false,
      cancel: 'vendor',
      cost: true,
      reference: false,
      languages: TWILIO_LANGUAGES,
      listFilters: { server: ['from', 'to', 'phone'], client: ['status', 'channel', 'reference', 'ids'] },
    });
    expect(twilio({ ...base, customCode: true }).capabilities.customCode).toBe(true);
    expect(TWILIO_LANGUAGES).toHaveLength(43);
  });

  it("the language of a start without locale, as docs/languages.md's table says", () => {
    const numbers = ['+447700900123', '+491701234567', '+48601234567', '+33612345678', '+5511912345678', '+302101234567', '+81312345678', '+380501234567'];
    expect(numbers.map((to) => decideLocale({ requested: undefined, fallback: undefined, to }, TWILIO_LANGUAGES))).toEqual(['en', 'de', 'pl', 'fr', 'pt', 'el', 'ja', 'uk']);
    expect(decideLocale({ requested: undefined, fallback: undefined, to: { email: 'a@b.example' } }, TWILIO_LANGUAGES)).toBe('en');
    expect(decideLocale({ requested: undefined, fallback: 'fr', to: '+491701234567' }, TWILIO_LANGUAGES)).toBe('fr');
  });
});

describe('options', () => {
  it('refuses each malformed option, naming it', () => {
    expect(issues({ accountSid: 7 })).toEqual([{ field: 'accountSid', message: 'must be a string' }]);
    expect(issues({ authToken: '' })).toEqual([{ field: 'authToken', message: 'must not be empty' }]);
    expect(issues({ accountSid: undefined, authToken: undefined, apiKeySid: 'SK1', apiKeySecret: 's' })).toEqual([{ field: 'apiKeySid', message: 'must be an API Key SID (SK and 32 hex digits)' }]);
    expect(issues({ accountSid: `x${ACCOUNT}` })).toEqual([{ field: 'accountSid', message: 'must be an Account SID (AC and 32 hex digits)' }]);
    expect(issues({ customCode: 'yes' })).toEqual([{ field: 'customCode', message: 'must be true or false' }]);
    expect(issues({ channels: 'sms' })).toEqual([{ field: 'channels', message: 'must be an array of steps' }]);
    expect(issues({ listPageSize: 1001 })).toEqual([{ field: 'listPageSize', message: expect.stringContaining('1000') }]);
    expect(issues({ listMaxAttempts: 999 })).toEqual([{ field: 'listMaxAttempts', message: expect.stringContaining('1000') }]);
    expect(issues({ now: 5 })).toEqual([{ field: 'now', message: 'must be a function' }]);
  });

  it('wants one whole pair of credentials', () => {
    expect(credentialIssues({ apiKeySid: KEY, apiKeySecret: 's' })).toEqual([]);
    expect(credentialIssues({ accountSid: ACCOUNT, authToken: 't' })).toEqual([]);
    expect(credentialIssues({ apiKeySid: KEY })).toEqual([{ field: 'apiKeySecret', message: 'is required with apiKeySid' }]);
    expect(credentialIssues({ authToken: 't' })).toEqual([{ field: 'accountSid', message: 'is required (with authToken), or give apiKeySid + apiKeySecret' }]);
    expect(credentialIssues({ authToken: 't', apiKeySecret: 's' })).toEqual([{ field: 'apiKeySid', message: 'give one pair of credentials: accountSid + authToken, or apiKeySid + apiKeySecret' }]);
  });

  it('takes templateSid and appHash only in their forms, and says so', async () => {
    const p = twilio(base);
    for (const vendor of [{ templateSid: `xHJ${'a'.repeat(32)}` }, { templateSid: `HJ${'a'.repeat(32)}x` }, { appHash: 'AAAAAAAAAAAA' }, { appHash: 'xAAAAAAAAAA!' }, { friendlyName: 'x'.repeat(31) }]) {
      expect(await rejectionOf(p.start({ to: '+15017122661', vendor })), JSON.stringify(vendor)).toMatchObject({
        issues: [{ field: 'vendor', message: 'Twilio takes friendlyName (1–30 characters), templateSid (HJ…) and appHash (11 characters) only' }],
      });
    }
  });
});

describe('the environment', () => {
  const config = (env: Record<string, string>) => builtIn.configFromEnv({ POLYVERIFY_PROVIDER: 'twilio', TWILIO_VERIFY_SERVICE_SID: SERVICE, ...env });

  it('an Account SID and Auth Token, or an API key and secret; a base URL when set', () => {
    expect(config({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: 't' })).toEqual({ provider: 'twilio', accountSid: ACCOUNT, authToken: 't', serviceSid: SERVICE });
    expect(config({ TWILIO_API_KEY: KEY, TWILIO_API_SECRET: 's', TWILIO_BASE_URL: 'http://127.0.0.1:1' })).toEqual({ provider: 'twilio', apiKeySid: KEY, apiKeySecret: 's', serviceSid: SERVICE, baseUrl: 'http://127.0.0.1:1' });
  });

  it('names what is missing, and refuses both pairs at once', () => {
    expect(() => config({ TWILIO_API_KEY: KEY })).toThrow('Invalid environment: TWILIO_API_SECRET: is not set');
    expect(() => config({ TWILIO_API_KEY: KEY, TWILIO_API_SECRET: 's', TWILIO_AUTH_TOKEN: 't' })).toThrow('Invalid environment: TWILIO_AUTH_TOKEN: is set as well as TWILIO_API_KEY: give one pair of credentials');
    expect(() => config({ TWILIO_AUTH_TOKEN: 't' })).toThrow('Invalid environment: TWILIO_ACCOUNT_SID: is not set');
  });

  it("a config's provider uses the runtime's store for its wrong-code counts", async () => {
    const calls: string[] = [];
    const store = { startTries: async () => void calls.push('startTries'), failTry: async () => (calls.push('failTry'), 3), triesFailed: async (keys: readonly string[]) => keys.map(() => 2) };
    const p = await createProvider({ provider: 'twilio', ...base, retries: 0 }, { store: store as never });
    nock(TWILIO_BASE_URL).post(`/v2/Services/${SERVICE}/Verifications`).reply(201, responseExample(PATHS.verifications, 'post', 201, 'createVerification'));
    await p.start({ to: '+15017122661' });
    expect(calls).toEqual(['startTries']);
  });
});
