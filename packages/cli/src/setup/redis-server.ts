import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { CliError, EXIT } from '../errors.js';

/** A redis-server this process started, with its data in a folder of its own. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Where it keeps its data; removed by `stop`. */
  readonly dir: string;
  stop(): Promise<void>;
}

/** True when a Redis answers PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * Starts `binary` on 127.0.0.1 (on `port`, or a free one) with no config file and its data in a new temporary
 * folder, and waits until it answers. It runs in its own process group, so that a Ctrl-C meant for this process
 * does not take it down before this process has cleaned up; it is killed when this process exits.
 */
export async function startRedisServer(
  binary: string,
  options: { readonly port?: number; readonly appendOnly?: boolean } = {},
): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'exrollout-redis-'));
  const persistence = options.appendOnly ? ['--appendonly', 'yes'] : ['--appendonly', 'no'];
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--save', '', '--dir', dir],
    { stdio: 'ignore', detached: true },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await redisAnswers(url)) return { url, port, dir, stop };
    if (child.exitCode !== null || child.pid === undefined) break;
    await sleep(50);
  }
  await stop();
  throw new CliError(
    'CLI_ERR_REDIS_START',
    `${binary} did not answer on 127.0.0.1:${port} within 5 s (is the port taken?)`,
    EXIT.INTERNAL,
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}
