/** All three simulators with a provider on each, for tests across vendors. */
import type { VerifyProvider } from '../providers/index.js';
import { lox24 } from '../providers/lox24/index.js';
import { messagebird } from '../providers/messagebird/index.js';
import { notificore } from '../providers/notificore/index.js';
import { startSimulator } from '../testing/index.js';
import { fastBackoff } from './helpers.js';

export async function startVendors(options: { lox24PageSize?: number; retries?: number } = {}) {
  const [loxSim, ncSim, birdSim] = await Promise.all([
    startSimulator('lox24', { pageSize: options.lox24PageSize ?? 30 }),
    startSimulator('notificore'),
    startSimulator('messagebird'),
  ]);
  const common = { backoff: fastBackoff, retries: options.retries ?? 2 };
  const lox = lox24({ token: loxSim.token, secret: 'across-secret-0123456', baseUrl: loxSim.url, now: () => loxSim.now(), ...common });
  const nc = notificore({ apiKey: ncSim.apiKey, sender: 'MyApp', templateId: 1, baseUrl: ncSim.url, now: () => ncSim.now(), listPageSize: 50, ...common });
  const bird = messagebird({
    accessKey: birdSim.accessKey,
    workspaceId: birdSim.workspaceId,
    baseUrl: birdSim.url,
    channels: { sms: { navigatorId: birdSim.ids.smsNavigatorId } },
    listPageSize: 50,
    ...common,
  });
  /** Seeds `count` finished verifications per vendor at `times(i)` (epoch ms); returns all ids. */
  const seed = (count: number, times: (i: number) => number): Set<string> => {
    const ids = new Set<string>();
    for (let i = 0; i < count; i++) {
      const at = times(i);
      ids.add(loxSim.seed({ to: '+491701234567', createdAt: new Date(at), reference: `ref-${i % 5}`, status: i % 7 ? 'verified' : 'failed' }));
      ids.add(ncSim.seed({ to: i % 2 ? '+61401629754' : '+491701234567', createdAt: new Date(at), status: i % 3 ? 'verified' : 'expired', channel: i % 4 ? 'sms' : 'viber' }));
      ids.add(birdSim.seed({ to: '+31612345678', createdAt: new Date(at), status: i % 5 ? 'verified' : 'failed' }));
    }
    return ids;
  };
  const providers: VerifyProvider[] = [lox, nc, bird];
  return {
    providers,
    lox,
    nc,
    bird,
    sims: { lox24: loxSim, notificore: ncSim, messagebird: birdSim },
    seed,
    close: () => Promise.all([loxSim.close(), ncSim.close(), birdSim.close()]),
  };
}
