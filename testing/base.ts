/**
 * What every vendor simulator has: its server's address, request log, clock and faults, and
 * the same members to drive it (inbox, codes, seeding, outcomes, credentials, a config).
 */
import type { Channel, VerificationStatus } from '../src/model.js';
import type { Inbox } from './inbox.js';
import { SimServer, type Fault, type Refusal, type SimRequest, type SimResponse, type SimServerOptions } from './server.js';

/** A finished verification to add to a simulator directly (list tests, benchmarks, the demo). */
export interface SeedInput {
  /** The recipient, E.164. */
  readonly to: string;
  /** When it was created. */
  readonly createdAt: Date;
  /** Its status (`verified` by default), as close as the vendor can say it. */
  readonly status?: VerificationStatus;
  /** Its first channel (the vendor's default when absent). */
  readonly channel?: Channel;
  /** Your reference, where the vendor keeps one. */
  readonly reference?: string;
  /** When it finished (for time-to-verify figures); the simulator's own default when absent. */
  readonly finishedAt?: Date;
  /**
   * What it cost, a decimal in the simulator's currency (EUR): LOX24's price of the message,
   * Notificore's price of the authentication (its message is priced apart, as Notificore does).
   * The simulator's prices when absent; Bird reports no prices, so it ignores this.
   */
  readonly price?: string;
}

/** A config that works against a running simulator, for `createProvider`. */
export interface SimulatorConfig {
  /** The vendor's name. */
  readonly provider: string;
  /** The simulator's URL. */
  readonly baseUrl: string;
  readonly [option: string]: unknown;
}

/** What a simulator's `config()` adds to its vendor's config: where it listens. */
export interface SimulatedAt {
  /** The simulator's URL. */
  readonly baseUrl: string;
}

/** What every vendor simulator has: see the table in docs/testing.md. */
export abstract class SimulatorBase {
  protected readonly server: SimServer;

  protected constructor(server: SimServer) {
    this.server = server;
  }

  /**
   * Starts a server on 127.0.0.1 and the simulator answering on it: `create` builds the
   * simulator once the server exists; requests go to its `route`.
   */
  protected static async listen<T extends SimulatorBase>(options: SimServerOptions, create: (server: SimServer) => T): Promise<T> {
    let simulator: T | undefined;
    const server = await SimServer.start((request) => simulator!.route(request), options, (reason, request) => simulator!.refusal(reason, request));
    simulator = create(server);
    return simulator;
  }

  /** Answers one request. */
  protected abstract route(request: SimRequest): SimResponse;

  /**
   * The vendor's answer when it refuses `request` for `reason` (a `refuse` fault), or undefined
   * where the reason does not apply to that request. This default answers 401, 429, and 402 to
   * a `POST` (what sends) with an empty body; a simulator overrides it with its vendor's own.
   */
  protected refusal(reason: Refusal, request: SimRequest): SimResponse | undefined {
    if (reason === 'funds') return request.method === 'POST' ? { status: 402, body: {} } : undefined;
    return { status: reason === 'auth' ? 401 : 429, body: {} };
  }

  /** What was delivered so far, codes included. */
  abstract readonly inbox: Inbox;
  /** The credentials it accepts, by option name (`{ token }`, `{ apiKey }`, …). */
  abstract readonly credentials: Readonly<Record<string, string>>;
  /** The code last delivered to a recipient (E.164 or e-mail) or for a verification id. */
  abstract lastCode(recipientOrId: string): string | undefined;
  /** Adds a finished verification directly; returns its id. */
  abstract seed(input: SeedInput): string;
  /** Changes the delivery outcome of channels. */
  abstract setOutcomes(outcomes: Readonly<Record<string, string>>): void;
  /** A config that works against this simulator. */
  abstract config(): SimulatorConfig;
  /** A few lines for people: where it listens, what it accepts. */
  abstract describe(): string[];

  /** The base URL to give an adapter as `baseUrl`. */
  get url(): string {
    return this.server.url;
  }
  /** The newest requests received. */
  get requests(): readonly SimRequest[] {
    return this.server.requests;
  }
  /** Requests received since start. */
  get requestCount(): number {
    return this.server.requestCount;
  }
  /** The simulated time, epoch ms. */
  now(): number {
    return this.server.clock.now();
  }
  /** Moves simulated time forward. */
  advance(ms: number): void {
    this.server.clock.advance(ms);
  }
  /** Injects a fault into the next matching request(s). */
  fault(fault: Fault): void {
    this.server.fault(fault);
  }
  /** Removes every fault not yet played. */
  clearFaults(): void {
    this.server.clearFaults();
  }
  /** Stops the server, closing open connections. */
  async close(): Promise<void> {
    await this.server.close();
  }
}
