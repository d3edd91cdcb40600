/** Bird over loopback against its simulator: pageToken walks, failover and resend. */
import { afterEach, describe, expect, it } from 'vitest';
import { listAcross, type Verification } from '../../../providers/index.js';
import { messagebird } from '../../../providers/messagebird/index.js';
import { startSimulator, type SimulatorOptions } from '../../../testing/index.js';

import { fastBackoff } from '../../helpers.js';
import type { MessagebirdSimulator } from '../../../providers/messagebird/simulator.js';

let sim: MessagebirdSimulator;
const TO = '+31612345678';

async function setup(outcomes: SimulatorOptions['messagebird'] = {}) {
  sim = await startSimulator('messagebird', outcomes);
  return messagebird({
    accessKey: sim.accessKey,
    workspaceId: sim.workspaceId,
    baseUrl: sim.url,
    backoff: fastBackoff,
    listPageSize: 40,
    channels: {
      sms: { navigatorId: sim.ids.smsNavigatorId },
      whatsapp: { channelId: sim.ids.whatsappChannelId, template: { projectId: sim.ids.smsChannelId, version: sim.ids.emailChannelId } },
    },
  });
}
afterEach(async () => sim?.close());

describe('list', () => {
  it('walks every verification exactly once over many pageToken pages, newest first', async () => {
    const verify = await setup();
    const base = sim.now() - 86_400_000;
    const ids = Array.from({ length: 205 }, (_, i) => sim.seed({ to: TO, createdAt: new Date(base + Math.floor(i / 3) * 1000) })); // ties in threes
    const seen: Verification[] = [];
    for await (const v of verify.list()) seen.push(v);
    expect(seen).toHaveLength(205);
    expect(new Set(seen.map((v) => v.id))).toEqual(new Set(ids));
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.createdAt.getTime()).toBeGreaterThanOrEqual(seen[i]!.createdAt.getTime());
    expect(sim.requests.filter((r) => r.method === 'GET').map((r) => r.query.has('pageToken'))).toEqual([false, true, true, true, true, true]);
  });

  it('cursor pages at every size give what full iteration gives, even with new verifications arriving', async () => {
    const verify = await setup();
    const base = sim.now() - 3_600_000;
    for (let i = 0; i < 17; i++) sim.seed({ to: TO, createdAt: new Date(base + i * 1000) });
    for (const limit of [1, 2, 3, 5, 7, 50]) {
      const all: string[] = [];
      for await (const v of verify.list()) all.push(v.id);
      const paged: string[] = [];
      let cursor: string | undefined;
      let first = true;
      do {
        const page = await verify.listPage({ limit, ...(cursor && { cursor }) });
        paged.push(...page.items.map((v) => v.id));
        cursor = page.nextCursor;
        if (first) await verify.start({ to: TO }); // newer than everything listed: must neither appear nor shift the walk
        first = false;
      } while (cursor);
      expect(paged).toEqual(all);
    }
  });
});

describe('steps', () => {
  it('failover moves to the next step and delivers there; resend sends again on a chosen step', async () => {
    const verify = await setup({ outcomes: { whatsapp: 'failed' } });
    const v = await verify.start({ to: TO, channels: [{ channel: 'whatsapp' }, { channel: 'sms' }] });
    expect(sim.inbox.messages(TO)).toEqual([]);
    const moved = await verify.failover(v.id);
    expect(moved.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'sms']);
    expect(sim.inbox.messages(TO).map((m) => m.channel)).toEqual(['sms']);
    await verify.resend(v.id, { step: 1 });
    expect(sim.inbox.messages(TO).map((m) => m.channel)).toEqual(['sms', 'sms']);
    const checked = await verify.check(v.id, sim.lastCode(v.id)!);
    expect(checked).toEqual({ verified: true, status: 'verified' });
  });

  it('failover past the last step is refused by Bird, typed, with nothing sent', async () => {
    const verify = await setup();
    const v = await verify.start({ to: TO, channels: [{ channel: 'sms' }] });
    await expect(verify.failover(v.id)).rejects.toMatchObject({ name: 'RejectedError', status: 422, sent: 'no' });
  });
});

describe('behaviours Bird leaves open', () => {
  const seedMany = (count: number) => {
    const base = Date.now() - 86_400_000;
    return Array.from({ length: count }, (_, i) => sim.seed({ to: TO, createdAt: new Date(base + i * 1000) }));
  };
  const collect = async (items: AsyncIterable<Verification>) => {
    const out: string[] = [];
    for await (const v of items) out.push(v.id);
    return out;
  };

  for (const order of ['desc', 'asc'] as const) {
    it(`a default order ${order === 'desc' ? 'newest' : 'oldest'} first: every item once, newest first, by list() and by cursors`, async () => {
      const verify = await setup({ order });
      const ids = seedMany(95);
      const listed = await collect(verify.list());
      expect(listed).toEqual([...ids].reverse());
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await verify.listPage({ limit: 30, ...(cursor && { cursor }) });
        paged.push(...page.items.map((v) => v.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(listed);
      expect(await collect(listAcross([verify]))).toEqual(listed);
      const reversed = sim.requests.filter((r) => r.query.get('reverse') === 'true').length;
      if (order === 'desc') expect(reversed).toBe(0);
      else expect(reversed).toBeGreaterThan(0);
    });
  }

  it('reads a check answered 200 with another status string as verified', async () => {
    const verify = await setup({ statusNames: { verified: 'approved' } });
    const v = await verify.start({ to: TO });
    const result = await verify.check(v.id, sim.lastCode(v.id)!);
    expect(result).toEqual({ verified: true, status: 'verified' });
  });

  for (const stepAnswer of ['verification', 'ack', 'text', 'empty'] as const) {
    it(`resend and failover answered with ${stepAnswer === 'verification' ? 'the verification' : stepAnswer === 'empty' ? 'an empty 202' : `an acknowledgement (${stepAnswer})`}: one send each, the verification as it now stands`, async () => {
      const verify = await setup({ stepAnswer });
      const v = await verify.start({ to: TO, channels: [{ channel: 'whatsapp' }, { channel: 'sms' }] });
      const moved = await verify.failover(v.id);
      expect(moved).toMatchObject({ id: v.id, status: 'pending' });
      expect(moved.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'sms']);
      const again = await verify.resend(v.id);
      expect(again.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'sms']);
      expect(sim.inbox.messages(TO).map((m) => m.channel)).toEqual(['whatsapp', 'sms', 'sms']);
      const calls = sim.requests.filter((r) => r.method === 'POST' && /\/(resend|failover)$/.test(r.path)).length;
      expect(calls).toBe(2);
      const reads = sim.requests.filter((r) => r.method === 'GET').length;
      expect(reads).toBe(stepAnswer === 'verification' ? 0 : 2);
      expect(await verify.check(v.id, sim.lastCode(v.id)!)).toMatchObject({ verified: true, status: 'verified' });
    });
  }

  for (const checkAnswer of ['no-status', 'ack', 'empty'] as const) {
    it(`a right code answered 200 with ${checkAnswer === 'no-status' ? 'a verification without status' : checkAnswer === 'ack' ? 'an acknowledgement' : 'no body'} is verified`, async () => {
      const verify = await setup({ checkAnswer });
      const v = await verify.start({ to: TO });
      expect(await verify.check(v.id, sim.lastCode(v.id)!)).toStrictEqual({ verified: true, status: 'verified' });
      expect((await verify.get(v.id)).status).toBe('verified');
    });
  }
});
