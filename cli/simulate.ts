/**
 * `polyverify simulate`: every registered vendor's simulator, for local development of a backend.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { ProviderConfig } from '../providers/index.js';
import { SIMULATED_VENDORS, startSimulator, type Simulators } from '../testing/index.js';
import type { InboxMessage } from '../testing/inbox.js';
import type { Fault } from '../testing/server.js';
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

/** A UUID that is the same for the same name: ids of a simulator started on a fixed port. */
function stableUuid(name: string): string {
  const hex = createHash('sha256').update(`polyverify-simulate:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The options of each simulator: on a fixed port, fixed ids too, so a saved config keeps working. */
function optionsFor(vendor: string, port: number): Record<string, unknown> {
  if (port === 0) return {};
  if (vendor !== 'messagebird') return { port };
  const id = (what: string) => stableUuid(`${port}:${what}`);
  return { port, workspaceId: id('workspace'), ids: { smsNavigatorId: id('sms-navigator'), smsChannelId: id('sms-channel'), whatsappChannelId: id('whatsapp-channel'), emailChannelId: id('email-channel') } };
}

/** Starts every registered simulator (on port, port+1, … when port is set) and describes them. */
export async function startAll(port = 0): Promise<RunningSimulators> {
  const started = await Promise.allSettled(SIMULATED_VENDORS.map((vendor, index) => startSimulator(vendor, optionsFor(vendor, port && port + index) as never)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    const error = failed.reason as NodeJS.ErrnoException;
    if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
      throw new UsageError(`cannot listen on 127.0.0.1 port ${port}–${port + SIMULATED_VENDORS.length - 1} (${error.code === 'EADDRINUSE' ? 'a port is in use' : 'not allowed'}): choose another --port, or leave it out for free ports`);
    }
    throw error;
  }
  const simulators = started.map((r) => (r as PromiseFulfilledResult<Simulators[keyof Simulators]>).value);
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

/** The flags of `simulate`. */
export const SIMULATE_OPTIONS = { help: COMMON_OPTIONS.help, json: COMMON_OPTIONS.json, debug: COMMON_OPTIONS.debug, port: { type: 'string' }, fail: { type: 'string', multiple: true } } as const;

/**
 * How `--fail VENDOR=HOW` makes a simulated vendor fail, on every request it applies to:
 * a refusal that proves nothing was sent (a failover moves on), or `down` (503: a send may have
 * gone out, so a failover stops — as it must with a real vendor).
 */
const FAILURES: Readonly<Record<string, Fault>> = {
  auth: { refuse: 'auth', times: Infinity },
  funds: { refuse: 'funds', times: Infinity },
  'rate-limit': { refuse: 'rate-limit', times: Infinity },
  down: { status: 503, body: { message: 'Service Unavailable' }, times: Infinity },
};

/** The faults `--fail` asks for, by vendor; a bad one is a usage error naming what is allowed. */
function failuresOf(flags: readonly string[] | undefined): Map<string, Fault[]> {
  const byVendor = new Map<string, Fault[]>();
  for (const flag of flags ?? []) {
    const [vendor, how] = flag.split('=');
    const fault = how === undefined ? undefined : FAILURES[how];
    if (!vendor || !(SIMULATED_VENDORS as string[]).includes(vendor) || !fault) {
      throw new UsageError(`--fail must be VENDOR=HOW with VENDOR ${SIMULATED_VENDORS.join(', ')} and HOW ${Object.keys(FAILURES).join(', ')} (e.g. --fail lox24=funds)`);
    }
    byVendor.set(vendor, [...(byVendor.get(vendor) ?? []), fault]);
  }
  return byVendor;
}

export const simulate: Command = async (args, io) => {
  const { values } = parse(args, SIMULATE_OPTIONS, 0);
  const port = values.port === undefined ? 0 : /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535 - SIMULATED_VENDORS.length) throw new UsageError(`--port must be a port number (it and the next ${SIMULATED_VENDORS.length - 1} are used)`);
  const failures = failuresOf(values.fail);
  const sims = await startAll(port);
  // With --json, stdout carries JSON only: the config, then one line per code delivered; people's lines go to stderr.
  const say = values.json ? io.err : io.out;
  say(`polyverify simulate: ${sims.simulators.length} vendor simulators on 127.0.0.1 (Ctrl-C stops them)`);
  for (const line of sims.lines) say(line);
  for (const sim of sims.simulators) {
    const vendor = (sim.config() as ProviderConfig).provider;
    for (const fault of failures.get(vendor) ?? []) {
      sim.fault(fault);
      say(`${vendor} fails every request it applies to: ${Object.keys(FAILURES).find((how) => FAILURES[how] === fault)} (${fault.refuse ? 'nothing sent: a failover moves on' : 'a send may have gone out: a failover stops'})`);
    }
  }
  say('');
  if (values.json) {
    io.out(JSON.stringify(sims.configs));
  } else {
    io.out('A config for --config FILE (or POLYVERIFY_CONFIG), trying them in this order:');
    io.out(JSON.stringify(sims.configs, null, 2));
    io.out('');
    io.out('Codes delivered (the simulators show them; a real vendor sends them to the phone):');
  }
  const names = new Map(sims.simulators.map((sim) => [sim, (sim.config() as ProviderConfig).provider]));
  const unsubscribe = sims.simulators.map((sim) =>
    sim.inbox.subscribe((m) => {
      const provider = names.get(sim)!;
      if (values.json) io.out(JSON.stringify({ provider, verificationId: m.verificationId, to: m.to, channel: m.channel, code: m.code, at: m.at.toISOString() }));
      else io.out(`${m.at.toISOString()}  ${provider.padEnd(11)}  ${m.verificationId}  ${m.channel.padEnd(8)}  to ${m.to}  code ${m.code}`);
    }),
  );
  // Simulators deliver due messages when they are looked at (LOX24 on the next read): look often.
  const look = setInterval(() => sims.simulators.forEach((sim) => sim.inbox), 200);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  clearInterval(look);
  for (const stop of unsubscribe) stop();
  await sims.close();
  return 0;
};
