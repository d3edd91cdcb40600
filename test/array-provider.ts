/**
 * An in-memory VerifyProvider for property tests of listing: it pages newest first with
 * opaque cursors like a vendor adapter, but returns items of equal time in a shuffled order
 * (as vendors may), and can be told to fail on a given page.
 */
import type { CallOptions, ListQuery, Verification, VerifyProvider } from '../providers/index.js';
import { ProviderUnavailableError, UnsupportedError } from '../providers/index.js';
import { matchesQuery } from '../src/listing/filters.js';
import type { Page } from '../src/model.js';
import type { PageQuery } from '../src/model.js';
import type { Capabilities } from '../src/provider.js';

const ALL = ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'] as const;

export function arrayProvider(name: string, items: Verification[], options: { shuffleSeed?: number; failOnPage?: number; pageSize?: number } = {}): VerifyProvider & { pagesRead: number } {
  let seed = options.shuffleSeed ?? 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  // Newest first; equal times in a random order, fixed for this provider.
  const ordered = items
    .map((item) => ({ item, r: random() }))
    .sort((a, b) => b.item.createdAt.getTime() - a.item.createdAt.getTime() || a.r - b.r)
    .map(({ item }) => item);
  const unsupported = () => Promise.reject(new UnsupportedError('no', { provider: name, operation: 'get' }));
  const provider = {
    name,
    pagesRead: 0,
    capabilities: undefined as never,
    start: unsupported,
    check: unsupported,
    get: unsupported,
    resend: unsupported,
    failover: unsupported,
    cancel: unsupported,
    async listPage(query: PageQuery = {}, _options?: CallOptions): Promise<Page<Verification>> {
      provider.pagesRead++;
      if (options.failOnPage !== undefined && provider.pagesRead >= options.failOnPage) {
        throw new ProviderUnavailableError(`${name} list: HTTP 503`, { provider: name, operation: 'list', status: 503, retryable: true });
      }
      const { cursor, limit = 25, ...filters } = query;
      const matching = ordered.filter((v) => matchesQuery(v, filters, ALL));
      const start = cursor === undefined ? 0 : Number(cursor);
      const size = options.pageSize ?? limit;
      const page = matching.slice(start, start + size);
      return start + size < matching.length ? { items: page, nextCursor: String(start + size) } : { items: page };
    },
    list(query: ListQuery = {}, callOptions?: CallOptions): AsyncIterable<Verification> {
      return (async function* () {
        let cursor: string | undefined;
        do {
          const page = await provider.listPage({ ...query, ...(cursor !== undefined && { cursor }), limit: 10 }, callOptions);
          yield* page.items;
          cursor = page.nextCursor;
        } while (cursor !== undefined);
      })();
    },
  };
  return provider as VerifyProvider & { pagesRead: number };
}

/** A verification with only what listing looks at. */
export function fakeVerification(provider: string, id: string, createdAt: number, changes: Partial<Verification> = {}): Verification {
  return {
    id,
    provider,
    to: '+491701234567',
    status: 'verified',
    channels: [{ channel: 'sms' }],
    attempts: [],
    deliveredChannel: 'sms',
    maxAttempts: 3,
    failedAttempts: 0,
    cost: null,
    reference: undefined,
    country: undefined,
    createdAt: new Date(createdAt),
    updatedAt: undefined,
    expiresAt: undefined,
    finishedAt: undefined,
    raw: {},
    ...changes,
  };
}

/** The capabilities of a plain SMS member, for tests of composites over hand-made members. */
export const SMS_CAPABILITIES: Capabilities = {
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
  cost: true,
  reference: false,
  listFilters: { server: ['from', 'to', 'status'], client: ['channel', 'phone', 'reference', 'ids'] },
};
