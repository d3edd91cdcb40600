// Child process of the backend benchmark: one LOX24 simulator on 127.0.0.1, its address and token
// printed as one JSON line; exits when its stdin closes. A process of its own, so its CPU is not
// the load generator's or the server's.
import { startSimulator } from '../dist/testing.js';

const sim = await startSimulator('lox24');
process.stdout.write(JSON.stringify({ url: sim.url, token: sim.token }) + '\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await sim.close();
  process.exit(0);
});
