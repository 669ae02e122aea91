import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-process.js';

/** The master name the test Sentinels watch. */
export const MASTER_NAME = 'exr-test-primary';

/** A primary, a replica and three Sentinels on 127.0.0.1, each a real process, for failover tests. */
export interface SentinelSet {
  /** The Sentinels' addresses, as EXR_REDIS_SENTINELS takes them. */
  readonly sentinels: string;
  readonly masterName: string;
  /** The port of the node the Sentinels now call the primary. */
  primaryPort(): Promise<number>;
  /** The port of a node the Sentinels call a replica. */
  replicaPort(): Promise<number>;
  /** SENTINEL FAILOVER: the replica is promoted and the old primary demoted; resolves once the switch is done. */
  failover(): Promise<void>;
  /** kill -9 of the primary; resolves once the Sentinels have promoted the replica. */
  killPrimary(): Promise<void>;
  /** Stops both data nodes (the Sentinels stay): Redis cannot be reached at all. */
  stopData(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the five processes and waits until the Sentinels see the replica and each other. */
export async function startSentinelSet(): Promise<SentinelSet> {
  const dir = await mkdtemp(join(tmpdir(), 'exrollout-sentinel-'));
  const children: ChildProcess[] = [];
  const nodes = new Map<number, ChildProcess>();
  const stopAll = async () => {
    await Promise.all(children.map(stopProcess));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [primary, replica] = [await freePort(), await freePort()];
    for (const [port, extra] of [
      [primary, []],
      [replica, ['--replicaof', '127.0.0.1', String(primary)]],
    ] as const) {
      const child = spawnRedis([
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        dir,
        ...extra,
      ]);
      children.push(child);
      nodes.set(port, child);
      await waitAnswers(port);
    }
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`);
      await writeFile(file, sentinelConfig(port, primary, dir));
      // `redis-server --sentinel` is what the redis-sentinel binary runs: no package beyond redis-server is needed.
      children.push(spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' }));
      await waitAnswers(port);
    }
    const ask = (command: string, ...args: string[]) => sentinelCall(sentinelPorts, command, ...args);
    await until(async () => {
      const master = (await ask('sentinel', 'master', MASTER_NAME)) as string[];
      const field = (name: string) => Number(master[master.indexOf(name) + 1]);
      return field('num-slaves') === 1 && field('num-other-sentinels') === 2;
    }, 'the Sentinels to see the replica and each other');
    const primaryPort = async () => {
      const [, port] = (await ask('sentinel', 'get-master-addr-by-name', MASTER_NAME)) as [string, string];
      return Number(port);
    };
    const switched = async (from: number) => {
      await until(async () => (await primaryPort()) !== from, 'the Sentinels to promote the replica');
      await until(
        async () => (await role(await primaryPort())) === 'master',
        'the new primary to take writes',
      );
    };
    return {
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      masterName: MASTER_NAME,
      primaryPort,
      replicaPort: async () => {
        const current = await primaryPort();
        return [...nodes.keys()].find((port) => port !== current) as number;
      },
      failover: async () => {
        const from = await primaryPort();
        await ask('sentinel', 'failover', MASTER_NAME);
        await switched(from);
      },
      killPrimary: async () => {
        const from = await primaryPort();
        const child = nodes.get(from);
        child?.kill('SIGKILL');
        if (child) await once(child, 'exit');
        await switched(from);
      },
      stopData: async () => {
        await Promise.all([...nodes.values()].map(stopProcess));
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function sentinelConfig(port: number, primary: number, dir: string): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primary} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    `sentinel failover-timeout ${MASTER_NAME} 5000`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    '',
  ].join('\n');
}

function spawnRedis(args: string[]): ChildProcess {
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

async function withClient<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function role(port: number): Promise<string> {
  return withClient(port, async (client) => String(((await client.call('role')) as unknown[])[0]));
}

async function sentinelCall(ports: readonly number[], command: string, ...args: string[]): Promise<unknown> {
  let last: unknown;
  for (const port of ports) {
    try {
      return await withClient(port, (client) => client.call(command, ...args));
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

async function waitAnswers(port: number): Promise<void> {
  await until(
    () => withClient(port, async (client) => (await client.ping()) === 'PONG').catch(() => false),
    `a Redis process on port ${port}`,
  );
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
