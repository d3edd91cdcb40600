/**
 * `polyverify simulate`: the three vendor simulators for local development of a backend.
 */
import { once } from 'node:events';
import { startBirdSimulator } from '../providers/messagebird/simulator.js';
import { startLox24Simulator } from '../providers/lox24/simulator.js';
import { startNotificoreSimulator } from '../providers/notificore/simulator.js';
import type { ProviderConfig } from '../src/config.js';
import type { Verification } from '../src/model.js';
import type { InboxMessage } from '../testing/inbox.js';
import { COMMON_OPTIONS, UsageError, parse } from './context.js';
import type { Command } from './operations.js';

export interface RunningSimulators {
  readonly configs: ProviderConfig[];
  readonly close: () => Promise<void>;
  readonly lines: string[];
  /** The message last delivered for a verification (its id, routable or not), from whichever simulator sent it. */
  readonly inbox: (verification: Verification) => InboxMessage;
}

/** Starts the three simulators (on port, port+1, port+2 when port is set) and describes them. */
export async function startAll(port = 0): Promise<RunningSimulators> {
  const [lox, nc, bird] = await Promise.all([
    startLox24Simulator({ port: port && port }),
    startNotificoreSimulator({ port: port && port + 1 }),
    startBirdSimulator({ port: port && port + 2 }),
  ]);
  const configs: ProviderConfig[] = [
    { provider: 'lox24', token: lox.token, secret: 'simulator-secret-0123456789', baseUrl: lox.url },
    { provider: 'notificore', apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url },
    { provider: 'messagebird', accessKey: bird.accessKey, workspaceId: bird.workspaceId, channels: {
        sms: { navigatorId: bird.ids.smsNavigatorId },
        // The simulator checks that a WhatsApp step has a template, not which one.
        whatsapp: { channelId: bird.ids.whatsappChannelId, template: { projectId: bird.ids.smsChannelId, version: bird.ids.emailChannelId } },
        email: { channelId: bird.ids.emailChannelId },
      },
      baseUrl: bird.url,
    },
  ];
  const lines = [
    `LOX24       ${lox.url}   X-LOX24-AUTH-TOKEN: ${lox.token}`,
    `Notificore  ${nc.url}   api_key: ${nc.apiKey}   template 1, any sender`,
    `Bird        ${bird.url}   AccessKey ${bird.accessKey}   workspace ${bird.workspaceId}`,
    `            SMS navigator ${bird.ids.smsNavigatorId}, WhatsApp channel ${bird.ids.whatsappChannelId}, e-mail channel ${bird.ids.emailChannelId}`,
  ];
  const inbox = (verification: Verification): InboxMessage => {
    const id = verification.id.split(':').pop()!;
    const message = lox.inbox.last(id) ?? nc.inbox.last(id) ?? bird.inbox.last(id);
    if (!message) throw new Error(`no message was delivered for ${verification.id}`);
    return message;
  };
  return { configs, lines, inbox, close: async () => void (await Promise.all([lox.close(), nc.close(), bird.close()])) };
}

export const simulate: Command = async (args, io) => {
  const { values } = parse(args, { help: COMMON_OPTIONS.help, port: { type: 'string' } }, 0);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_533) throw new UsageError('--port must be a port number (it and the next two are used)');
  const sims = await startAll(port);
  io.out('polyverify simulate: three vendor simulators on 127.0.0.1 (Ctrl-C stops them)');
  for (const line of sims.lines) io.out(line);
  io.out('');
  io.out('A config for --config FILE (or POLYVERIFY_CONFIG), trying them in this order:');
  io.out(JSON.stringify(sims.configs, null, 2));
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await sims.close();
  return 0;
};
