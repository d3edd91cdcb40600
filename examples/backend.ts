/**
 * A phone-verification service worth copying, on Hono (web-standard `Request`/`Response`, so
 * polyverify's webhook handler mounts as it is; small, typed, and runs on Node through
 * @hono/node-server).
 *
 *   POST /verifications              {"phone": "+491701234567"}  → 201 {"id": "…", "expiresAt": "…"}
 *   POST /verifications/:id/check    {"code": "123456"}          → 200 {"verified": true}
 *                                                                → 422 {"verified": false, "reason": "incorrect_code", "attemptsRemaining": 2}
 *   POST /verifications/:id/resend                               → 202 {"id": "…"}
 *   GET  /verifications/:id                                      → 200 {"status": "pending", "delivery": "delivered", …}
 *   POST /webhooks/lox24?token=…     (LOX24's delivery webhooks)  → 200
 *
 * Every start and resend goes through `guard()` keyed by the client's IP (the socket's address,
 * or the first address of the header CLIENT_IP_HEADER names, e.g. `x-forwarded-for` behind a
 * proxy); bodies are capped at 4 KiB; with POLYVERIFY_REDIS_URL (one node, or a Redis Cluster:
 * one node's URL or comma-separated seeds) the codes, try counts, guard counters and webhook ids
 * live in Redis, so several instances can run; logs are JSON lines of polyverify's events at
 * LOG_LEVEL (`info`: decisions, retries, errors; `debug` adds each vendor request) through
 * `logEvents` (no secret, code or full phone number is in any event). HOST (127.0.0.1) and PORT (3000). SIGTERM and
 * SIGINT drain it: it stops accepting, answers what is in flight with `Connection: close`, and
 * exits when the last answer is out (10 s at most). Traces go over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_ENDPOINT, to the console without it, nowhere with OTEL_TRACES_EXPORTER=none
 * (examples/tracing.ts).
 *
 *   npm run backend        (builds, then runs with the vendors of POLYVERIFY_CONFIG / POLYVERIFY_PROVIDER)
 *
 * `test/app/example-backend.test.ts` drives it over HTTP against the simulators, webhooks included.
 */
import { realpathSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { guard, isVerifyError, logEvents, providerFromEnv, RateLimitError, type GuardOptions, type LimitStore, type SeenStore, type VerifyEvent, type VerifyProvider, type WebhookEvent } from 'polyverify';

/** A level of polyverify's events, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
import { lox24Webhook } from 'polyverify/lox24';
import { startTracing } from './tracing.js';

/**
 * The guard this service runs with: polyverify's recommended rules (a few codes per phone, a
 * bound per client, real numbers only). A config's `"guard": { "preset": "recommended" }` is the same.
 */
export const SERVICE_GUARD: GuardOptions = { preset: 'recommended' };

/** The largest request body the service reads, in bytes. */
const MAX_BODY = 4 * 1024;

/** What the service is built from. */
export interface BackendOptions {
  /** A vendor, a failover or a route. */
  readonly provider: VerifyProvider;
  /** The guard's rules (`SERVICE_GUARD`); its counters in `limits` when shared. */
  readonly guard?: GuardOptions;
  readonly limits?: LimitStore;
  /** The token of the LOX24 webhook URL; without it, the webhook route answers 404. */
  readonly webhookToken?: string;
  /** The LOX24 provider's name in `provider` when it is a failover or route member (`'lox24'`), so webhook ids are routable. */
  readonly lox24Member?: string;
  /** Where webhook event ids live (shared in Redis with several instances). */
  readonly seen?: SeenStore;
  /** Writes one JSON log line. */
  readonly log?: (line: Record<string, unknown>) => void;
  /**
   * The lowest level of polyverify's events logged (`'info'`): decisions, retries, warnings and
   * errors; `'debug'` adds every vendor request and response (polyverify's `logEvents` levels).
   */
  readonly logLevel?: LogLevel;
  /** The client's address of a request (behind a proxy, read it from your proxy's header). */
  readonly clientIp?: (c: Context) => string;
}

/**
 * polyverify's events as log lines: its `logEvents` bridge picks each event's level and skips
 * those below `level` (`'info'`); a line is the event's fields, its level and a message. The
 * service gives it to the guard (decisions) and to the provider (retries, errors; requests and
 * responses at `'debug'`).
 */
export function eventLog(log: (line: Record<string, unknown>) => void, level: LogLevel = 'info'): (event: VerifyEvent) => void {
  const at = (lineLevel: LogLevel) => (fields: object, message: string) => log({ level: lineLevel, msg: message, ...fields });
  return logEvents({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, { level, style: 'object-first' });
}

/** The Hono app (its `fetch` is the whole service), and the delivery news it has seen. */
export function createBackend(options: BackendOptions): { app: Hono; deliveries: Map<string, WebhookEvent> } {
  const log = options.log ?? (() => undefined);
  const onEvent = eventLog(log, options.logLevel);
  const verify = guard(options.provider, { ...(options.guard ?? SERVICE_GUARD), onEvent, ...(options.limits && { limits: options.limits }) });
  const clientIp = options.clientIp ?? ((c: Context) => (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown');
  const deliveries = new Map<string, WebhookEvent>();
  const app = new Hono();

  // The body cap: a declared length is checked from the Node request's headers (Hono's bodyLimit
  // reads c.req.raw, which makes @hono/node-server build a full web Request for every request);
  // only a chunked body, whose length is unknown until read, goes through bodyLimit.
  const tooLarge = (c: Context) => c.json({ error: 'body too large' }, 413);
  const chunkedLimit = bodyLimit({ maxSize: MAX_BODY, onError: tooLarge });
  app.use('*', (c, next) => {
    const length = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers['content-length'];
    if (length === undefined) return chunkedLimit(c, next);
    return Number(length) > MAX_BODY ? Promise.resolve(tooLarge(c)) : next();
  });
  const json = async (c: Context): Promise<Record<string, unknown>> => {
    const parsed: unknown = await c.req.json().catch(() => ({}));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  };

  app.post('/verifications', async (c) => {
    const { phone } = await json(c);
    const v = await verify.start({ to: String(phone ?? ''), reference: `signup-${Date.now()}` }, { limitKey: clientIp(c) });
    return c.json({ id: v.id, expiresAt: v.expiresAt }, 201);
  });
  app.post('/verifications/:id/check', async (c) => {
    const { code } = await json(c);
    const result = await verify.check(c.req.param('id'), String(code ?? ''));
    if (result.verified) return c.json({ verified: true });
    return c.json({ verified: false, reason: result.reason, attemptsRemaining: result.attemptsRemaining }, result.reason === 'not_found' ? 404 : 422);
  });
  app.post('/verifications/:id/resend', async (c) => {
    const v = await verify.resend(c.req.param('id'), { limitKey: clientIp(c) });
    return c.json({ id: v.id }, 202);
  });
  app.get('/verifications/:id', async (c) => {
    const id = c.req.param('id');
    const v = await verify.get(id);
    const news = deliveries.get(id);
    return c.json({ id: v.id, status: v.status, expiresAt: v.expiresAt, delivery: news?.type, channel: news?.channel });
  });

  if (options.webhookToken) {
    const webhook = lox24Webhook({
      token: options.webhookToken,
      ...(options.lox24Member && { member: options.lox24Member }),
      ...(options.seen && { seen: options.seen }),
      onEvent,
      onWebhook: (event) => {
        deliveries.set(event.verificationId, event);
        log({ level: 'info', type: 'webhook', provider: event.provider, event: event.type, verificationId: event.verificationId, channel: event.channel, cost: event.cost });
      },
    });
    app.post('/webhooks/lox24', (c) => webhook.handle(c.req.raw));
  }

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    // Typed errors say what went wrong without secrets; never pass internals to clients.
    if (error instanceof RateLimitError) {
      c.header('retry-after', String(Math.ceil((error.retryAfterMs ?? 60_000) / 1000)));
      return c.json({ error: 'too many verification requests; try again later' }, 429);
    }
    if (isVerifyError(error) && (error.code === 'validation' || error.code === 'unsupported')) return c.json({ error: 'invalid request' }, 400);
    if (isVerifyError(error) && error.code === 'not_found') return c.json({ error: 'not found' }, 404);
    log({ level: 'error', error: isVerifyError(error) ? error.toJSON() : { name: error.name } });
    if (isVerifyError(error) && error.sent === 'maybe') return c.json({ error: 'try again shortly; a code may already be on its way' }, 503);
    return c.json({ error: 'verification is unavailable, try again later' }, 503);
  });
  return { app, deliveries };
}

/** The answers each server is writing, and the servers that are draining. */
const inFlight = new WeakMap<ServerType, Set<ServerResponse>>();
const draining = new WeakSet<ServerType>();
type NodeServer = ServerType & { closeIdleConnections?: () => void; closeAllConnections?: () => void };

/**
 * Tracks the requests `server` is answering, so `shutdown` can drain it: `server.close()` alone
 * stops accepting connections but keeps serving new requests on open keep-alive connections, so
 * under load a drain never ends by itself. While draining, every answer goes out with
 * `Connection: close` and each connection closes once its answer is out.
 */
export function track(server: ServerType): void {
  const answers = new Set<ServerResponse>();
  inFlight.set(server, answers);
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    answers.add(res);
    if (draining.has(server)) res.setHeader('connection', 'close');
    res.once('close', () => {
      answers.delete(res);
      if (draining.has(server)) (server as NodeServer).closeIdleConnections?.();
    });
  });
}

/** Listens on `host:port` (tracked for `shutdown`); resolves with the server once it accepts connections. */
export function listen(app: Hono, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    track(server);
  });
}

/**
 * Drains `server`: stops accepting, answers the requests in flight with `Connection: close`,
 * closes idle keep-alive connections, and resolves once the last connection has closed (or after
 * `graceMs`, cutting what is left), then runs `close`.
 */
export async function shutdown(server: ServerType, close: () => Promise<void>, graceMs = 10_000): Promise<void> {
  const node = server as NodeServer;
  draining.add(server);
  for (const res of inFlight.get(server) ?? []) if (!res.headersSent) res.setHeader('connection', 'close');
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      node.closeAllConnections?.();
      resolve();
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    node.closeIdleConnections?.();
  });
  await close();
}

async function main(): Promise<void> {
  const logLevel = process.env['LOG_LEVEL'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const log = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
  // Traces over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, else to the console (examples/tracing.ts).
  const tracing = startTracing(process.env);
  const url = process.env['POLYVERIFY_REDIS_URL'];
  const redis = url ? await import('polyverify/redis') : undefined;
  const store = redis && url ? await redis.connectRedisStore(url) : undefined;
  const provider = await providerFromEnv(process.env, { ...(store && { store }), onEvent: eventLog(log, logLevel as LogLevel) });
  // Behind a proxy, the client's address is the first one of the proxy's header (x-forwarded-for).
  const ipHeader = process.env['CLIENT_IP_HEADER']?.toLowerCase();
  const { app } = createBackend({
    provider,
    log,
    logLevel: logLevel as LogLevel,
    ...(store && { limits: store.limits, seen: store.seen }),
    ...(ipHeader && { clientIp: (c: Context) => c.req.header(ipHeader)?.split(',')[0]?.trim() || 'unknown' }),
    ...(process.env['LOX24_WEBHOOK_TOKEN'] && { webhookToken: process.env['LOX24_WEBHOOK_TOKEN'] }),
  });
  const host = process.env['HOST'] ?? '127.0.0.1';
  const server = await listen(app, host, Number(process.env['PORT'] ?? 3000));
  log({ level: 'info', type: 'listening', host, port: (server.address() as AddressInfo).port, redis: Boolean(store) });
  const stop = (signal: string) => {
    log({ level: 'info', type: 'stopping', signal });
    void shutdown(server, async () => {
      await store?.close();
      await tracing.stop();
    }).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
