import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** How many INVENTORY messages one agent may send, over what window. */
export interface InventoryLimits {
  readonly inventoryLimit: number;
  readonly inventoryLimitWindowSeconds: number;
}

/**
 * Counts each agent's INVENTORY messages in Redis, as failed authentications are counted per address, so that an
 * agent cannot reset its count by reconnecting to another instance. Each one costs a Redis write and is checked
 * against the inventory rules: an agent sends one on connect, on change and every few minutes, never a flood.
 */
export class InventoryLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, keyPrefix: string, limits: InventoryLimits) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}invlimit`,
      points: limits.inventoryLimit,
      duration: limits.inventoryLimitWindowSeconds,
    });
  }

  /** The most INVENTORY messages an agent may send within the window. */
  get limit(): number {
    return this.limiter.points;
  }

  /** The window, in seconds. */
  get windowSeconds(): number {
    return this.limiter.duration;
  }

  /** Counts one INVENTORY of `agent`; undefined if it may be stored, else the seconds until the next may be. */
  async take(agent: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(agent.toLowerCase());
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  }
}
