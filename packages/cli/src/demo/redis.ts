import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { CliError, EXIT } from '../errors.js';

/** A Redis the demo can use, and how to let go of it. */
export interface DemoRedis {
  readonly url: string;
  /** True when the demo started its own redis-server. */
  readonly private: boolean;
  stop(): Promise<void>;
}

/** Uses the Redis at `url` if it answers; otherwise starts a private redis-server on a free port. */
export async function ensureRedis(url: string, say: (line: string) => void): Promise<DemoRedis> {
  if (await answers(url)) return { url, private: false, stop: async () => undefined };
  if (spawnSync('redis-server', ['--version']).error)
    throw new CliError(
      'CLI_ERR_REDIS_MISSING',
      `no Redis answers at ${url}, and there is no redis-server to start one: install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL`,
      EXIT.USAGE,
    );
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'exrollout-demo-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--save', '', '--dir', dir],
    { stdio: 'ignore' },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100 && !(await answers(privateUrl)); attempt++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  say(`no Redis at ${url}: started a private redis-server on 127.0.0.1:${port} (data in ${dir})`);
  return {
    url: privateUrl,
    private: true,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function answers(url: string): Promise<boolean> {
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}
