import { lox24 } from '../../../providers/lox24/index.js';
import { describe, it } from 'vitest';
import { runConformance, startSimulator } from '../../../testing/index.js';

runConformance(
  {
  name: 'lox24',
  async setup() {
    const sim = await startSimulator('lox24');
    const provider = lox24({ token: sim.token, secret: 'conformance-secret-123', baseUrl: sim.url, now: () => sim.now() });
    const to = '+491701234567';
    return {
      provider,
      to,
      request: { to, channels: [{ channel: 'sms', sender: 'LOX24' }] },
      readCode: (v) => sim.lastCode(v.id)!,
      language: (v) => sim.lastMessage(v.id)?.language,
      advance: (ms) => sim.advance(ms),
      requestCount: () => sim.requestCount,
      unknownId: '00000000-0000-4000-8000-000000000000',
      wrongCode: (code) => (code === '000000' ? '111111' : '000000'),
      close: () => sim.close(),
    };
  },
  invalidStarts: [
    { why: 'an sms step before another step', request: { channels: [{ channel: 'sms' }, { channel: 'voice' }] }, field: 'channels.0.channel' },
    { why: 'a template without {{code}}', request: { channels: [{ channel: 'sms', template: 'hello' }] }, field: 'channels.0.template' },
    { why: 'a code of 3 characters', request: { code: '123' }, field: 'code' },
  ],
},
  { describe, it },
);
