import { twilio } from '../../../providers/twilio/index.js';
import { describe, it } from 'vitest';
import { runConformance, startSimulator, type SimulatorOptions } from '../../../testing/index.js';

// Twilio's documented behaviour, and the readings its docs leave open: an ended verification
// deleted (404) or still readable, the Attempts list in any order, dates in RFC 2822, checks answered 201.
const MODES: [string, SimulatorOptions['twilio']][] = [
  ['', {}],
  [', ended verifications readable, attempts oldest first, 201 checks', { ended: 'readable', attemptOrder: 'oldest', checkStatus: 201 }],
  [', attempts in no order, RFC 2822 dates', { attemptOrder: 'shuffled', dates: 'rfc2822' }],
];

for (const [mode, options] of MODES) runConformance(
  {
    name: `twilio${mode}`,
    async setup() {
      const sim = await startSimulator('twilio', options);
      const provider = twilio({ ...sim.credentials, baseUrl: sim.url, now: () => sim.now() });
      const to = '+447700900123';
      return {
        provider,
        to,
        request: { to, channels: [{ channel: 'sms' }], locale: 'en-GB' },
        // Twilio continues a pending verification when its recipient is started again: several starts go to several numbers.
        recipient: (i) => (i === 0 ? to : `+4477009002${String(i).padStart(2, '0')}`),
        readCode: (v) => sim.lastCode(v.id)!,
        language: (v) => sim.lastMessage(v.id)?.language,
        advance: (ms) => sim.advance(ms),
        requestCount: () => sim.requestCount,
        unknownId: `VE${'f'.repeat(32)}`,
        wrongCode: (code) => code.replace(/./g, (d) => String((Number(d) + 1) % 10)),
        close: () => sim.close(),
      };
    },
    invalidStarts: [
      { why: 'a code of your own (not enabled)', request: { code: '123456' }, field: 'code' },
      { why: 'a code length (a Service setting)', request: { codeLength: 6 }, field: 'codeLength' },
      { why: 'a plan of two channels', request: { channels: [{ channel: 'sms' }, { channel: 'voice' }] }, field: 'channels' },
      { why: 'a lifetime other than 10 minutes', request: { ttlSeconds: 300 }, field: 'ttlSeconds' },
      { why: 'a channel Twilio does not have', request: { channels: [{ channel: 'viber' }] }, field: 'channels.0.channel' },
      { why: 'an email step for a phone number', request: { channels: [{ channel: 'email' }] }, field: 'channels.0.channel' },
      { why: 'a sender', request: { channels: [{ channel: 'sms', sender: 'MyApp' }] }, field: 'channels.0.sender' },
      { why: 'an unknown vendor extra', request: { vendor: { template: 1 } }, field: 'vendor' },
    ],
  },
  { describe, it },
);
