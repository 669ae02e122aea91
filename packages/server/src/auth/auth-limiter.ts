import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AuthRateLimitedError } from '../errors.js';

/** How many failed authentications a client address may make, over what window, and how long it is refused then. */
export interface AuthLimits {
  readonly authFailureLimit: number;
  readonly authFailureWindowSeconds: number;
  readonly authBlockSeconds: number;
}

/**
 * Counts failed authentications per client address in Redis, so that every server instance sees the same count,
 * and refuses an address that went over the limit, whatever it presents, until its block runs out. Successful
 * authentications are never counted.
 */
export class AuthFailureLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, keyPrefix: string, limits: AuthLimits) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}authfail`,
      points: limits.authFailureLimit,
      duration: limits.authFailureWindowSeconds,
      blockDuration: limits.authBlockSeconds,
    });
  }

  /** Throws AuthRateLimitedError while the address is refused. */
  async assertAllowed(address: string): Promise<void> {
    const state = await this.limiter.get(address);
    if (state && state.consumedPoints > this.limiter.points) throw rateLimited(state);
  }

  /** Counts one failure; throws AuthRateLimitedError if it took the address over the limit. */
  async recordFailure(address: string): Promise<void> {
    try {
      await this.limiter.consume(address);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw rateLimited(error);
      throw error;
    }
  }
}

function rateLimited(state: RateLimiterRes): AuthRateLimitedError {
  return new AuthRateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
}
