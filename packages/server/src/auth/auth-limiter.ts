import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AuthRateLimitedError } from '../errors.js';

/** How many failed authentications a client address may make, over what window, and how long it is refused then. */
export interface AuthLimits {
  readonly authFailureLimit: number;
  readonly authFailureWindowSeconds: number;
  readonly authBlockSeconds: number;
}

/** Who tries: the client address and the id of the credential it presented (never the credential itself). */
export interface AuthAttempt {
  readonly address: string;
  readonly credentialId: string;
}

/** The id of a presented credential: the first 16 hex digits of its SHA-256, safe to keep in a Redis key. */
export function credentialId(presented: string): string {
  return createHash('sha256').update(presented).digest('hex').slice(0, 16);
}

/**
 * Counts failed authentications in Redis, so that every server instance sees the same count, on two keys: the
 * credential presented from an address, and the address, which counts each failing credential once per window.
 * One credential refused again and again (a revoked agent retrying) blocks only itself; as many different wrong
 * credentials as the limit block the address, whatever it presents, until the block runs out. Successful
 * authentications are never counted.
 */
export class AuthFailureLimiter {
  private readonly byAddress: RateLimiterRedis;
  private readonly byCredential: RateLimiterRedis;

  constructor(redis: Redis, keyPrefix: string, limits: AuthLimits) {
    const options = {
      storeClient: redis,
      points: limits.authFailureLimit,
      duration: limits.authFailureWindowSeconds,
      blockDuration: limits.authBlockSeconds,
    };
    this.byAddress = new RateLimiterRedis({ ...options, keyPrefix: `${keyPrefix}authfail` });
    this.byCredential = new RateLimiterRedis({ ...options, keyPrefix: `${keyPrefix}authfail-cred` });
  }

  /** Throws AuthRateLimitedError while the address, or this credential from it, is refused. */
  async assertAllowed(attempt: AuthAttempt): Promise<void> {
    const states = await Promise.all([
      this.byAddress.get(attempt.address),
      this.byCredential.get(pairKey(attempt)),
    ]);
    const over = states.filter(
      (state): state is RateLimiterRes => state !== null && state.consumedPoints > this.byAddress.points,
    );
    if (over.length > 0) throw rateLimited(over.reduce((a, b) => (a.msBeforeNext >= b.msBeforeNext ? a : b)));
  }

  /** Counts one failure; throws AuthRateLimitedError if it took the credential or the address over the limit. */
  async recordFailure(attempt: AuthAttempt): Promise<void> {
    try {
      const counted = await this.byCredential.consume(pairKey(attempt));
      if (counted.consumedPoints === 1) await this.byAddress.consume(attempt.address);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw rateLimited(error);
      throw error;
    }
  }
}

function pairKey(attempt: AuthAttempt): string {
  return `${attempt.address}|${attempt.credentialId}`;
}

function rateLimited(state: RateLimiterRes): AuthRateLimitedError {
  return new AuthRateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
}
