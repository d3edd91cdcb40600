import { lox24 } from 'polyverify/lox24';
import { startSimulator } from 'polyverify/testing';

// A local LOX24 simulator; in production, leave it out and drop `baseUrl`.
const sim = await startSimulator('lox24');
const verify = lox24({ token: sim.token, secret: 'at-least-16-chars-shared-by-all-instances', baseUrl: sim.url });

const v = await verify.start({
  to: '+491701234567', locale: 'en', reference: 'signup-42',
  channels: [
    { channel: 'telegram', timeoutSec: 30 },
    { channel: 'voice', sender: 'LOX24', template: 'Your code is {{code}}' },
    { channel: 'sms', sender: 'LOX24', template: 'Your code is {{code}}' },
  ],
});
const codeTheUserTyped = sim.lastCode(v.id)!; // what the simulated phone received
const result = await verify.check(v.id, codeTheUserTyped);
console.log(result); // { verified: true, status: 'verified' }
await sim.close();
