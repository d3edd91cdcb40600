import { messagebird } from '../../../providers/messagebird/index.js';
import { describe, it } from 'vitest';
import { runConformance, startSimulator, type SimulatorOptions } from '../../../testing/index.js';

// Bird's documented answers, and the answers its docs leave open (an acknowledgement or nothing
// for resend/failover, a 200 without status or body for a right code).
const MODES: [string, SimulatorOptions['messagebird']][] = [
  ['', {}],
  [', steps and checks answered without a body', { stepAnswer: 'empty', checkAnswer: 'empty' }],
  [', steps acknowledged, checks without status', { stepAnswer: 'ack', checkAnswer: 'no-status' }],
];

for (const [mode, options] of MODES) runConformance(
  {
  name: `messagebird${mode}`,
  async setup() {
    const sim = await startSimulator('messagebird', options);
    const provider = messagebird({
      accessKey: sim.accessKey,
      workspaceId: sim.workspaceId,
      baseUrl: sim.url,
      channels: {
        sms: { navigatorId: sim.ids.smsNavigatorId },
        whatsapp: { channelId: sim.ids.whatsappChannelId, template: { projectId: sim.ids.whatsappChannelId, version: sim.ids.smsChannelId } },
        email: { channelId: sim.ids.emailChannelId },
      },
    });
    const to = '+31612345678';
    return {
      provider,
      to,
      request: { to, channels: [{ channel: 'whatsapp' }, { channel: 'sms' }], locale: 'nl-NL' },
      readCode: (v) => sim.lastCode(v.id)!,
      language: (v) => sim.lastMessage(v.id)?.language,
      advance: (ms) => sim.advance(ms),
      requestCount: () => sim.requestCount,
      unknownId: '00000000-0000-4000-8000-000000000000',
      wrongCode: (code) => code.replace(/./g, (d) => String((Number(d) + 1) % 10)),
      close: () => sim.close(),
    };
  },
  invalidStarts: [
    { why: 'a code of your own', request: { code: '123456' }, field: 'code' },
    { why: 'a code length under 6', request: { codeLength: 5 }, field: 'codeLength' },
    { why: 'more than 10 attempts', request: { maxAttempts: 11 }, field: 'maxAttempts' },
    { why: 'a channel the map does not name', request: { channels: [{ channel: 'telegram' }] }, field: 'channels.0.channel' },
    { why: 'an email step for a phone number', request: { channels: [{ channel: 'email' }] }, field: 'channels.0.channel' },
    { why: 'a step timeout', request: { channels: [{ channel: 'sms', timeoutSec: 60 }] }, field: 'channels.0.timeoutSec' },
  ],
},
  { describe, it },
);
