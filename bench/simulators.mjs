// Child process of the listing benchmark: runs the three simulators, seeds them, prints
// their addresses and credentials as one JSON line, and exits when its stdin closes.
import { startSimulator } from '../dist/testing.js';

const total = Number(process.argv[2] ?? 100_000);
const perVendor = Math.ceil(total / 3);
const base = Date.parse('2026-10-01T00:00:00Z');
const [lox, nc, bird] = await Promise.all([startSimulator('lox24', { pageSize: Number(process.env.BENCH_LOX24_PAGE ?? 30) }), startSimulator('notificore'), startSimulator('messagebird')]);
for (let i = 0; i < perVendor; i++) {
  const at = base + i * 500; // two a second, so there are ties at whole seconds
  lox.seed({ to: '+491701234567', createdAt: new Date(at), reference: `ref-${i % 100}` });
  nc.seed({ to: '+61401629754', createdAt: new Date(at), channel: i % 4 ? 'sms' : 'viber' });
  bird.seed({ to: '+31612345678', createdAt: new Date(at) });
}
process.stdout.write(
  JSON.stringify({
    perVendor,
    lox24: { url: lox.url, token: lox.token },
    notificore: { url: nc.url, apiKey: nc.apiKey },
    messagebird: { url: bird.url, accessKey: bird.accessKey, workspaceId: bird.workspaceId, navigatorId: bird.ids.smsNavigatorId },
  }) + '\n',
);
process.stdin.resume();
process.stdin.on('end', async () => {
  await Promise.all([lox.close(), nc.close(), bird.close()]);
  if (process.env.BENCH_CHILD_CPU) process.stderr.write(`simulators CPU: ${JSON.stringify(process.cpuUsage())}\n`);
  process.exit(0);
});
