/**
 * The built-in vendors, one line each: the vendor's descriptor (its options, environment
 * variables and lazy adapter loader). `createProvider`, `providerFromEnv` and the CLI read this
 * list; the package's entry points (package.json, tsup, typedoc, tsconfig, vitest) are checked
 * against it by a test. It names no simulator: only `polyverify/testing` loads those, so a
 * production bundle never reaches one. Adding a vendor: one folder under providers/, one line
 * here, and one in testing/index.ts.
 */
import { lox24Vendor } from './lox24/config.js';
import { messagebirdVendor } from './messagebird/config.js';
import { notificoreVendor } from './notificore/config.js';
import { twilioVendor } from './twilio/config.js';

/** The built-in vendors' names. */
export type VendorName = 'lox24' | 'notificore' | 'messagebird' | 'twilio';

/** The built-in vendors' descriptors, by name. */
export const REGISTRY = {
  lox24: lox24Vendor,
  notificore: notificoreVendor,
  messagebird: messagebirdVendor,
  twilio: twilioVendor,
} as const satisfies Record<VendorName, unknown>;

/** The built-in vendors' descriptors, in registry order. */
export const VENDORS = /* @__PURE__ */ Object.values(REGISTRY);
