// The scenario's host side, in a runtime with Node's http (Node, Bun, Deno): the four vendor
// simulators, a control endpoint that tells a runtime without access to them what only they know
// (`/code`: a verification's code from the inbox, `/count`: requests the simulator answered,
// `/agent`: the last User-Agent it saw), and a URL whose port refuses connections.
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { startSimulator } from 'polyverify/testing';

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

/** Starts the simulators and the control endpoint; `runtime` fills what its User-Agent names and what a refused connection reads as. */
export async function startHost({ agent, refused = 'no' }) {
  const sims = { lox24: await startSimulator('lox24'), notificore: await startSimulator('notificore'), messagebird: await startSimulator('messagebird'), twilio: await startSimulator('twilio') };
  const answers = {
    code: (sim, id) => sim.lastCode(id),
    count: (sim) => sim.requestCount,
    agent: (sim) => sim.requests.at(-1)?.headers['user-agent'] ?? '',
  };
  const control = createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const answer = answers[url.pathname.slice(1)];
    const sim = sims[url.searchParams.get('vendor')];
    response.setHeader('content-type', 'application/json');
    if (!answer || !sim) return response.writeHead(404).end('null');
    response.end(JSON.stringify(answer(sim, url.searchParams.get('id')) ?? null));
  });
  const controlPort = await listen(control);
  const deadPort = await freePort();
  const env = {
    vendors: {
      lox24: { token: sims.lox24.token, secret: 'runtime-scenario-secret', baseUrl: sims.lox24.url },
      notificore: { apiKey: sims.notificore.apiKey, sender: 'MyApp', templateId: 1, baseUrl: sims.notificore.url },
      messagebird: { accessKey: sims.messagebird.accessKey, workspaceId: sims.messagebird.workspaceId, baseUrl: sims.messagebird.url, channels: { sms: { navigatorId: sims.messagebird.ids.smsNavigatorId } } },
      twilio: { ...sims.twilio.credentials, baseUrl: sims.twilio.url },
    },
    configs: Object.fromEntries(Object.entries(sims).map(([vendor, sim]) => [vendor, sim.config()])),
    control: `http://127.0.0.1:${controlPort}`,
    dead: `http://127.0.0.1:${deadPort}`,
    agent,
    refused,
  };
  const close = async () => {
    control.closeAllConnections?.();
    await new Promise((resolve) => control.close(resolve));
    for (const sim of Object.values(sims)) await sim.close();
  };
  return { env, close };
}

/** Prints the steps and `RESULT passed/total`; answers whether all passed. */
export function report(title, steps) {
  console.log(`== ${title}`);
  for (const [name, ok, detail] of steps) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`);
  const passed = steps.filter(([, ok]) => ok).length;
  console.log(`RESULT ${passed}/${steps.length}`);
  return passed === steps.length;
}

/** A free port on 127.0.0.1. */
export async function freePort() {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Writes a workerd config serving one ES module on 127.0.0.1:port, with text bindings, reaching 127.0.0.1. */
export function writeWorkerdConfig(file, { port, module, compat, bindings = {} }) {
  const texts = Object.entries(bindings).map(([name, text]) => `(name = "${name}", text = "${text}")`).join(', ');
  writeFileSync(file, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "${module}", esModule = embed "${module}") ],
  compatibilityDate = "2025-09-01",
  ${compat ? 'compatibilityFlags = ["nodejs_compat"],' : ''}
  bindings = [ ${texts} ],
  globalOutbound = "internet",
);
`);
}

/** Asks until a server answers (150 tries, 100 ms apart); undefined when it never did. */
export async function whenUp(ask) {
  for (let i = 0; i < 150; i++) {
    try {
      return await ask();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return undefined;
}
