import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from '../../packages/server/test/redis-process.js';
import { sleep } from './types.js';

/** A private redis-server without persistence, so that its command counters hold one bench's work only. */
export interface BenchRedis {
  readonly url: string;
  readonly pid: number;
  /** Calls per command since start, from INFO commandstats (commands inside MULTI count at EXEC). */
  commandCalls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Starts redis-server on a free port on 127.0.0.1, no RDB and no AOF. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxclients',
      '1000',
    ],
    { stdio: 'ignore' },
  );
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    await connectWithin(client, 5000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (child.pid === undefined) throw new Error('redis-server did not start');
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    commandCalls: async () => parseCommandStats(await client.info('commandstats')),
    stop: () => stop(child, client),
  };
}

async function connectWithin(client: Redis, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      client.disconnect();
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

async function stop(child: ChildProcess, client: Redis): Promise<void> {
  client.disconnect();
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** `cmdstat_hset:calls=12,usec=...` lines to `{ hset: 12 }`. */
function parseCommandStats(text: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (match[1] !== undefined) calls[match[1]] = Number(match[2]);
  return calls;
}
