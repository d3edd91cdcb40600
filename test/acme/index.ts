/**
 * "Acme Verify", a made-up fourth vendor, written the way a user would write an adapter for
 * a vendor polyverify does not ship: over `polyverify/adapter`, with a descriptor for
 * `createProvider`. Its simulator is beside it.
 */
import * as v from 'valibot';
import { defineProvider, errorForStatus, setupVendor, type CheckOutcome, type PagingSpec, type VendorDescriptor } from 'polyverify/adapter';
import { InvalidResponseError, type Capabilities, type ProviderOptions, type Verification, type VerificationStatus, type VerifyProvider } from 'polyverify';

const CAPABILITIES: Capabilities = {
  channels: ['sms'],
  recipients: ['phone'],
  codeOwner: 'vendor',
  customCode: false,
  codeLength: { min: 4, max: 8, default: 6 },
  ttlSeconds: { min: 30, max: 600, default: 300 },
  maxAttempts: { min: 1, max: 5, default: 3 },
  resend: false,
  failover: false,
  cancel: 'vendor',
  cost: false,
  reference: true,
  listFilters: { server: [], client: ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'] },
};

const OPTIONS = { apiKey: v.pipe(v.string(), v.minLength(1, 'must not be empty')) };
const STATES: Record<string, VerificationStatus> = { pending: 'pending', approved: 'verified', denied: 'failed', expired: 'expired', canceled: 'canceled' };
const REASONS = { wrong: 'incorrect_code', approved: 'already_verified', denied: 'max_attempts', expired: 'expired', canceled: 'canceled' } as const;
const wireSchema = v.object({ id: v.string(), phone: v.string(), state: v.string(), created: v.number(), expires: v.number(), attempts_left: v.number(), reference: v.nullable(v.string()) });

/** Options of {@link acme}. */
export interface AcmeOptions extends ProviderOptions {
  readonly apiKey: string;
}

/** The descriptor: the one registration a third-party vendor needs. */
export const acmeVendor: VendorDescriptor = {
  name: 'acme',
  title: 'Acme',
  options: OPTIONS,
  env: { apiKey: 'ACME_API_KEY' },
  fromEnv: (read) => ({ apiKey: read('ACME_API_KEY', true) }),
  create: async (config, runtime) => acme({ ...(config as { apiKey: string }), ...runtime }),
};

export function acme(options: AcmeOptions): VerifyProvider {
  const { name, http, shell } = setupVendor(options, acmeVendor, OPTIONS, {
    baseUrl: 'https://api.acme.example',
    credentials: (c) => [c.apiKey],
    authorize: (request, c) => request.headers.set('Authorization', `Bearer ${c.apiKey}`),
    toError: (failure, redactor, provider) => errorForStatus(failure, provider, { message: redactor.scrub(String((failure.body as { error?: unknown })?.error ?? '')) }),
  });
  const toModel = (raw: unknown): Verification => {
    const parsed = v.safeParse(wireSchema, raw);
    if (!parsed.success) throw new InvalidResponseError(`${name}: not an Acme verification`, { provider: name, operation: 'get' });
    const w = parsed.output;
    const status = STATES[w.state] ?? 'pending';
    return {
      id: w.id, provider: name, to: w.phone, status, channels: [{ channel: 'sms' }], attempts: [], deliveredChannel: 'sms',
      maxAttempts: undefined, failedAttempts: undefined, cost: null, reference: w.reference ?? undefined, country: undefined,
      createdAt: new Date(w.created), updatedAt: undefined, expiresAt: new Date(w.expires), finishedAt: undefined, raw,
    };
  };
  const paging: PagingSpec<string> = {
    position: v.string(),
    async read(at, { options: callOptions }) {
      const params = new URLSearchParams({ limit: '2', ...(at && { cursor: at }) });
      const body = (await http.request({ operation: 'list', method: 'GET', path: 'v1/verifications', searchParams: params, sends: false, options: callOptions })).body as { data: unknown[]; next: string | null };
      return { at: at ?? '0', items: body.data.map(toModel), ...(body.next && { next: body.next }) };
    },
  };
  return defineProvider({
    ...shell,
    capabilities: CAPABILITIES,
    id: { pattern: /^[0-9a-f-]{36}$/, what: 'an Acme verification id' },
    defaultChannels: [{ channel: 'sms' }],
    async start(input, callOptions) {
      const json = { phone: input.to, ttl: input.ttlSeconds, attempts: input.maxAttempts, digits: input.codeLength, reference: input.reference };
      return toModel((await http.request({ operation: 'start', method: 'POST', path: 'v1/verifications', json, sends: true, options: callOptions })).body);
    },
    async check(id, code, callOptions): Promise<CheckOutcome> {
      const result = await http.request({ operation: 'check', method: 'POST', path: `v1/verifications/${id}/check`, json: { code }, sends: false, idempotent: false, accept: [404], options: callOptions });
      if (result.status === 404) return { verified: false, reason: 'not_found' };
      const body = result.body as { valid: boolean; reason?: keyof typeof REASONS; verification: unknown };
      const verification = toModel(body.verification);
      if (body.valid) return { verified: true, verification };
      const attemptsRemaining = (body.verification as { attempts_left: number }).attempts_left;
      return { verified: false, reason: REASONS[body.reason ?? 'wrong'], ...(body.reason === 'wrong' && { attemptsRemaining }), verification };
    },
    get: async (id, callOptions) => toModel((await http.request({ operation: 'get', method: 'GET', path: `v1/verifications/${id}`, sends: false, options: callOptions })).body),
    cancel: async (id, callOptions) => toModel((await http.request({ operation: 'cancel', method: 'DELETE', path: `v1/verifications/${id}`, sends: false, options: callOptions })).body),
    paging,
  });
}
