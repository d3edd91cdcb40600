/**
 * The simulated recipient's inbox: every message a simulator delivered, code included,
 * for tests and demos to read.
 */
import type { Channel } from '../src/model.js';

/** A message a simulator delivered. */
export interface InboxMessage {
  /** E.164 number or e-mail address. */
  readonly to: string;
  /** The channel it went by. */
  readonly channel: Channel;
  /** The code the message carried. */
  readonly code: string;
  /** The message text as delivered. */
  readonly text: string;
  /** The language the vendor wrote it in (lower-case ISO 639-1); absent where a template decides (Notificore). */
  readonly language?: string;
  /** When it was delivered (simulated time). */
  readonly at: Date;
  /** The vendor's id of the verification. */
  readonly verificationId: string;
}

/** The messages a simulator delivered, newest last (the newest `limit` are kept). */
export class Inbox {
  readonly #messages: InboxMessage[] = [];
  readonly #limit: number;
  readonly #listeners = new Set<(message: InboxMessage) => void>();

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** Records a delivered message (the simulators call it). */
  add(message: InboxMessage): void {
    this.#messages.push(message);
    if (this.#messages.length > this.#limit) this.#messages.shift();
    for (const listener of this.#listeners) listener(message);
  }

  /** Calls `listener` with each message delivered from now on; returns what stops it. */
  subscribe(listener: (message: InboxMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Messages to `to` (all when omitted), oldest first. */
  messages(to?: string): InboxMessage[] {
    return to === undefined ? [...this.#messages] : this.#messages.filter((m) => m.to === to);
  }

  /** The newest message to `to`, or for a verification id. */
  last(to: string): InboxMessage | undefined {
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const message = this.#messages[i]!;
      if (message.to === to || message.verificationId === to) return message;
    }
    return undefined;
  }

  /** Forgets every message. */
  clear(): void {
    this.#messages.length = 0;
  }
}
