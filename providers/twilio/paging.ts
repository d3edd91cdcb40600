/**
 * How Twilio lists: there is no list of verifications, only of their delivery attempts
 * (`GET /v2/Attempts`), in an order Twilio does not document, paged by `PageToken` with
 * `meta.next_page_url`. A verification's attempts all fall within its life (10 minutes) after
 * its first one, so the walk goes back in time slices: the slice [s, e) reads the attempts
 * created in [s − life, e + life) (every page, in whatever order they come), folds them by
 * Verification SID and keeps the verifications whose first attempt is in [s, e) — each one
 * whole, exactly once, in any attempt order. A slice's length adapts to how many it held; the
 * walk ends at `from`, or where no attempt is older.
 */
import * as v from 'valibot';
import { InvalidResponseError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http/index.js';
import type { PagingSpec } from '../../src/adapter/paging.js';
import type { Verification } from '../../src/model.js';
import type { CallOptions } from '../../src/provider.js';
import { TWILIO_LIMITS } from './config.js';
import { TWILIO_API } from './map.js';
import { attemptsPageSchema, attemptSchema, type TwilioAttempt } from './wire.js';

const MINUTE = 60_000;
/** The first slice's length (1 hour). */
export const FIRST_SLICE_MS = 60 * MINUTE;
/** The shortest slice (1 minute): a slice still over `maxAttempts` there is an error. */
export const MIN_SLICE_MS = MINUTE;
/** The longest slice (30 days). */
export const MAX_SLICE_MS = 30 * 24 * 60 * MINUTE;
const LIFE_MS = TWILIO_LIMITS.lifeSeconds.default * 1000;
/** Empty pages in a row that still point on, before a read gives up (each new token is otherwise a page more, forever). */
const MAX_EMPTY_PAGES = 3;

/** Where a walk stands: the end (exclusive, epoch ms) and length of the next slice. */
export const positionSchema = v.object({
  e: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8.64e15)),
  d: v.pipe(v.number(), v.integer(), v.minValue(MIN_SLICE_MS), v.maxValue(MAX_SLICE_MS)),
});
export type Position = v.InferOutput<typeof positionSchema>;

/** A time as the Attempts filters take it: ISO 8601 to the second (`yyyy-MM-ddTHH:mm:ssZ`). */
export function twilioTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface TwilioPagingOptions {
  readonly name: string;
  readonly http: HttpClient;
  readonly serviceSid: string;
  readonly now: () => number;
  /** `PageSize` (1000). */
  readonly pageSize: number;
  /** Attempts one slice may hold before it is halved (50 000). */
  readonly maxAttempts: number;
  /** Parses an attempt (an `InvalidResponseError` of the operation, naming the field of one that does not fit). */
  readonly parse: (raw: unknown, operation: 'list' | 'check' | 'get') => TwilioAttempt;
  /** The verifications of a set of attempts, newest first. */
  readonly fold: (attempts: readonly TwilioAttempt[], raws: readonly unknown[]) => Promise<Verification[]>;
}

/** The attempts a query finds, every page of it: Twilio's pages in any order, `next_page_url` followed on this API only. */
export interface AttemptsRead {
  readonly attempts: TwilioAttempt[];
  readonly raws: unknown[];
}

/** Reading attempts, for the listing and for one verification's story (a check Twilio answered 404). */
export function attemptsReader(o: Pick<TwilioPagingOptions, 'name' | 'http' | 'serviceSid' | 'pageSize' | 'parse'>) {
  /** Every attempt matching `filters`, up to `cap` (more: `undefined`); for `operation` (a check or get reads one verification's). */
  return async function read(filters: Record<string, string>, cap: number, options: CallOptions | undefined, operation: 'list' | 'check' | 'get' = 'list'): Promise<AttemptsRead | undefined> {
    const failure = (message: string) => new InvalidResponseError(`${o.name} ${operation}: ${message}`, { provider: o.name, operation, sent: 'no' });
    const out: AttemptsRead = { attempts: [], raws: [] };
    let params: URLSearchParams | undefined = new URLSearchParams({ VerifyServiceSid: o.serviceSid, PageSize: String(o.pageSize), ...filters });
    const seen = new Set<string>();
    let empties = 0;
    while (params) {
      const key = params.toString();
      if (seen.has(key)) throw failure('Twilio pointed to a page it had already given: the walk would never end');
      seen.add(key);
      const result = await o.http.request({ operation, method: 'GET', path: TWILIO_API.attempts.path, searchParams: params, sends: false, options });
      const page = v.safeParse(attemptsPageSchema, result.body);
      if (!page.success) throw failure("the page does not fit Twilio's Attempts list");
      for (const raw of page.output.attempts) {
        out.attempts.push(o.parse(raw, operation));
        out.raws.push(raw);
      }
      if (out.attempts.length > cap) return undefined;
      params = nextParams(page.output.meta.next_page_url, failure);
      empties = page.output.attempts.length === 0 ? empties + 1 : 0;
      if (params && empties >= MAX_EMPTY_PAGES) throw failure(`Twilio answered ${empties} empty pages in a row that each point to another`);
    }
    return out;
  };
}

/** The query of `next_page_url`, which must be this API's Attempts list. */
function nextParams(url: string | null | undefined, failure: (message: string) => Error): URLSearchParams | undefined {
  if (!url) return undefined;
  let next: URL;
  try {
    next = new URL(url, 'https://verify.twilio.com');
  } catch {
    throw failure('next_page_url is not a URL');
  }
  if (!next.pathname.endsWith(`/${TWILIO_API.attempts.path}`)) throw failure('next_page_url points outside the Attempts list');
  return next.searchParams;
}

/** Twilio's paging for the kit: time slices over the Attempts list. */
export function twilioPaging(o: TwilioPagingOptions): PagingSpec<Position> {
  const read = attemptsReader(o);
  /** The verifications created in [s, e), whole, and whether an attempt older than s was seen. */
  async function slice(s: number, e: number, filters: Record<string, string>, options: CallOptions | undefined) {
    const found = await read({ ...filters, DateCreatedAfter: twilioTime(s - LIFE_MS), DateCreatedBefore: twilioTime(e + LIFE_MS + 999) }, o.maxAttempts, options);
    if (!found) return undefined;
    const verifications = await o.fold(found.attempts, found.raws);
    const older = found.attempts.some((a) => Date.parse(a.date_created) < s);
    return { items: verifications.filter((item) => item.createdAt.getTime() >= s && item.createdAt.getTime() < e), older };
  }
  return {
    position: positionSchema,
    async read(at, { query, limit, options }) {
      const from = query.from?.getTime();
      const e = at?.e ?? (query.to ? query.to.getTime() : o.now() + 1);
      let d = at?.d ?? FIRST_SLICE_MS;
      const filters: Record<string, string> = query.phone ? { 'ChannelData.To': query.phone } : {};
      let got: Awaited<ReturnType<typeof slice>>;
      let s: number;
      for (;;) {
        s = from === undefined ? e - d : Math.max(e - d, from);
        got = await slice(s, e, filters, options);
        if (got) break;
        if (d <= MIN_SLICE_MS) throw new InvalidResponseError(`${o.name} list: more than ${o.maxAttempts} attempts in one minute; raise the listMaxAttempts option`, { provider: o.name, operation: 'list', sent: 'no' });
        d = Math.max(MIN_SLICE_MS, Math.floor(d / 2));
      }
      const target = Math.max(limit ?? 50, 25);
      // Next slice: sized for about `target` verifications, growing or shrinking at most 4× a step.
      const next = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, got.items.length === 0 ? d * 4 : Math.round(Math.min(4, Math.max(0.25, target / got.items.length)) * d)));
      let more: boolean;
      if (from !== undefined) more = s > from;
      else more = got.older || (await read({ ...filters, DateCreatedBefore: twilioTime(s - LIFE_MS + 999), PageSize: '1' }, 0, options)) === undefined;
      return { at: { e, d }, items: got.items, ...(more && { next: { e: s, d: next } }) };
    },
  };
}
