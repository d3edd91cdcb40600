/**
 * Early starts: how `guard()` sends a start's first store write together with its limit takes
 * instead of after them — one round trip to a shared store (Redis) fewer a start.
 *
 * A provider built by `defineProvider` whose spec has `early` (LOX24: the provisional save of
 * its code) answers {@link earlyStart}: it validates the request as its `start` would and begins
 * that work, outside its `start` span. The guard begins it as it takes its limits, and passes the
 * call options it is given to `start` only if they pass: `start` then skips the validation done
 * and uses the work begun. A refusal (or a failing limit store) releases the work — the
 * provisional record is deleted — and the provider's `start`, its span and the vendor are never
 * reached. Every other provider (a composite, a vendor without early work, one of your own)
 * keeps the plain order: limits, then `start`. Internal.
 */
import type { CallOptions } from './provider.js';
import { handDownParsed } from './validate.js';

/** Work a start began before the guard's verdict. */
export interface EarlyWork {
  /** Undoes the work if the start never used it (a refusal, a failure before it was used); nothing once used. */
  release(): Promise<void>;
}

/** A start begun early: the call options to give its provider's `start`, and the work to release. */
export interface EarlyStart {
  /** Parsed call options that carry the begun start to the provider's `start`. */
  readonly options: CallOptions;
  /** What was begun. */
  readonly work: EarlyWork;
}

/** What `defineProvider` keeps for the `start` the early start leads to. */
export interface Begun<Input = unknown, Body = unknown> {
  /** The request the early start validated: `start` skips validation only for this very request. */
  readonly request: object;
  /** The validated input. */
  readonly input: Input;
  /** The adapter's prepared body (`spec.prepare`). */
  readonly body: Body;
  /** The work begun. */
  readonly work: EarlyWork;
}

type Starter = (request: object, options: CallOptions | undefined) => EarlyStart | undefined;

const STARTER = Symbol('polyverify.earlyStart');
const begun = new WeakMap<object, Begun>();

/** Makes `provider` answer {@link earlyStart} with `starter`. */
export function setEarlyStarter(provider: object, starter: Starter): void {
  Object.defineProperty(provider, STARTER, { value: starter });
}

/** Begins `request` on `provider` early, if it can; `undefined` when it cannot (or the request is invalid: `start` reports that). */
export function earlyStart(provider: object, request: object, options: CallOptions | undefined): EarlyStart | undefined {
  return (provider as { [STARTER]?: Starter })[STARTER]?.(request, options);
}

/** Call options (parsed) carrying `entry` to the provider's `start`. */
export function handBegun(options: CallOptions | undefined, entry: Begun): EarlyStart {
  const handed = handDownParsed({ ...options });
  begun.set(handed, entry);
  return { options: handed, work: entry.work };
}

/** What an early start begun for `request` left with `options`, if any. */
export function begunFor(options: CallOptions | undefined, request: unknown): Begun | undefined {
  const entry = options === undefined ? undefined : begun.get(options);
  return entry?.request === request ? entry : undefined;
}
