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
import { REGISTRY, type VendorName } from '../providers/registry.js';

export { Inbox, type InboxMessage } from './inbox.js';
export { SimClock, type Fault, type SimRequest, type SimResponse, type SimServerOptions } from './server.js';
export { SimulatorBase, type SeedInput, type SimulatedAt, type SimulatorConfig } from './base.js';
export { startHostileServer, type HostileBehaviour, type HostileOptions, type HostileRequest, type HostileRoute, type HostileServer } from './hostile.js';
export { conformanceCases, runConformance, type ConformanceCase, type ConformanceHarness, type ConformanceTarget, type InvalidStart } from './conformance.js';
export { REGISTRY, type VendorName } from '../providers/registry.js';

/** The simulator class of a built-in vendor. */
export type SimulatorClass<V extends VendorName> = Awaited<ReturnType<(typeof REGISTRY)[V]['simulator']>>;

/** The simulator of each built-in vendor, by vendor name. */
export type Simulators = { [V in VendorName]: Awaited<ReturnType<SimulatorClass<V>['start']>> };

/** The options of each vendor's simulator, by vendor name. */
export type SimulatorOptions = { [V in VendorName]: NonNullable<Parameters<SimulatorClass<V>['start']>[0]> };

/** The built-in vendors that have a simulator, in registry order. */
export const SIMULATED_VENDORS = Object.keys(REGISTRY) as VendorName[];

/** Starts the simulator of `vendor` on a free port of 127.0.0.1 (or `options.port`). */
export async function startSimulator<V extends VendorName>(vendor: V, options?: SimulatorOptions[V]): Promise<Simulators[V]> {
  const entry = (REGISTRY as Partial<typeof REGISTRY>)[vendor];
  if (!entry) throw new RangeError(`no simulator for vendor '${String(vendor)}'`);
  const Simulator = (await entry.simulator()) as unknown as { start(options?: SimulatorOptions[V]): Promise<Simulators[V]> };
  return Simulator.start(options);
}
