// The same scenario on every runtime, from the installed package: for each vendor against its
// simulator, start / wrong check / right check / get; createProvider for each; listAcross;
// failover past a refused connection; guard; test numbers; the User-Agent. Prints one line per
// step and `RESULT passed/total`; exits 1 when a step failed.
import { createProvider, failover, guard, listAcross, testNumbers } from 'polyverify';
import { lox24 } from 'polyverify/lox24';
import { notificore } from 'polyverify/notificore';
import { messagebird } from 'polyverify/messagebird';
import { startSimulator } from 'polyverify/testing';

const steps = [];
async function step(name, run) {
  try {
    await run();
    steps.push([name, true]);
    console.log(`ok    ${name}`);
  } catch (error) {
    steps.push([name, false]);
    console.log(`FAIL  ${name}: ${error?.name}: ${error?.message}`);
  }
}
const expect = (condition, what) => {
  if (!condition) throw new Error(what);
};

const sims = { lox24: await startSimulator('lox24'), notificore: await startSimulator('notificore'), messagebird: await startSimulator('messagebird') };
const made = {
  lox24: lox24({ token: sims.lox24.token, secret: 'runtime-scenario-secret', baseUrl: sims.lox24.url }),
  notificore: notificore({ apiKey: sims.notificore.apiKey, sender: 'MyApp', templateId: 1, baseUrl: sims.notificore.url }),
  messagebird: messagebird({ accessKey: sims.messagebird.accessKey, workspaceId: sims.messagebird.workspaceId, baseUrl: sims.messagebird.url, channels: { sms: { navigatorId: sims.messagebird.ids.smsNavigatorId } } }),
};
const numbers = { lox24: '+491701234567', notificore: '+61401629754', messagebird: '+31612345678' };
const started = {};
for (const [vendor, provider] of Object.entries(made)) {
  await step(`${vendor}: start`, async () => {
    started[vendor] = await provider.start({ to: numbers[vendor] });
    expect(started[vendor].status === 'pending', `status ${started[vendor].status}`);
  });
  await step(`${vendor}: wrong code`, async () => {
    const code = sims[vendor].lastCode(started[vendor].id);
    const result = await provider.check(started[vendor].id, code === '000000' ? '111111' : '000000');
    expect(!result.verified && result.reason === 'incorrect_code', JSON.stringify(result));
  });
  await step(`${vendor}: right code`, async () => {
    const result = await provider.check(started[vendor].id, sims[vendor].lastCode(started[vendor].id));
    expect(result.verified, JSON.stringify(result));
  });
  await step(`${vendor}: get`, async () => {
    const v = await provider.get(started[vendor].id);
    expect(v.status === 'verified', `status ${v.status}`);
  });
  await step(`${vendor}: createProvider`, async () => {
    const fromConfig = await createProvider(sims[vendor].config());
    const v = await fromConfig.start({ to: numbers[vendor] });
    expect((await fromConfig.check(v.id, sims[vendor].lastCode(v.id))).verified, 'not verified');
  });
}
await step('listAcross', async () => {
  const seen = [];
  for await (const v of listAcross(Object.values(made))) seen.push(v.provider);
  expect(['lox24', 'notificore', 'messagebird'].every((name) => seen.includes(name)), `listed ${[...new Set(seen)]}`);
});
await step('failover past a refused connection', async () => {
  const net = await import('node:net');
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.on('listening', resolve));
  const port = server.address().port;
  await new Promise((resolve) => server.close(resolve));
  const dead = lox24({ token: sims.lox24.token, secret: 'runtime-scenario-secret', baseUrl: `http://127.0.0.1:${port}`, retries: 0, name: 'dead' });
  const v = await failover([dead, made.notificore]).start({ to: numbers.notificore });
  expect(v.provider === 'notificore', `served by ${v.provider}`);
});
await step('guard', async () => {
  const guarded = guard(made.notificore, { perPhone: { max: 1, windowSeconds: 600 } });
  await guarded.start({ to: '+61401629755' });
  const refused = await guarded.start({ to: '+61401629755' }).then(() => undefined, (error) => error);
  expect(refused?.name === 'RateLimitError' && refused.sent === 'no', `${refused?.name}`);
});
await step('test numbers', async () => {
  const before = sims.lox24.requestCount;
  const listed = testNumbers(made.lox24, { numbers: { '+15555550100': '424242' }, validUntil: '2099-12-31' });
  const v = await listed.start({ to: '+15555550100' });
  expect((await listed.check(v.id, '424242')).verified && sims.lox24.requestCount === before, 'not verified, or a vendor was asked');
});
await step('User-Agent names the runtime', async () => {
  const agent = sims.lox24.requests.at(-1)?.headers['user-agent'] ?? '';
  const runtime = globalThis.Bun ? 'bun/' : globalThis.Deno ? 'deno/' : 'node/';
  expect(agent.includes(runtime), agent);
});
for (const sim of Object.values(sims)) await sim.close();
const passed = steps.filter(([, ok]) => ok).length;
console.log(`RESULT ${passed}/${steps.length}`);
if (passed !== steps.length) process.exit(1);
