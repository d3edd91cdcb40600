/**
 * Local simulators of the vendors' APIs, for tests, demos and local development.
 * Each runs a `node:http` server on 127.0.0.1; point an adapter's `baseUrl` at its `url`.
 *
 * @example
 * ```ts
 * import { startSimulator } from 'polyverify/testing';
 * import { lox24 } from 'polyverify/lox24';
 * const sim = await startSimulator('lox24');
 * const verify = lox24({ token: sim.token, secret: 'a-secret-of-16+chars', baseUrl: sim.url });
 * const v = await verify.start({ to: '+491701234567' });
 * await verify.check(v.id, sim.lastCode('+491701234567')!); // { verified: true, status: 'verified' }
 * await sim.close();
 * ```
 * @module
 */
import { Lox24Simulator, startLox24Simulator, type Lox24Outcome, type Lox24SimulatorOptions } from '../providers/lox24/simulator.js';
import {
  NotificoreSimulator,
  startNotificoreSimulator,
  type NotificoreOutcome,
  type NotificoreSimulatorOptions,
  type NotificoreTemplate,
} from '../providers/notificore/simulator.js';

import { BirdSimulator, startBirdSimulator, type BirdChannelType, type BirdOutcome, type BirdSimulatorOptions } from '../providers/messagebird/simulator.js';

export { Lox24Simulator, startLox24Simulator, type Lox24Outcome, type Lox24SimulatorOptions };
export { BirdSimulator, startBirdSimulator, type BirdChannelType, type BirdOutcome, type BirdSimulatorOptions };
export { NotificoreSimulator, startNotificoreSimulator, type NotificoreOutcome, type NotificoreSimulatorOptions, type NotificoreTemplate };
export { Inbox, type InboxMessage } from './inbox.js';
export { SimClock, type Fault, type SimRequest, type SimResponse, type SimServerOptions } from './server.js';
export { SimulatorBase } from './base.js';

/** The simulators by vendor name. */
export interface Simulators {
  lox24: { options: Lox24SimulatorOptions; simulator: Lox24Simulator };
  notificore: { options: NotificoreSimulatorOptions; simulator: NotificoreSimulator };
  messagebird: { options: BirdSimulatorOptions; simulator: BirdSimulator };
}

/** Starts the simulator of `vendor` on a free port of 127.0.0.1. */
export function startSimulator<V extends keyof Simulators>(vendor: V, options?: Simulators[V]['options']): Promise<Simulators[V]['simulator']> {
  switch (vendor) {
    case 'lox24':
      return startLox24Simulator(options as Lox24SimulatorOptions) as Promise<Simulators[V]['simulator']>;
    case 'notificore':
      return startNotificoreSimulator(options as NotificoreSimulatorOptions) as Promise<Simulators[V]['simulator']>;
    case 'messagebird':
      return startBirdSimulator(options as BirdSimulatorOptions) as Promise<Simulators[V]['simulator']>;
    default:
      return Promise.reject(new RangeError(`no simulator for vendor '${String(vendor)}'`));
  }
}
