import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ServerError } from '../errors.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** How long a lock is held at most, and how long to wait for it. */
export interface LockOptions {
  /** The lock expires after this long, so a dead holder cannot block everyone (default 15 s). */
  readonly ttlMs?: number;
  /** How long to wait for the lock before giving up with SRV_ERR_ROLLOUT_BUSY (default 20 s). */
  readonly waitMs?: number;
}

/**
 * Runs `work` holding a Redis lock, so that one rollout is changed by one instance at a time. The work must
 * finish before the lock expires: past that its signal aborts, it fails with SRV_ERR_WORK_TIMEOUT and the lock
 * is released; the work must check the signal before it writes anything.
 */
export async function withLock<T>(
  redis: Redis,
  key: string,
  work: (signal: AbortSignal) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? 15_000;
  const deadline = Date.now() + (options.waitMs ?? 20_000);
  const token = randomUUID();
  let pause = 2;
  while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
    if (Date.now() > deadline)
      throw new ServerError('SRV_ERR_ROLLOUT_BUSY', 503, 'the rollout is busy; try again');
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 10);
  }
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // ioredis 5 can leave a command that was in flight when the connection dropped unsettled for ever (with
  // autoResendUnfulfilledCommands off, redis/ioredis#2193): without a bound, that work would hold the rollout.
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new ServerError(
          'SRV_ERR_WORK_TIMEOUT',
          503,
          `a change to the rollout did not finish within ${Math.round((ttlMs * 2) / 3)} ms (is Redis reachable?); it was abandoned and is retried`,
        );
        controller.abort(error);
        reject(error);
      },
      Math.round((ttlMs * 2) / 3),
    );
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
    await redis.eval(RELEASE, 1, key, token);
  }
}
