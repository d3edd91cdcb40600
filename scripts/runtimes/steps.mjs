// The runtime scenario's steps, written once for every runtime: they import only the package's
// production entries and reach the simulators over HTTP, so the same code runs in Node, Bun and
// Deno (scenario.mjs), in a Cloudflare Worker (workerd.mjs) and in Vercel's edge runtime
// (edge.mjs). `env` comes from host.mjs: each vendor's simulator config, the control URL (the
// simulator's inbox, request count and last User-Agent, read from outside the runtime), a URL
// whose port refuses connections, what the runtime's User-Agent names, and what a refused
// connection reads as there ('no' everywhere but workerd, where it is 'maybe').
import { createProvider, failover, guard, listAcross, testNumbers } from 'polyverify';
import { lox24 } from 'polyverify/lox24';
import { messagebird } from 'polyverify/messagebird';
import { notificore } from 'polyverify/notificore';
import { twilio } from 'polyverify/twilio';

const factories = { lox24, notificore, messagebird, twilio };
const numbers = { lox24: '+491701234567', notificore: '+61401629754', messagebird: '+31612345678', twilio: '+14155552671' };

/** Runs every step; answers `[name, ok, detail?][]`. */
export async function runScenario(env) {
  const steps = [];
  const step = async (name, run) => {
    try {
      await run();
      steps.push([name, true]);
    } catch (error) {
      steps.push([name, false, `${error?.name}: ${error?.message}`]);
    }
  };
  const expect = (condition, what) => {
    if (!condition) throw new Error(what);
  };
  const control = async (what, vendor, id = '') => (await fetch(`${env.control}/${what}?vendor=${vendor}&id=${encodeURIComponent(id)}`)).json();
  const events = [];
  const made = Object.fromEntries(Object.entries(env.vendors).map(([vendor, config]) => [vendor, factories[vendor]({ ...config, onEvent: (event) => events.push(event) })]));

  const started = {};
  for (const [vendor, provider] of Object.entries(made)) {
    await step(`${vendor}: start`, async () => {
      started[vendor] = await provider.start({ to: numbers[vendor] });
      expect(started[vendor].status === 'pending', `status ${started[vendor].status}`);
    });
    await step(`${vendor}: wrong code`, async () => {
      const code = await control('code', vendor, started[vendor].id);
      const result = await provider.check(started[vendor].id, code === '000000' ? '111111' : '000000');
      expect(!result.verified && result.reason === 'incorrect_code', JSON.stringify(result));
    });
    await step(`${vendor}: right code`, async () => {
      const result = await provider.check(started[vendor].id, await control('code', vendor, started[vendor].id));
      expect(result.verified, JSON.stringify(result));
    });
    await step(`${vendor}: get`, async () => {
      const verification = await provider.get(started[vendor].id);
      expect(verification.status === 'verified', `status ${verification.status}`);
    });
    await step(`${vendor}: createProvider`, async () => {
      const fromConfig = await createProvider(env.configs[vendor]);
      const verification = await fromConfig.start({ to: numbers[vendor] });
      expect((await fromConfig.check(verification.id, await control('code', vendor, verification.id))).verified, 'not verified');
    });
  }
  await step('listAcross', async () => {
    const seen = new Set();
    for await (const verification of listAcross(Object.values(made))) seen.add(verification.provider);
    expect(['lox24', 'notificore', 'messagebird', 'twilio'].every((name) => seen.has(name)), `listed ${[...seen]}`);
  });
  await step(`failover past a refused connection (sent: '${env.refused}')`, async () => {
    const dead = lox24({ ...env.vendors.lox24, baseUrl: env.dead, retries: 0, name: 'dead' });
    const outcome = await failover([dead, made.notificore]).start({ to: numbers.notificore }).then((verification) => verification, (error) => error);
    if (env.refused === 'no') expect(outcome.provider === 'notificore', `${outcome.name ?? outcome.provider}: ${outcome.message ?? ''}`);
    else expect(outcome.name === 'ConnectionError' && outcome.sent === 'maybe', outcome.provider ? 'moved on' : `${outcome.name} sent=${outcome.sent}`);
  });
  await step('guard', async () => {
    const guarded = guard(made.notificore, { perPhone: { max: 1, windowSeconds: 600 } });
    await guarded.start({ to: '+61401629755' });
    const refused = await guarded.start({ to: '+61401629755' }).then(() => undefined, (error) => error);
    expect(refused?.name === 'RateLimitError' && refused.sent === 'no', `${refused?.name}`);
  });
  await step('test numbers ask no vendor', async () => {
    const before = await control('count', 'lox24');
    const listed = testNumbers(made.lox24, { numbers: { '+15555550100': '424242' }, validUntil: '2099-12-31' });
    const verification = await listed.start({ to: '+15555550100' });
    expect((await listed.check(verification.id, '424242')).verified, 'not verified');
    expect((await control('count', 'lox24')) === before, 'a vendor was asked');
  });
  await step('User-Agent names the runtime', async () => {
    const agent = await control('agent', 'lox24');
    expect(agent.includes(env.agent), agent);
  });
  await step('no secret, code or number in errors, results, events or serialized providers', async () => {
    const { token, secret } = env.vendors.lox24;
    const wrongToken = lox24({ ...env.vendors.lox24, token: `${token.slice(0, -4)}zzzz`, retries: 0 });
    const refused = await wrongToken.start({ to: numbers.lox24 }).then(() => undefined, (error) => error);
    expect(refused?.name === 'AuthenticationError', `${refused?.name}`);
    const codes = await Promise.all(Object.entries(started).map(([vendor, v]) => control('code', vendor, v.id)));
    // A verification holds its number (`to`, personal data the caller owns), never its code.
    const told = [refused.message, refused.stack, String(refused.cause?.message ?? ''), JSON.stringify(refused), String(made.lox24), JSON.stringify(made.lox24), JSON.stringify(events)].join('\n');
    const results = JSON.stringify(started);
    const secrets = [token, `${token.slice(0, -4)}zzzz`, secret, token.slice(0, 8)];
    // A code is searched as a token of its own: a 6-digit code also occurs, by chance, inside the
    // hex of a random id (a Twilio SID, a UUID) about once in a thousand runs.
    const shows = (text, code) => new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`).test(text);
    const vendors = Object.keys(started);
    const found = [
      ...secrets.flatMap((value, k) => (told.includes(value) || results.includes(value) ? [`secret ${k}`] : [])),
      ...codes.flatMap((code, k) => (shows(told, code) || shows(results, code) ? [`${vendors[k]}'s code`] : [])),
      ...Object.entries(numbers).flatMap(([vendor, number]) => (told.includes(number) ? [`${vendor}'s number`] : [])),
    ];
    expect(found.length === 0, `shown: ${found.join(', ')}`);
    expect(events.length > 0, 'no event seen');
  });
  return steps;
}
