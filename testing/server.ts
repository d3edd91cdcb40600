/**
 * The HTTP server under every vendor simulator: `node:http` on 127.0.0.1, JSON bodies,
 * a request log, a clock that tests can move forward, and injectable faults.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the simulator saw it. */
export interface SimRequest {
  /** The HTTP method. */
  readonly method: string;
  /** Path without the query, e.g. `/verify_codes`. */
  readonly path: string;
  /** The query string's parameters. */
  readonly query: URLSearchParams;
  /** The request's headers. */
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body; `undefined` when empty; the text when it is not JSON. */
  readonly body: unknown;
  /** The body as received. */
  readonly rawBody: string;
  /** The client's address. */
  readonly ip: string;
}

/** What a route answers: `body` is serialized as JSON; `json` is sent as it is (already JSON). */
export interface SimResponse {
  /** The HTTP status. */
  readonly status: number;
  /** A value to send as JSON. */
  readonly body?: unknown;
  /** JSON text to send as it is. */
  readonly json?: string;
  /** Headers of the answer. */
  readonly headers?: Record<string, string>;
}

/**
 * Serialized views of records, reused while a record's signature (its mutable fields) is
 * unchanged: list pages of finished records then cost no serialization.
 *
 * @internal
 */
export class JsonCache<T extends object> {
  readonly #cache = new WeakMap<T, { signature: string; json: string }>();
  readonly #signature: (record: T) => string;
  readonly #view: (record: T) => unknown;

  constructor(signature: (record: T) => string, view: (record: T) => unknown) {
    this.#signature = signature;
    this.#view = view;
  }

  json(record: T): string {
    const signature = this.#signature(record);
    const hit = this.#cache.get(record);
    if (hit?.signature === signature) return hit.json;
    const json = JSON.stringify(this.#view(record));
    this.#cache.set(record, { signature, json });
    return json;
  }
}

/**
 * Why a vendor refuses a request in a way that proves nothing was sent: bad credentials
 * (`auth`), no funds (`funds`, on the requests that would send), too many requests (`rate-limit`).
 */
export type Refusal = 'auth' | 'funds' | 'rate-limit';

/**
 * A fault to inject into matching requests.
 * - `refuse`: answer as the vendor does when it refuses for that reason (its own status and
 *   body): a client reads it as "nothing was sent", so a failover moves on;
 * - `status` (+ `body`): answer with it, without processing the request. A client sees only
 *   the status: a 5xx on a send is "maybe sent" to it (a failover stops), a 4xx "not sent";
 * - `delayMs`: process the request, then wait before answering (a client timeout then
 *   means "received, maybe sent");
 * - `drop: 'before'`: close the connection without processing; `drop: 'after'`: process,
 *   then close the connection without an answer.
 */
export interface Fault {
  /** Only requests with this method (any by default). */
  readonly method?: string;
  /** Exact path or a pattern. */
  readonly path?: string | RegExp;
  /** Answer as the vendor does when it refuses for this reason, without processing the request. */
  readonly refuse?: Refusal;
  /** Answer with this status, without processing the request. */
  readonly status?: number;
  /** The body of that answer (JSON). */
  readonly body?: unknown;
  /** Headers of that answer (`Retry-After`, …). */
  readonly headers?: Record<string, string>;
  /** Process the request, then wait this long before answering. */
  readonly delayMs?: number;
  /** Close the connection without an answer: `before` processing it, or `after`. */
  readonly drop?: 'before' | 'after';
  /** How many matching requests it applies to (1; `Infinity` for all). */
  readonly times?: number;
}

/** A clock that starts at real time and can be moved forward. */
export class SimClock {
  #offsetMs = 0;
  /** The simulated time, epoch milliseconds. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }
  /** Moves the simulated time forward by `ms`. */
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

/** The vendor's answer to a request it refuses for a reason, or undefined where that reason does not apply to the request. */
export type RefusalAnswer = (reason: Refusal, request: SimRequest) => SimResponse | undefined;

/** Answers one request. */
export type Route = (request: SimRequest) => SimResponse | Promise<SimResponse>;

/** Options of a simulator's server. */
export interface SimServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Added to every answer. */
  readonly latencyMs?: number;
  /** How many requests the log keeps (the newest; 10 000). `requestCount` counts all. */
  readonly logLimit?: number;
}

/** One running simulator server. */
export class SimServer {
  /** The simulator's clock: advance it to expire codes without waiting. */
  readonly clock = new SimClock();
  /** The newest requests received, oldest first. */
  readonly requests: SimRequest[] = [];
  #requestCount = 0;
  #faults: { fault: Fault; left: number }[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #latencyMs: number;
  readonly #logLimit: number;
  readonly #refusal: RefusalAnswer;
  #url = '';

  private constructor(route: Route, options: SimServerOptions, refusal: RefusalAnswer) {
    this.#refusal = refusal;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#logLimit = options.logLimit ?? 10_000;
    this.#server = createServer((req, res) => {
      // A client that goes away mid-request must not take the simulator down.
      this.#handle(route, req, res).catch(() => res.destroy());
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1 (a free port) that answers every request with `route`. */
  static async start(route: Route, options: SimServerOptions = {}, refusal: RefusalAnswer = () => undefined): Promise<SimServer> {
    const server = new SimServer(route, options, refusal);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.#server.address() as AddressInfo;
    server.#url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.#url;
  }

  /** Requests received since start (including faulted ones). */
  get requestCount(): number {
    return this.#requestCount;
  }

  /** Injects a fault into the next matching request(s). */
  fault(fault: Fault): void {
    this.#faults.push({ fault, left: fault.times ?? 1 });
  }

  /** Drops the faults not yet served. */
  clearFaults(): void {
    this.#faults = [];
  }

  /** Stops the server, ending open connections. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: parseJson(rawBody),
      rawBody,
      ip: req.socket.remoteAddress ?? '127.0.0.1',
    };
    this.#requestCount++;
    this.requests.push(request);
    if (this.requests.length > this.#logLimit) this.requests.shift();

    const [fault, refused] = this.#takeFault(request);
    if (refused) return this.#send(res, refused, fault?.delayMs);
    if (fault?.drop === 'before') return void req.socket.destroy();
    if (fault?.status !== undefined) {
      return this.#send(res, { status: fault.status, body: fault.body, headers: fault.headers ?? {} }, fault.delayMs);
    }
    let response: SimResponse;
    try {
      response = await route(request);
    } catch (error) {
      response = { status: 500, body: { message: `simulator error: ${(error as Error).message}` } };
    }
    if (fault?.drop === 'after') return void req.socket.destroy();
    await this.#send(res, response, fault?.delayMs);
  }

  async #send(res: ServerResponse, response: SimResponse, delayMs = 0): Promise<void> {
    const wait = this.#latencyMs + delayMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (res.destroyed) return;
    const body = response.json ?? (response.body === undefined ? '' : JSON.stringify(response.body));
    res.writeHead(response.status, {
      ...(body && { 'content-type': 'application/json' }),
      'content-length': Buffer.byteLength(body),
      ...response.headers,
    });
    res.end(body);
  }

  /** The first fault for `request`, and the vendor's refusal when it is one (a refusal that does not apply to the request, such as `funds` on a read, is passed over). */
  #takeFault(request: SimRequest): [Fault | undefined, SimResponse | undefined] {
    let refused: SimResponse | undefined;
    const index = this.#faults.findIndex(({ fault }) => matches(fault, request) && (fault.refuse === undefined || (refused = this.#refusal(fault.refuse, request)) !== undefined));
    if (index === -1) return [undefined, undefined];
    const entry = this.#faults[index]!;
    entry.left--;
    if (entry.left <= 0) this.#faults.splice(index, 1);
    return [entry.fault, refused];
  }
}

function matches(fault: Fault, request: SimRequest): boolean {
  if (fault.method && fault.method.toUpperCase() !== request.method) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? fault.path === request.path : fault.path.test(request.path);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
