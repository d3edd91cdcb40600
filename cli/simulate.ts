/**
 * `polyverify simulate`: every registered vendor's simulator, for local development of a backend.
 */
import { once } from 'node:events';
import type { ProviderConfig } from '../providers/index.js';
import { SIMULATED_VENDORS, startSimulator, type Simulators } from '../testing/index.js';
import type { InboxMessage } from '../testing/inbox.js';
import type { Verification } from '../src/model.js';
import { COMMON_OPTIONS, UsageError, parse } from './context.js';
import type { Command } from './operations.js';

export interface RunningSimulators {
  /** A config per simulator, in registry order. */
  readonly configs: ProviderConfig[];
  readonly simulators: readonly Simulators[keyof Simulators][];
  readonly close: () => Promise<void>;
  readonly lines: string[];
  /** The message last delivered for a verification (its id, routable or not), from whichever simulator sent it. */
  readonly inbox: (verification: Verification) => InboxMessage;
}

/** Starts every registered simulator (on port, port+1, … when port is set) and describes them. */
export async function startAll(port = 0): Promise<RunningSimulators> {
  const simulators = await Promise.all(SIMULATED_VENDORS.map((vendor, index) => startSimulator(vendor, { port: port && port + index })));
  const inbox = (verification: Verification): InboxMessage => {
    const id = verification.id.split(':').pop()!;
    for (const sim of simulators) {
      const message = sim.inbox.last(id);
      if (message) return message;
    }
    throw new Error(`no message was delivered for ${verification.id}`);
  };
  return {
    configs: simulators.map((sim) => sim.config() as ProviderConfig),
    simulators,
    lines: simulators.flatMap((sim) => sim.describe()),
    inbox,
    close: async () => void (await Promise.all(simulators.map((sim) => sim.close()))),
  };
}

export const simulate: Command = async (args, io) => {
  const { values } = parse(args, { help: COMMON_OPTIONS.help, port: { type: 'string' } }, 0);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535 - SIMULATED_VENDORS.length) throw new UsageError(`--port must be a port number (it and the next ${SIMULATED_VENDORS.length - 1} are used)`);
  const sims = await startAll(port);
  io.out(`polyverify simulate: ${sims.simulators.length} vendor simulators on 127.0.0.1 (Ctrl-C stops them)`);
  for (const line of sims.lines) io.out(line);
  io.out('');
  io.out('A config for --config FILE (or POLYVERIFY_CONFIG), trying them in this order:');
  io.out(JSON.stringify(sims.configs, null, 2));
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await sims.close();
  return 0;
};
