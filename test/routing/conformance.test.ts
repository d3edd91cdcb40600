/** adaptive() over the four simulators passes the conformance kit like any provider. */
import { describe, it } from 'vitest';
import { adaptive } from '../../providers/index.js';
import { lox24 } from '../../providers/lox24/index.js';
import { messagebird } from '../../providers/messagebird/index.js';
import { notificore } from '../../providers/notificore/index.js';
import { twilio } from '../../providers/twilio/index.js';
import { runConformance, startSimulator } from '../../testing/index.js';

runConformance(
  {
    name: 'adaptive over lox24, notificore, messagebird and twilio',
    async setup() {
      const [lox, nc, bird, tw] = await Promise.all([startSimulator('lox24'), startSimulator('notificore'), startSimulator('messagebird'), startSimulator('twilio')]);
      const members = [
        lox24({ token: lox.token, secret: 'conformance-secret-123', baseUrl: lox.url, now: () => lox.now() }),
        notificore({ apiKey: nc.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nc.url, now: () => nc.now() }),
        messagebird({ ...(bird.config() as Parameters<typeof messagebird>[0]), now: () => bird.now() } as Parameters<typeof messagebird>[0]),
        twilio({ ...tw.credentials, baseUrl: tw.url, now: () => tw.now() }),
      ];
      const sims = [lox, nc, bird, tw];
      const to = '+491701234567';
      return {
        provider: adaptive({ members, seed: 1, now: () => lox.now() }),
        to,
        request: { to },
        // Twilio continues a pending verification of the same recipient: several starts, several numbers.
        recipient: (i) => `+4917012345${String(60 + i)}`,
        readCode: (v) => {
          const own = v.id.slice(v.id.indexOf(':') + 1);
          return sims.map((sim) => sim.lastCode(own)).find((code) => code !== undefined)!;
        },
        advance: (ms) => sims.forEach((sim) => sim.advance(ms)),
        requestCount: () => sims.reduce((sum, sim) => sum + sim.requestCount, 0),
        unknownId: 'lox24:00000000-0000-4000-8000-000000000000',
        issuer: (v) => v.id.slice(0, v.id.indexOf(':')),
        wrongCode: (code) => code.replace(/./g, (d) => String((Number(d) + 1) % 10)),
        close: async () => void (await Promise.all(sims.map((sim) => sim.close()))),
      };
    },
  },
  { describe, it },
);
