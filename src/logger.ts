/**
 * A bridge from provider events to the loggers people use (pino, bunyan, winston, console, …):
 * each event becomes one log line at a level that fits it. Events carry no secret and no code,
 * and phone numbers in them are masked, so neither do the lines.
 */
import type { VerifyEvent } from './events.js';

/** The part of a logger the bridge uses: any of these methods, as pino, winston or `console` have them. */
export interface Logger {
  /** Writes a debug line. */
  debug?(...args: unknown[]): void;
  /** Writes an info line. */
  info?(...args: unknown[]): void;
  /** Writes a warning. */
  warn?(...args: unknown[]): void;
  /** Writes an error. */
  error?(...args: unknown[]): void;
}

/** A log level, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Options of {@link logEvents}. */
export interface LogEventsOptions {
  /** The lowest level passed to the logger (`'info'` by default: requests and responses are `debug`). */
  readonly level?: LogLevel;
  /**
   * How a line is written: `'object-first'` — `logger.info({ ...event }, message)`, as pino and
   * bunyan take it; `'message-first'` — `logger.info(message, { ...event })`, as winston does;
   * or `'line'` — `logger.info(message + ' ' + JSON of the event)`, one line of text (what
   * `console` prints as several lines otherwise). Default: `'line'` for `console`, else
   * `'object-first'`.
   */
  readonly style?: 'object-first' | 'message-first' | 'line';
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The level of an event: traffic is debug, decisions info, retries, warnings and refusals warn, failures error. */
export function levelOf(event: VerifyEvent): LogLevel {
  switch (event.type) {
    case 'request':
    case 'response':
      return 'debug';
    case 'retry':
    case 'warning':
      return 'warn';
    case 'error':
      return 'error';
    case 'decision':
      return event.decision === 'refused' || event.decision === 'stop' || event.decision === 'exhausted' ? 'warn' : 'info';
  }
}

/** One line for people about an event. */
export function describeEvent(event: VerifyEvent): string {
  const head = `polyverify ${event.provider} ${event.operation}`;
  switch (event.type) {
    case 'request':
      return `${head}: ${event.method} ${event.path} (attempt ${event.attempt})`;
    case 'response':
      return `${head}: ${event.method} ${event.path} → ${event.status} in ${event.durationMs} ms${event.requestId ? ` (request ${event.requestId})` : ''}`;
    case 'retry':
      return `${head}: retry ${event.attempt} in ${event.delayMs} ms after ${event.error.name}: ${event.error.message}`;
    case 'error':
      return `${head}: ${event.error.name} (${event.error.code}, sent ${event.error.sent}): ${event.error.message}`;
    case 'warning':
      return `${head}: ${event.message}`;
    case 'decision':
      return `${head}: ${event.member} ${event.decision}${event.rule ? ` by ${event.rule}` : ''}${event.to ? ` for ${event.to}` : ''}${event.error ? ` (${event.error.code}, sent ${event.error.sent})` : ''}`;
  }
}

/**
 * An `onEvent` listener that writes each event to `logger`, at its level (traffic `debug`, decisions `info`, retries, warnings and refusals `warn`, failures `error`),
 * with a readable message and the event's fields (to `console`: one line each). A logger without the level's method is skipped
 * for that line; a logger that throws never breaks a call.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const verify = lox24({ token, secret, onEvent: logEvents(pino(), { level: 'debug' }) });
 * const dev = notificore({ apiKey, sender, templateId, onEvent: logEvents(console) });
 * ```
 */
export function logEvents(logger: Logger, options: LogEventsOptions = {}): (event: VerifyEvent) => void {
  const minimum = ORDER[options.level ?? 'info'];
  if (minimum === undefined) throw new RangeError('level must be debug, info, warn or error');
  const style = options.style ?? (logger === globalThis.console ? 'line' : 'object-first');
  return (event) => {
    const level = levelOf(event);
    if (ORDER[level] < minimum) return;
    const write = logger[level];
    if (typeof write !== 'function') return;
    const fields = { ...event };
    const message = describeEvent(event);
    if (style === 'line') write.call(logger, `${message} ${JSON.stringify(fields)}`);
    else if (style === 'message-first') write.call(logger, message, fields);
    else write.call(logger, fields, message);
  };
}
