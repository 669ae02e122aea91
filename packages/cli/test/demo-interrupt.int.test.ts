import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/exrollout.mjs', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
afterAll(() => redis.quit());

async function keysWith(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

describe('exrollout demo interrupted', () => {
  it.each([
    ['Ctrl-C', 'SIGINT'],
    ['its terminal closing', 'SIGHUP'],
  ] as const)(
    'on %s during the rollout, stops and deletes every key it wrote to the shared Redis (exit 130)',
    async (_, signal) => {
      const child = spawn(process.execPath, [BIN, 'demo', '--port', '0', '--install-seconds', '5'], {
        env: { ...process.env, REDIS_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const started = new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          // Some servers are in the middle of a step: commands, runs, jobs and events are all in Redis.
          if (/running install/.test(output)) resolve();
        }),
      );
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await Promise.race([started, exited]);
      const prefix = /start with (demo-[0-9a-f]+:)/.exec(output)?.[1];
      expect(prefix, output).toBeDefined();
      expect((await keysWith(prefix ?? '')).length).toBeGreaterThan(0);
      child.kill(signal);
      expect(await exited, output).toBe(130);
      expect(output).toContain('interrupted: stopping the fleet and the server');
      expect(await keysWith(prefix ?? '')).toEqual([]);
    },
    120_000,
  );
});
