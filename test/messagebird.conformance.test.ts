import { messagebird } from '../providers/messagebird/index.js';
import { describe, it } from 'vitest';
import { runConformance, startSimulator } from '../testing/index.js';

runConformance(
  {
  name: 'messagebird',
  async setup() {
    const sim = await startSimulator('messagebird');
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
