/**
 * Listing across providers: one stream or page of every provider's verifications, merged
 * newest first, with one cursor that resumes every provider exactly.
 */
import { base64urlEncode } from '../bytes.js';
import { sha256Bytes } from '../crypto.js';
import * as v from 'valibot';
import { InvalidResponseError, ValidationError } from '../errors.js';
import type { ListQuery, Page, PageQuery, Verification } from '../model.js';
import type { CallOptions, VerifyProvider } from '../provider.js';
import { invalid, parseListQuery, type ParseContext } from '../validate.js';
import { combinedCursorKey, decodeCursor, encodeCursor } from './cursor.js';
import { queryFor } from './filters.js';

/**
 * The order of merged lists: newest `createdAt` first; equal times by provider name, then
 * by id (both ascending).
 */
export function compareNewestFirst(a: Verification, b: Verification): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A provider left out of a merged list because it failed (`onProviderError: 'skip'`). */
export interface SkippedProvider {
  /** The provider left out. */
  readonly provider: string;
  /** Why: its typed error. */
  readonly error: Error;
}

/** Options of {@link listAcross} and {@link listAcrossPage}. */
export interface AcrossOptions extends CallOptions {
  /**
   * `'fail'` (default): a provider whose page fails (after its retries) fails the whole
   * call with its typed error. `'skip'`: it is left out and reported in `skipped`.
   */
  readonly onProviderError?: 'fail' | 'skip';
  /**
   * The secret that signs {@link listAcrossPage}'s cursors (16 characters or more). By default
   * the key is derived from the providers' own cursor keys (their `cursorSecret`, else their
   * credentials), so every instance of one backend reads the others' cursors and a client
   * cannot forge one. A provider written by hand has no key: give `cursorSecret` then, or the
   * merged cursor is checked by a checksum only (each adapter's cursor inside stays signed).
   */
  readonly cursorSecret?: string;
}

/** The merged stream of {@link listAcross}; `skipped` fills as providers are left out. */
export interface AcrossIterable extends AsyncIterable<Verification> {
  /** Providers left out so far (with `onProviderError: 'skip'`). */
  readonly skipped: readonly SkippedProvider[];
}

/** A merged page; `skipped` names the providers left out of this walk. */
export interface AcrossPage extends Page<Verification> {
  /** Providers left out of this walk (with `onProviderError: 'skip'`). */
  readonly skipped: readonly SkippedProvider[];
}

/** Where a provider's page came from: its listPage cursor (undefined: the first page) and a sequence number. */
interface PageTag {
  readonly cursor: string | undefined;
  readonly seq: number;
}
interface Tagged {
  readonly verification: Verification;
  readonly page: PageTag;
}

const FIRST_PAGE: PageTag = { cursor: undefined, seq: 0 };

/**
 * A provider's items in order, with where each came from: `take()` hands out what is
 * buffered (no promise per item), `load()` reads more (false at the end).
 */
interface Source {
  take(): Tagged | undefined;
  load(): Promise<boolean>;
  /** Where the items not read yet start: a page start cursor, or `null` at the end. */
  readonly rest: PageTag | null;
}

/** A source over whole batches of verifications (`pages()`, or one-item batches of `list()`). */
function batchSource(batches: AsyncIterable<readonly Verification[]>): Source {
  const iterator = batches[Symbol.asyncIterator]();
  let buffer: readonly Verification[] = [];
  let index = 0;
  return {
    take: () => (index < buffer.length ? { verification: buffer[index++]!, page: FIRST_PAGE } : undefined),
    async load() {
      const step = await iterator.next();
      if (step.done) return false;
      buffer = step.value;
      index = 0;
      return true;
    },
    rest: FIRST_PAGE,
  };
}

async function* oneByOne(items: AsyncIterable<Verification>): AsyncGenerator<readonly Verification[]> {
  for await (const item of items) yield [item];
}

/** The stream of a provider: its `pages()` when it has them, else its `list()`. */
function streamSource(provider: VerifyProvider, query: ListQuery, options: CallOptions): Source {
  return batchSource(provider.pages ? provider.pages(query, options) : oneByOne(provider.list(query, options)));
}

function pageSource(provider: VerifyProvider, query: ListQuery, start: string | undefined, limit: number, options: CallOptions): Source {
  let page: Page<Verification> | undefined;
  let tag: PageTag = { cursor: start, seq: 0 };
  let index = 0;
  const source: Source & { rest: PageTag | null } = {
    rest: tag,
    take() {
      if (!page || index >= page.items.length) return undefined;
      const verification = page.items[index++]!;
      source.rest = index < page.items.length ? tag : page.nextCursor !== undefined ? { cursor: page.nextCursor, seq: tag.seq + 1 } : null;
      return { verification, page: tag };
    },
    async load() {
      if (page) {
        if (page.nextCursor === undefined) {
          source.rest = null;
          return false;
        }
        tag = { cursor: page.nextCursor, seq: tag.seq + 1 };
      }
      // The very first page holds one item: resuming before a cursor exists means starting the
      // provider's walk over (costly for a vendor listed client-side), so get a cursor at once.
      const size = tag.cursor === undefined ? 1 : limit;
      page = await provider.listPage({ ...query, ...(tag.cursor !== undefined && { cursor: tag.cursor }), limit: size }, options);
      index = 0;
      return true;
    },
  };
  return source;
}

/** What a lane has already given out: the last time and, at that time, the last id. */
interface Anchor {
  readonly at: number;
  readonly id: string;
}

/**
 * One provider's lane of the merge: its items newest first, equal times sorted by id (a
 * group of equal times is read whole, so ties across a page boundary sort too), items at or
 * before `consumed` skipped, and the order checked.
 */
class Lane {
  readonly name: string;
  readonly #source: Source;
  #group: Tagged[] = [];
  #pending: Tagged | undefined;
  #done = false;
  #previousAt = Number.POSITIVE_INFINITY;
  anchor: Anchor | undefined;
  failed: Error | undefined;

  constructor(name: string, source: Source, consumed: Anchor | undefined) {
    this.name = name;
    this.#source = source;
    this.anchor = consumed;
  }

  /** Whether `head()` would have to read from the provider. */
  get needsRead(): boolean {
    return this.#group.length === 0 && !(this.#done && !this.#pending);
  }

  /** The next item, reading as far as the end of its group of equal times. */
  async head(): Promise<Verification | undefined> {
    if (this.#group.length === 0) await this.#fill();
    return this.#group[0]?.verification;
  }

  /** The next item already read, without reading. */
  peek(): Verification | undefined {
    return this.#group[0]?.verification;
  }

  take(): Verification {
    const { verification } = this.#group.shift()!;
    this.anchor = { at: verification.createdAt.getTime(), id: verification.id };
    return verification;
  }

  /** Where a resumed walk must start reading this lane, or `null` when it has nothing more. */
  get resumeAt(): PageTag | null {
    const buffered = [...this.#group, ...(this.#pending ? [this.#pending] : [])];
    if (buffered.length > 0) return buffered.reduce((a, b) => (b.page.seq < a.page.seq ? b : a)).page;
    return this.#done ? null : this.#source.rest;
  }

  /** The next item not consumed yet from what is buffered; undefined when more must be loaded. */
  #take(): Tagged | undefined {
    for (let item = this.#source.take(); item; item = this.#source.take()) {
      const at = item.verification.createdAt.getTime();
      if (at > this.#previousAt) {
        throw new InvalidResponseError(`${this.name} list: a newer verification came after an older one; listing across providers needs each provider newest first`, {
          provider: this.name,
          operation: 'list',
          sent: 'no',
        });
      }
      this.#previousAt = at;
      const consumed = this.anchor && (at > this.anchor.at || (at === this.anchor.at && item.verification.id <= this.anchor.id));
      if (!consumed) return item;
    }
    return undefined;
  }

  async #read(): Promise<Tagged | undefined> {
    for (;;) {
      const item = this.#take();
      if (item) return item;
      if (!(await this.#source.load())) return undefined;
    }
  }

  async #fill(): Promise<void> {
    if (this.#done && !this.#pending) return;
    const first = this.#pending ?? this.#take() ?? (await this.#read());
    this.#pending = undefined;
    if (!first) {
      this.#done = true;
      return;
    }
    const group = [first];
    const at = first.verification.createdAt.getTime();
    for (;;) {
      const item = this.#take() ?? (await this.#read());
      if (!item) {
        this.#done = true;
        break;
      }
      if (item.verification.createdAt.getTime() === at) group.push(item);
      else {
        this.#pending = item;
        break;
      }
    }
    group.sort((a, b) => (a.verification.id < b.verification.id ? -1 : a.verification.id > b.verification.id ? 1 : 0));
    this.#group = group;
  }
}

/** Runs `work` on a lane; a failure either propagates or, with 'skip', retires the lane. */
async function guarded<T>(lane: Lane, work: () => Promise<T>, mode: 'fail' | 'skip', skipped: SkippedProvider[]): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (mode === 'fail' || error instanceof ValidationError) throw error;
    lane.failed = error instanceof Error ? error : new Error(String(error));
    skipped.push({ provider: lane.name, error: lane.failed });
    return undefined;
  }
}

/**
 * The lane whose head comes first. Lanes with nothing buffered read first (together); the
 * others are compared as they stand, so the usual step costs no promise at all.
 */
async function nextLane(lanes: Lane[], mode: 'fail' | 'skip', skipped: SkippedProvider[]): Promise<Lane | undefined> {
  const reading = lanes.filter((lane) => !lane.failed && lane.needsRead);
  if (reading.length) await Promise.all(reading.map((lane) => guarded(lane, () => lane.head(), mode, skipped)));
  let best: Lane | undefined;
  let bestHead: Verification | undefined;
  for (const lane of lanes) {
    if (lane.failed) continue;
    const head = lane.peek();
    if (head && (!bestHead || compareNewestFirst(head, bestHead) < 0)) {
      best = lane;
      bestHead = head;
    }
  }
  return best;
}

const ACROSS = 'listAcross';

function acrossContext(): ParseContext {
  return { provider: ACROSS, operation: 'list', summary: 'Invalid list query' };
}

function checkProviders(providers: readonly VerifyProvider[]): void {
  const names = providers.map((p) => p.name);
  if (names.length === 0) invalid([{ field: 'providers', message: 'must name at least one provider' }], acrossContext());
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) invalid([{ field: 'providers', message: `has two providers named '${duplicate}'; give each a distinct name` }], acrossContext());
}

/**
 * Every verification of every provider matching `query`, merged newest first (equal times
 * by provider name, then id). Each provider's pages are fetched lazily, one page ahead, so
 * memory stays flat however long the list.
 *
 * @example
 * ```ts
 * for await (const v of listAcross([lox, nc, bird], { from, status: 'verified' })) console.log(v.provider, v.id);
 * ```
 */
export function listAcross(providers: readonly VerifyProvider[], query: ListQuery = {}, options: AcrossOptions = {}): AcrossIterable {
  const skipped: SkippedProvider[] = [];
  const { onProviderError = 'fail', cursorSecret: _unused, ...callOptions } = options;
  return {
    skipped,
    async *[Symbol.asyncIterator]() {
      checkProviders(providers);
      const filters = parseListQuery(query, acrossContext());
      const names = providers.map((provider) => provider.name);
      const lanes = providers.flatMap((provider) => {
        const own = queryFor(filters, provider.name, names);
        return own ? [new Lane(provider.name, streamSource(provider, own, callOptions), undefined)] : [];
      });
      for (;;) {
        const lane = await nextLane(lanes, onProviderError, skipped);
        if (!lane) return;
        yield lane.take();
      }
    },
  };
}

const laneStateSchema = v.object({
  c: v.optional(v.pipe(v.string(), v.maxLength(16_384))),
  a: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(-8.64e15), v.maxValue(8.64e15))),
  k: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  d: v.optional(v.literal(1)),
  x: v.optional(v.literal(1)),
});
const acrossCursorSchema = v.object({ q: v.string(), p: v.record(v.string(), laneStateSchema) });
type LaneState = v.InferOutput<typeof laneStateSchema>;

function queryKey(query: ListQuery): string {
  const plain = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return base64urlEncode(sha256Bytes(JSON.stringify(plain))).slice(0, 12);
}

/**
 * One merged page, newest first, and a cursor that encodes every provider's position. The
 * cursor is versioned and checked: one from another query or another set of providers is a
 * `ValidationError`. Resuming yields exactly what full iteration would have yielded next.
 *
 * @example
 * ```ts
 * const page = await listAcrossPage([lox, nc, bird], { from, limit: 50, cursor: req.query.cursor });
 * res.json({ items: page.items, next: page.nextCursor });
 * ```
 */
export async function listAcrossPage(providers: readonly VerifyProvider[], query: PageQuery = {}, options: AcrossOptions = {}): Promise<AcrossPage> {
  checkProviders(providers);
  const { cursor, limit = 25, ...filters } = parseListQuery(query, acrossContext());
  const { onProviderError = 'fail', cursorSecret, ...callOptions } = options;
  if (cursorSecret !== undefined && (typeof cursorSecret !== 'string' || cursorSecret.length < 16)) {
    invalid([{ field: 'options.cursorSecret', message: 'must be a string of at least 16 characters' }], acrossContext());
  }
  const signingKey = combinedCursorKey(providers, ACROSS, cursorSecret);
  const key = queryKey(filters);
  const names = providers.map((p) => p.name);
  let states: Record<string, LaneState> = {};
  if (cursor !== undefined) {
    const decoded = decodeCursor(cursor, ACROSS, acrossCursorSchema, acrossContext(), signingKey);
    const sameProviders = Object.keys(decoded.p).sort().join('\n') === [...names].sort().join('\n');
    if (decoded.q !== key || !sameProviders) invalid([{ field: 'cursor', message: 'belongs to another query or another set of providers' }], acrossContext());
    states = decoded.p;
  }
  const skipped: SkippedProvider[] = [];
  // A lane resumes at the start of the provider page holding its first item not yet given out:
  // pages near the merged page's size keep that re-read small, and hold a group of equal times.
  const providerLimit = Math.min(100, Math.max(10, limit));
  const lanes: Lane[] = [];
  for (const provider of providers) {
    const state = states[provider.name] ?? {};
    if (state.x) skipped.push({ provider: provider.name, error: new Error('failed earlier in this walk; left out of it') });
    if (state.d || state.x) continue;
    const anchor = state.a !== undefined && state.k !== undefined ? { at: state.a, id: state.k } : undefined;
    const own = queryFor(filters, provider.name, names);
    if (own) lanes.push(new Lane(provider.name, pageSource(provider, own, state.c, providerLimit, callOptions), anchor));
  }
  const items: Verification[] = [];
  while (items.length < limit) {
    const lane = await nextLane(lanes, onProviderError, skipped);
    if (!lane) break;
    items.push(lane.take());
  }
  // Look one item ahead in every lane, so a walk that has ended gets no cursor.
  const more = (await nextLane(lanes, onProviderError, skipped)) !== undefined;
  if (!more) return { items, skipped };
  const next: Record<string, LaneState> = {};
  for (const provider of providers) {
    const lane = lanes.find((l) => l.name === provider.name);
    const previous = states[provider.name] ?? {};
    if (!lane) next[provider.name] = previous;
    else if (lane.failed) next[provider.name] = { x: 1 };
    else {
      const at = lane.resumeAt;
      next[provider.name] =
        at === null
          ? { d: 1 }
          : { ...(at.cursor !== undefined && { c: at.cursor }), ...(lane.anchor && { a: lane.anchor.at, k: lane.anchor.id }) };
    }
  }
  return { items, nextCursor: encodeCursor(ACROSS, { q: key, p: next }, signingKey), skipped };
}
