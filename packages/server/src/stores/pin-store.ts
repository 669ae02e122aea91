import type { InternetFacingPin } from '@exrollout/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';

/** Operators' Internet-facing pins, one per server, in one Redis hash shared by every server instance. */
export class PinStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Pins a server's flag, replacing any pin it had. */
  async set(pin: InternetFacingPin): Promise<void> {
    await this.redis.hset(this.keys.internetFacingPins, pin.name.toLowerCase(), JSON.stringify(pin));
  }

  /** The server's pin, or undefined. */
  async get(name: string): Promise<InternetFacingPin | undefined> {
    const text = await this.redis.hget(this.keys.internetFacingPins, name.toLowerCase());
    return text === null ? undefined : (JSON.parse(text) as InternetFacingPin);
  }

  /** Every pin, by lower-cased server name. */
  async all(): Promise<Map<string, InternetFacingPin>> {
    const hash = await this.redis.hgetall(this.keys.internetFacingPins);
    return new Map(Object.entries(hash).map(([name, text]) => [name, JSON.parse(text) as InternetFacingPin]));
  }

  /** Removes the server's pin and returns it; undefined when it had none. */
  async remove(name: string): Promise<InternetFacingPin | undefined> {
    const key = this.keys.internetFacingPins;
    const field = name.toLowerCase();
    const [read, removed] = (await this.redis.multi().hget(key, field).hdel(key, field).exec()) ?? [];
    const text = read?.[1];
    return removed?.[1] === 1 && typeof text === 'string'
      ? (JSON.parse(text) as InternetFacingPin)
      : undefined;
  }
}
