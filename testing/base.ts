/**
 * What every vendor simulator has: its server's address, request log, clock and faults.
 */
import { SimServer, type Fault, type SimRequest, type SimResponse, type SimServerOptions } from './server.js';

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
    const server = await SimServer.start((request) => simulator!.route(request), options);
    simulator = create(server);
    return simulator;
  }

  /** Answers one request. */
  protected abstract route(request: SimRequest): SimResponse;

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
  clearFaults(): void {
    this.server.clearFaults();
  }
  async close(): Promise<void> {
    await this.server.close();
  }
}
