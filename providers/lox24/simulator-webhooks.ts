/**
 * The LOX24 simulator's webhook sender: events posted one after the other in the order delivery
 * produced them, each retried on a non-2xx answer up to `attempt_total` deliveries with
 * `attempt_number` counting up, as LOX24 documents.
 */
import { randomUUID } from 'node:crypto';

/** One delivery of a webhook the simulator made. */
export interface Lox24WebhookDelivery {
  /** The event's id (the same on every retry of it). */
  readonly eventId: string;
  /** The event's name (`verify_code.delivered`, …). */
  readonly name: string;
  /** 1 for the first delivery, 2 for the first retry, … */
  readonly attempt: number;
  /** The receiver's HTTP status, or 0 when it could not be reached. */
  readonly status: number;
}

/** Posts a simulator's webhook events to one URL. */
export class Lox24WebhookSender {
  readonly #url: string;
  readonly #retryMs: number;
  #queue: Promise<void> = Promise.resolve();
  /** Every delivery made so far, in order. */
  readonly deliveries: Lox24WebhookDelivery[] = [];

  constructor(url: string, retryMs: number) {
    this.#url = url;
    this.#retryMs = retryMs;
  }

  /** Queues one event: `data` is the read model as it is now (with the code, as LOX24 sends it). */
  send(name: string, createdAt: number, data: Record<string, unknown>): void {
    const event = { id: randomUUID(), api_version: '2022-05-25', name, created_at: createdAt, attempt_total: 4, notification_task_id: randomUUID(), data };
    this.#queue = this.#queue.then(async () => {
      for (let attempt = 1; attempt <= event.attempt_total; attempt++) {
        const body = JSON.stringify({ ...event, attempt_number: attempt });
        const status = await fetch(this.#url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
          async (response) => (await response.arrayBuffer(), response.status),
          () => 0,
        );
        this.deliveries.push({ eventId: event.id, name, attempt, status });
        if (status >= 200 && status < 300) return;
        if (attempt < event.attempt_total) await new Promise((resolve) => setTimeout(resolve, this.#retryMs));
      }
    });
  }

  /** Resolves once every event queued so far has been delivered (or given up on). */
  async settled(): Promise<void> {
    for (;;) {
      const queue = this.#queue;
      await queue;
      if (queue === this.#queue) return;
    }
  }
}
