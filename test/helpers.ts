import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { VerifyEvent } from '../src/events.js';

/** A JSON fixture under test/fixtures/. */
export function fixture<T = any>(path: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

/** Backoff that keeps retry tests fast. */
export const fastBackoff = { baseMs: 1, maxMs: 5, maxRetryAfterMs: 2_000 } as const;

/** An event sink for `onEvent`. */
export function eventLog(): { events: VerifyEvent[]; onEvent: (event: VerifyEvent) => void } {
  const events: VerifyEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** nock for a test file: no real network, and every interceptor a test set up must have been used. */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
}
