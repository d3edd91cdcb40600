import { notificore } from '../../../providers/notificore/index.js';
import { describe, it } from 'vitest';
import { runConformance, startSimulator } from '../../../testing/index.js';
import { expectConformingRequests } from '../../openapi.js';

runConformance(
  {
  name: 'notificore',
  async setup() {
    const sim = await startSimulator('notificore', { templates: [{ id: 12, text: 'Your code is {code2fa}' }] });
    const provider = notificore({ apiKey: sim.apiKey, sender: 'MyApp', templateId: 12, baseUrl: sim.url, now: () => sim.now() });
    const to = '+61401629754';
    return {
      provider,
      to,
      request: { to, channels: [{ channel: 'viber' }, { channel: 'sms', sender: 'MyAppSMS' }] },
      readCode: (v) => sim.lastCode(v.id)!,
      advance: (ms) => sim.advance(ms),
      requestCount: () => sim.requestCount,
      unknownId: '00000000-0000-4000-8000-000000000000',
      wrongCode: (code) => code.replace(/./g, (d) => String((Number(d) + 1) % 10)),
      checkRequests: () => expectConformingRequests(sim.requests),
      close: () => sim.close(),
    };
  },
  invalidStarts: [
    { why: 'a code of your own', request: { code: '123456' }, field: 'code' },
    { why: 'a plan Notificore cannot run', request: { channels: [{ channel: 'sms' }, { channel: 'viber' }] }, field: 'channels' },
    { why: 'a lifetime over 300 s', request: { ttlSeconds: 301 }, field: 'ttlSeconds' },
    { why: 'more than 5 tries', request: { maxAttempts: 6 }, field: 'maxAttempts' },
    { why: 'a template text', request: { channels: [{ channel: 'sms', template: 'x {code2fa}' }] }, field: 'channels.0.template' },
    { why: 'an unknown vendor extra', request: { vendor: { template: 1 } }, field: 'vendor' },
  ],
},
  { describe, it },
);
