import type { ServerMessage } from '@exrollout/core';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** Messages between server instances, over Redis pub/sub. */
export type BusMessage =
  /** An agent's credential was revoked or replaced: close its connection wherever it is. */
  | { readonly type: 'agent-revoked'; readonly name: string; readonly credentialHash: string }
  /** An agent connected with a new session: any other connection of it is stale. */
  | { readonly type: 'agent-connected'; readonly name: string; readonly session: string }
  /** An operator token was revoked: end the event streams it opened, wherever they are. */
  | { readonly type: 'operator-revoked'; readonly tokenId: string }
  /** A message for an agent, delivered by whichever instance holds its connection. */
  | { readonly type: 'agent-message'; readonly name: string; readonly message: ServerMessage };

/** Publishes to and listens on the instance bus. */
export class Bus {
  private readonly listeners = new Set<(message: BusMessage) => void>();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  /** Connects a dedicated subscriber (a duplicate of `redis`) to `channel`. */
  static async open(redis: Redis, channel: string, logger: Logger): Promise<Bus> {
    const subscriber = redis.duplicate();
    const bus = new Bus(redis, subscriber, channel, logger);
    subscriber.on('message', (_channel: string, text: string) => bus.deliver(text));
    await subscriber.subscribe(channel);
    return bus;
  }

  /** Sends a message to every instance, this one included. */
  async publish(message: BusMessage): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(message));
  }

  /** Calls `listener` for every message; returns a function that stops it. */
  subscribe(listener: (message: BusMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops listening and closes the subscriber connection. */
  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private deliver(text: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      this.logger.warn({ text: text.slice(0, 200) }, 'dropped a bus message that is not JSON');
      return;
    }
    for (const listener of this.listeners) listener(message);
  }
}
