/**
 * The built-in vendors, one line each: the vendor's descriptor (configuration) and its
 * simulator (loaded only when asked for). `createProvider`, `providerFromEnv`, the CLI,
 * `polyverify/testing` and the benchmarks read this list; the package's entry points
 * (package.json, tsup, typedoc, tsconfig, vitest) are checked against it by a test.
 * Adding a vendor: one folder under providers/ and one line here.
 */
import { lox24Vendor } from './lox24/config.js';
import { messagebirdVendor } from './messagebird/config.js';
import { notificoreVendor } from './notificore/config.js';

/** The built-in vendors by name: descriptor and simulator loader. */
export const REGISTRY = {
  /** LOX24 verify codes. */
  lox24: {
    /** The descriptor: options, environment, how to create the adapter. */
    vendor: lox24Vendor,
    /** Loads the simulator's class. */
    simulator: () => import('./lox24/simulator.js').then((m) => m.Lox24Simulator),
  },
  /** Notificore 2FA authentications. */
  notificore: {
    /** The descriptor: options, environment, how to create the adapter. */
    vendor: notificoreVendor,
    /** Loads the simulator's class. */
    simulator: () => import('./notificore/simulator.js').then((m) => m.NotificoreSimulator),
  },
  /** Bird (MessageBird) Verify. */
  messagebird: {
    /** The descriptor: options, environment, how to create the adapter. */
    vendor: messagebirdVendor,
    /** Loads the simulator's class. */
    simulator: () => import('./messagebird/simulator.js').then((m) => m.MessagebirdSimulator),
  },
} as const;

/** The built-in vendors' names. */
export type VendorName = keyof typeof REGISTRY;

/** The built-in vendors' descriptors, in registry order. */
export const VENDORS = /* @__PURE__ */ Object.values(REGISTRY).map((entry) => entry.vendor);
