/**
 * Which webhook events were handed to the callback already: vendors deliver at least once
 * (LOX24 up to 4 times), the callback must see each event once. An event is claimed while its
 * callback runs (a lease: a retry that arrives meanwhile is told to come back later), marked
 * done when it succeeded, and released when it failed, so the vendor's retry delivers it.
 */
import { LruMap } from '../lru.js';

/** What {@link SeenStore.claim} found. */
export type Claim = 'new' | 'processing' | 'done';

/** Where delivered event ids live. Each method must be atomic for one id. */
export interface SeenStore {
  /** Claims `id` for `leaseMs` if nobody has; says what it found. */
  claim(id: string, leaseMs: number): Promise<Claim>;
  /** The callback succeeded: `id` is done for `keepMs`. */
  done(id: string, keepMs: number): Promise<void>;
  /** The callback failed: `id` may be delivered again. */
  release(id: string): Promise<void>;
}

/** A {@link SeenStore} in this process: the most recent `limit` event ids (100 000). */
export class MemorySeenStore implements SeenStore {
  readonly #ids: LruMap<string, { state: 'processing' | 'done'; until: number }>;

  constructor(limit = 100_000) {
    this.#ids = new LruMap(limit);
  }

  async claim(id: string, leaseMs: number): Promise<Claim> {
    const now = Date.now();
    const entry = this.#ids.get(id);
    if (entry && entry.until > now) return entry.state;
    this.#ids.set(id, { state: 'processing', until: now + leaseMs });
    return 'new';
  }

  async done(id: string, keepMs: number): Promise<void> {
    this.#ids.set(id, { state: 'done', until: Date.now() + keepMs });
  }

  async release(id: string): Promise<void> {
    this.#ids.set(id, { state: 'done', until: 0 });
  }
}
