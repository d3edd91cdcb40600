/**
 * A hostile-server kit: servers on 127.0.0.1 that misbehave the way a broken or hostile vendor
 * (or something between it and you) can, for integration tests of any adapter.
 *
 * @example
 * ```ts
 * import { startHostileServer } from 'polyverify/testing';
 * const elsewhere = await startHostileServer({ kind: 'answer', status: 200, body: '{}' });
 * const server = await startHostileServer({ kind: 'redirect', status: 307, to: elsewhere.url });
 * const verify = lox24({ token, secret, baseUrl: server.url });
 * await verify.start({ to: '+491701234567' }).catch((e) => e); // InvalidResponseError; elsewhere.requests is empty
 * ```
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';

/** How a hostile server answers every request. */
export type HostileBehaviour =
  /** A fixed answer (to echo a request's secrets back, pass `echo: true`: the body is the request's headers and body). */
  | {
      /** `'answer'`. */
      readonly kind: 'answer';
      /** The HTTP status. */
      readonly status: number;
      /** The body (ignored with `echo`). */
      readonly body?: string;
      /** Headers added to the answer. */
      readonly headers?: Record<string, string>;
      /** Answer with the request's own headers and body. */
      readonly echo?: boolean;
    }
  /** A redirect to `to` + the request's path. */
  | {
      /** `'redirect'`. */
      readonly kind: 'redirect';
      /** The redirect's status. */
      readonly status: 301 | 302 | 303 | 307 | 308;
      /** The origin redirected to. */
      readonly to: string;
    }
  /** Headers, then a body that never ends (a byte every `everyMs`, 20 ms by default). */
  | {
      /** `'endless'`. */
      readonly kind: 'endless';
      /** Milliseconds between bytes. */
      readonly everyMs?: number;
    }
  /** A 200 body of `bytes` bytes (a JSON array of strings). */
  | {
      /** `'huge'`. */
      readonly kind: 'huge';
      /** The body's size. */
      readonly bytes: number;
    }
  /** A gzip-encoded 200 body that decodes to `bytes` bytes (small on the wire). */
  | {
      /** `'gzip-bomb'`. */
      readonly kind: 'gzip-bomb';
      /** The decoded size. */
      readonly bytes: number;
    }
  /** The same answer for every page asked (a server that ignores paging), optionally with a next-page token that repeats. */
  | {
      /** `'repeating-page'`. */
      readonly kind: 'repeating-page';
      /** The page, as JSON text. */
      readonly body: string;
    };

/** A fixed answer of {@link HostileOptions.routes}. */
export interface HostileRoute {
  /** The HTTP status. */
  readonly status: number;
  /** The body, as JSON text. */
  readonly body: string;
}

/** Options of {@link startHostileServer}. */
export interface HostileOptions {
  /**
   * Fixed answers by path (without the query), played before the hostile behaviour: e.g. a
   * Notificore login that succeeds, so the hostility starts at the call after it.
   */
  readonly routes?: Readonly<Record<string, HostileRoute>>;
}

/** A request a hostile server received. */
export interface HostileRequest {
  /** The HTTP method. */
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  /** The request's headers, credentials included (to check what was sent). */
  readonly headers: IncomingHttpHeaders;
  /** The request's body. */
  readonly body: string;
}

/** A running hostile server. */
export interface HostileServer {
  /** Its base URL on 127.0.0.1. */
  readonly url: string;
  /** Every request it received, oldest first. */
  readonly requests: readonly HostileRequest[];
  /** Stops it, ending any body still being sent. */
  close(): Promise<void>;
}

/** Starts a hostile server on a free port of 127.0.0.1. */
export async function startHostileServer(behaviour: HostileBehaviour, options: HostileOptions = {}): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const bomb = behaviour.kind === 'gzip-bomb' ? gzipSync(Buffer.alloc(behaviour.bytes, 32)) : undefined;
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const seen = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    requests.push(seen);
    const route = options.routes?.[seen.url.split('?')[0]!];
    if (route) {
      res.writeHead(route.status, { 'content-type': 'application/json' });
      return void res.end(route.body);
    }
    switch (behaviour.kind) {
      case 'answer':
        res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers });
        return void res.end(behaviour.echo ? JSON.stringify({ message: JSON.stringify({ headers: seen.headers, body: seen.body }) }) : (behaviour.body ?? ''));
      case 'redirect':
        res.writeHead(behaviour.status, { location: `${behaviour.to}${seen.url}` });
        return void res.end();
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"');
        const drip = setInterval(() => res.write('a'), behaviour.everyMs ?? 20);
        res.on('close', () => clearInterval(drip));
        return;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const item = '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",';
        res.write('[');
        for (let sent = 0; sent < behaviour.bytes; sent += item.length) if (!res.write(item)) await new Promise((resolve) => res.once('drain', resolve));
        return void res.end('""]');
      }
      case 'gzip-bomb':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return void res.end(bomb);
      case 'repeating-page':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(behaviour.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
