import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lox24 } from '../../providers/lox24/index.js';
import { logEvents, type VerifyEvent } from '../../src/index.js';
import { describeEvent, levelOf } from '../../src/logger.js';
import { startSimulator, type Simulators } from '../../testing/index.js';

let sim: Simulators['lox24'];
beforeAll(async () => {
  sim = await startSimulator('lox24');
});
afterAll(() => sim.close());

/** A logger that records each call as [level, ...args]. */
function recorder() {
  const calls: unknown[][] = [];
  const at = (level: string) => (...args: unknown[]) => void calls.push([level, ...args]);
  return { calls, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const request: VerifyEvent = { type: 'request', provider: 'lox24', operation: 'start', method: 'POST', path: '/verify_codes', attempt: 1 };
const response: VerifyEvent = { type: 'response', provider: 'lox24', operation: 'start', method: 'POST', path: '/verify_codes', attempt: 1, status: 201, durationMs: 12, requestId: 'abc' };
const retry: VerifyEvent = { type: 'retry', provider: 'lox24', operation: 'get', attempt: 2, delayMs: 250, error: { name: 'ProviderUnavailableError', message: 'HTTP 503' } };
const error: VerifyEvent = { type: 'error', provider: 'lox24', operation: 'get', error: { name: 'TimeoutError', code: 'timeout', message: 'no answer in 10000 ms', sent: 'no' } };
const warning: VerifyEvent = { type: 'warning', provider: 'lox24', operation: 'config', message: 'no `secret` given' };
const tried: VerifyEvent = { type: 'decision', provider: 'failover', operation: 'start', member: 'lox24', decision: 'try' };
const refused: VerifyEvent = { type: 'decision', provider: 'guard', operation: 'start', member: 'lox24', decision: 'refused', rule: 'perPhone', to: '+49170*****67' };

describe('logEvents', () => {
  it('gives each event its level and a readable line', () => {
    expect([request, response, retry, error, warning, tried, refused].map(levelOf)).toEqual(['debug', 'debug', 'warn', 'error', 'warn', 'info', 'warn']);
    expect([request, response, retry, error, warning, tried, refused].map(describeEvent)).toEqual([
      'polyverify lox24 start: POST /verify_codes (attempt 1)',
      'polyverify lox24 start: POST /verify_codes → 201 in 12 ms (request abc)',
      'polyverify lox24 get: retry 2 in 250 ms after ProviderUnavailableError: HTTP 503',
      'polyverify lox24 get: TimeoutError (timeout, sent no): no answer in 10000 ms',
      'polyverify lox24 config: no `secret` given',
      'polyverify failover start: lox24 try',
      'polyverify guard start: lox24 refused by perPhone for +49170*****67',
    ]);
  });

  it('warns of a failover that stopped or ran out, and words every event', () => {
    const stop: VerifyEvent = { type: 'decision', provider: 'failover', operation: 'start', member: 'lox24', decision: 'stop', error: { name: 'TimeoutError', code: 'timeout', sent: 'maybe' } };
    const exhausted: VerifyEvent = { type: 'decision', provider: 'failover', operation: 'start', member: 'bird', decision: 'exhausted' };
    const sent: VerifyEvent = { type: 'decision', provider: 'failover', operation: 'start', member: 'bird', decision: 'sent' };
    expect([stop, exhausted, sent].map(levelOf)).toEqual(['warn', 'warn', 'info']);
    expect(describeEvent(stop)).toBe('polyverify failover start: lox24 stop (timeout, sent maybe)');
    expect(describeEvent({ ...response, requestId: undefined } as VerifyEvent)).toBe('polyverify lox24 start: POST /verify_codes → 201 in 12 ms');
  });

  it('writes pino-style (fields, message) by default and console-style (message, fields) on request', () => {
    const pinoLike = recorder();
    logEvents(pinoLike.logger)(error);
    expect(pinoLike.calls).toEqual([['error', { ...error }, describeEvent(error)]]);
    const consoleLike = recorder();
    logEvents(consoleLike.logger, { style: 'message-first' })(error);
    expect(consoleLike.calls).toEqual([['error', describeEvent(error), { ...error }]]);
  });

  it('writes one line of text to console itself: the message, then the event as JSON', () => {
    const original = console.warn;
    const seen: unknown[][] = [];
    console.warn = (...args: unknown[]) => void seen.push(args);
    try {
      logEvents(console)(warning);
    } finally {
      console.warn = original;
    }
    expect(seen).toEqual([[`${describeEvent(warning)} ${JSON.stringify(warning)}`]]);
    expect(String(seen[0]![0])).not.toContain('\n');
  });

  it('leaves out what is below the level, and levels the logger lacks', () => {
    const { calls, logger } = recorder();
    const log = logEvents(logger);
    for (const event of [request, response, retry, error, tried]) log(event);
    expect(calls.map((c) => c[0])).toEqual(['warn', 'error', 'info']);
    const onlyErrors: unknown[][] = [];
    const partial = logEvents({ error: (...a: unknown[]) => void onlyErrors.push(a) }, { level: 'debug' });
    for (const event of [request, retry, error]) partial(event);
    expect(onlyErrors).toHaveLength(1);
    expect(() => logEvents(logger, { level: 'loud' as never })).toThrow('level must be debug, info, warn or error');
  });

  it('logs a whole flow at debug without the token, the code or the full phone number', async () => {
    const { calls, logger } = recorder();
    const verify = lox24({ token: sim.token, baseUrl: sim.url, onEvent: logEvents(logger, { level: 'debug' }) });
    const v = await verify.start({ to: '+491701234567' });
    const code = sim.lastCode(v.id)!;
    await verify.check(v.id, code);
    await verify.get(v.id);
    expect(calls.map((c) => c[0])).toEqual(['warn', 'debug', 'debug', 'debug', 'debug']); // the ephemeral-secret warning, then traffic
    const text = JSON.stringify(calls);
    for (const secret of [sim.token, sim.token.slice(-12), code, '+491701234567', '491701234567']) expect(text).not.toContain(secret);
  });
});
