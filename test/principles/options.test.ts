/**
 * Each vendor's options are written once: the valibot schema checks them, `XOptions` documents
 * them, and `XConfig` is derived from `XOptions`. This file fails to compile (`npm run
 * typecheck`) when a field of the schema and of the documented type differ in name, optionality
 * or type; the runtime test says which vendors it covers.
 */
import type * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { LOX24_OPTIONS, type Lox24Config } from '../../providers/lox24/config.js';
import { MESSAGEBIRD_OPTIONS, type MessagebirdConfig } from '../../providers/messagebird/config.js';
import { NOTIFICORE_OPTIONS, type NotificoreConfig } from '../../providers/notificore/config.js';
import { TWILIO_OPTIONS, type TwilioConfig } from '../../providers/twilio/config.js';
import type { CommonConfig } from '../../src/config.js';
// @ts-expect-error: a plain .mjs helper shared with the build
import { vendors } from '../../scripts/entries.mjs';

/** Arrays compare without their readonly-ness (the documented types are readonly). */
type Plain<T> = T extends readonly (infer U)[] ? U[] : T;
/** The fields of the schema that the documented type has not (or not with the same type), and the other way round. */
type Mismatch<Entries extends v.ObjectEntries, Config> = {
  [K in keyof Schema<Entries> | keyof Own<Config>]-?: K extends keyof Schema<Entries>
    ? K extends keyof Own<Config>
      ? [Schema<Entries>[K]] extends [Plain<Own<Config>[K]>]
        ? [Plain<Own<Config>[K]>] extends [Schema<Entries>[K]]
          ? never
          : K
        : K
      : K
    : K;
}[keyof Schema<Entries> | keyof Own<Config>];
type Schema<Entries extends v.ObjectEntries> = v.InferInput<v.ObjectSchema<Entries, undefined>>;
type Own<Config> = Omit<Config, 'provider' | keyof CommonConfig>;

describe('vendor options', () => {
  it('the schema and the documented type have the same fields, for every vendor', () => {
    expectTypeOf<Mismatch<typeof LOX24_OPTIONS, Lox24Config>>().toEqualTypeOf<never>();
    expectTypeOf<Mismatch<typeof NOTIFICORE_OPTIONS, NotificoreConfig>>().toEqualTypeOf<never>();
    expectTypeOf<Mismatch<typeof MESSAGEBIRD_OPTIONS, MessagebirdConfig>>().toEqualTypeOf<never>();
    expectTypeOf<Mismatch<typeof TWILIO_OPTIONS, TwilioConfig>>().toEqualTypeOf<never>();
    // The check can fail: a field the schema has not, or of another type.
    expectTypeOf<Mismatch<typeof LOX24_OPTIONS, Lox24Config & { readonly extra?: string }>>().toEqualTypeOf<'extra'>();
    expectTypeOf<Mismatch<typeof LOX24_OPTIONS, Omit<Lox24Config, 'ttlSeconds'> & { readonly ttlSeconds?: string }>>().toEqualTypeOf<'ttlSeconds'>();
    expect([...(vendors as string[])].sort()).toEqual(['lox24', 'messagebird', 'notificore', 'twilio']);
  });
});
