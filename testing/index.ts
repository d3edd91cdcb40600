/**
 * polyverify/testing: local simulators of the vendors' APIs, for tests, demos and local
 * development. Each runs a `node:http` server on 127.0.0.1; point an adapter's `baseUrl` at
 * its `url`, or give `sim.config()` to `createProvider`.
 *
 * @example
 * ```ts
 * import { startSimulator } from 'polyverify/testing';
 * import { lox24 } from 'polyverify/lox24';
 * const sim = await startSimulator('lox24');
 * const verify = lox24({ token: sim.token, secret: 'a-secret-of-16+chars', baseUrl: sim.url });
 * const v = await verify.start({ to: '+491701234567' });
 * await verify.check(v.id, sim.lastCode(v.id)!); // { verified: true, status: 'verified' }
 * await sim.close();
 * ```
 * @module polyverify/testing
 */
import { Lox24Simulator, type Lox24SimulatorOptions } from '../providers/lox24/simulator.js';
import { MessagebirdSimulator, type MessagebirdSimulatorOptions } from '../providers/messagebird/simulator.js';
import { NotificoreSimulator, type NotificoreSimulatorOptions } from '../providers/notificore/simulator.js';
import { TwilioSimulator, type TwilioSimulatorOptions } from '../providers/twilio/simulator.js';

export { SimulatorBase } from './base.js';
export { RecordStore } from './records.js';
export { routeTable } from './router.js';
export { startHostileServer } from './hostile.js';
export { runConformance, type ConformanceTarget } from './conformance.js';
export { openMarket } from './market.js';

// The only place that loads simulators: the production entries never reach this module.
const SIMULATORS = { lox24: Lox24Simulator, notificore: NotificoreSimulator, messagebird: MessagebirdSimulator, twilio: TwilioSimulator } as const satisfies Record<SimulatedVendor, unknown>;

/** The built-in vendors that have a simulator (`keyof Simulators`). */
type SimulatedVendor = keyof Simulators;

/** The simulator of each built-in vendor, by vendor name. */
export interface Simulators {
  /** LOX24's. */
  readonly lox24: Lox24Simulator;
  /** Notificore's. */
  readonly notificore: NotificoreSimulator;
  /** Bird's. */
  readonly messagebird: MessagebirdSimulator;
  /** Twilio's. */
  readonly twilio: TwilioSimulator;
}

/** The options of each vendor's simulator, by vendor name. */
export interface SimulatorOptions {
  /** LOX24's. */
  readonly lox24: Lox24SimulatorOptions;
  /** Notificore's. */
  readonly notificore: NotificoreSimulatorOptions;
  /** Bird's. */
  readonly messagebird: MessagebirdSimulatorOptions;
  /** Twilio's. */
  readonly twilio: TwilioSimulatorOptions;
}

/** The built-in vendors that have a simulator, in registry order. */
export const SIMULATED_VENDORS = Object.keys(SIMULATORS) as SimulatedVendor[];

/** Starts the simulator of `vendor` on a free port of 127.0.0.1 (or `options.port`). */
export async function startSimulator<V extends SimulatedVendor>(vendor: V, options?: SimulatorOptions[V]): Promise<Simulators[V]> {
  const Simulator = (SIMULATORS as Partial<typeof SIMULATORS>)[vendor] as unknown as { start(options?: SimulatorOptions[V]): Promise<Simulators[V]> } | undefined;
  if (!Simulator) throw new RangeError(`no simulator for vendor '${String(vendor)}'`);
  return Simulator.start(options);
}
