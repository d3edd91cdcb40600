/**
 * Wrong codes counted by polyverify, for a vendor that does not report how many tries are left
 * (Notificore, Twilio): the adapter counts the wrong codes it checks for the verifications it
 * started (it knows their limit and that the count starts at 0), in a `TriesStore`: this
 * process's by default, shared by every instance with `polyverify/redis`.
 *
 * The counts only add to what the vendor says: when the store fails, calls still succeed
 * without them (`attemptsRemaining` and `failedAttempts` left out), and a warning says why.
 */
import type { TriesStore } from '../codes/tries.js';
import type { Operation } from '../errors.js';

/** How long a count is kept past the code's end, so a late `get` still shows it (1 h). */
const RETAIN_MS = 3_600_000;

export interface CountedTries {
  start(id: string, max: number, lifetimeMs: number): Promise<void>;
  /** Tries left after one more wrong code, or undefined (not started here, or the store failed). */
  fail(id: string): Promise<number | undefined>;
  /** Wrong codes counted for each id, or undefined where unknown. */
  failed(ids: readonly string[], operation: Operation): Promise<(number | undefined)[]>;
}

export function countedTries(store: TriesStore, warn: (message: string, operation: Operation) => void): CountedTries {
  const failing = (operation: Operation) => (error: unknown) => {
    warn(`the tries store failed (${error instanceof Error ? error.message : String(error)}); the try counts are left out`, operation);
    return undefined;
  };
  return {
    start: (id, max, lifetimeMs) => store.startTries(id, max, lifetimeMs + RETAIN_MS).catch(failing('start')),
    fail: (id) => store.failTry(id).catch(failing('check')),
    failed: async (ids, operation) => (ids.length === 0 ? [] : ((await store.triesFailed(ids).catch(failing(operation))) ?? ids.map(() => undefined))),
  };
}
