import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script, called by its SHA-1 (EVALSHA) and sent in full only when Redis does not have it. */
export class RedisScript {
  readonly sha: string;

  constructor(readonly body: string) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }
}

/**
 * Calls per pipeline: one socket write each. Kept small enough that a pipeline's text (about 1 KB a report)
 * stays a young, short-lived string instead of a large object that only a full garbage collection frees.
 */
const MAX_PIPELINE = 100;

interface Call {
  readonly script: RedisScript;
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends the script calls made during one turn of the event loop as one pipeline: thousands of agents' reports
 * and heartbeats cost one socket write and one round trip, instead of a write (a system call) each.
 */
export class ScriptBatch {
  #calls: Call[] = [];

  constructor(private readonly redis: Redis) {}

  /** Runs `script` with `keys` and `args` in this turn's pipeline; resolves with its reply. */
  call(script: RedisScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#calls.length === 0) setImmediate(() => this.#flushAll());
      this.#calls.push({ script, keys, args, resolve, reject });
    });
  }

  #flushAll(): void {
    const calls = this.#calls;
    this.#calls = [];
    for (let from = 0; from < calls.length; from += MAX_PIPELINE)
      void this.#flush(calls.slice(from, from + MAX_PIPELINE));
  }

  async #flush(calls: readonly Call[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const { script, keys, args } of calls) pipeline.evalsha(script.sha, keys.length, ...keys, ...args);
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (error) {
      for (const call of calls) call.reject(error);
      return;
    }
    for (const [index, call] of calls.entries()) this.#settle(call, replies[index]);
  }

  #settle(call: Call, reply: [Error | null, unknown] | undefined): void {
    const [error, result] = reply ?? [new Error('Redis sent no reply for a pipelined script call')];
    if (!error) call.resolve(result);
    else if (!error.message.startsWith('NOSCRIPT')) call.reject(error);
    // Redis restarted or was flushed since it last saw the script: send it in full, once.
    else
      this.redis
        .eval(call.script.body, call.keys.length, ...call.keys, ...call.args)
        .then(call.resolve, call.reject);
  }
}
