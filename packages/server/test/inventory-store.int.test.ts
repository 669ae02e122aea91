import { randomUUID } from 'node:crypto';
import type { InventoryServer } from '@exrollout/core';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeysWithPrefix } from '../src/redis.js';
import { redisKeys } from '../src/redis-keys.js';
import { InventoryStore } from '../src/stores/inventory-store.js';
import { type RedisProcess, startRedisProcess } from './redis-process.js';

const host = { architecture: 'x64', pendingReboot: false } as const;
const hub = (name: string, build: string): InventoryServer => ({
  name,
  site: 'HQ',
  build,
  roles: ['HubTransport'],
});
const node = (name: string, role: 'active' | 'passive'): InventoryServer => ({
  name,
  site: 'HQ',
  build: '8.1.311.3',
  roles: ['Mailbox'],
  cluster: { type: 'CCR', name: 'CLU1', role, ...(role === 'active' ? { cms: 'CMS1' } : {}) },
});

const session = { session: 's1', instance: 'i1', agentVersion: '0.1.0', driver: 'simulated' };

let cleanUp: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanUp.reverse()) await step();
  cleanUp = [];
});

async function storeOn(url: string | undefined): Promise<{ store: InventoryStore; redis: Redis }> {
  const redis = await connectRedis(url ?? 'redis://127.0.0.1:6379');
  const prefix = `test-${randomUUID()}:`;
  cleanUp.push(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  });
  return { store: new InventoryStore(redis, redisKeys(prefix)), redis };
}

describe('inventory store', () => {
  it('stores the reports of many agents sent at once, each with its own build history', async () => {
    const { store } = await storeOn(process.env.REDIS_URL);
    const names = Array.from({ length: 250 }, (_, i) => `HUB${String(i).padStart(3, '0')}`);
    await Promise.all(names.map((name) => store.connected(name, session, new Date())));
    const first = await Promise.all(
      names.map((name) =>
        store.report(name, hub(name, '8.1.311.3'), host, new Date().toISOString(), new Date()),
      ),
    );
    expect(first.every((change) => change?.from === null && change.to === '8.1.311.3')).toBe(true);

    // Every other server moves to RU6; the rest report what they had.
    const second = await Promise.all(
      names.map((name, i) =>
        store.report(
          name,
          hub(name, i % 2 ? '8.1.340.1' : '8.1.311.3'),
          host,
          '2009-03-01T00:00:00Z',
          new Date(),
        ),
      ),
    );
    expect(second.filter((change) => change !== undefined)).toHaveLength(125);
    expect(second[1]).toMatchObject({ from: '8.1.311.3', to: '8.1.340.1' });

    const list = await store.list();
    expect(list).toHaveLength(250);
    expect(list.every((record) => record.online)).toBe(true);
    expect((await store.get('HUB001'))?.report.build).toBe('8.1.340.1');
    expect((await store.history('HUB001')).map((change) => [change.from, change.to])).toEqual([
      ['8.1.311.3', '8.1.340.1'],
      [null, '8.1.311.3'],
    ]);
    expect(await store.history('HUB000')).toHaveLength(1);
  });

  it('knows the other nodes of a cluster from their reports', async () => {
    const { store } = await storeOn(process.env.REDIS_URL);
    await Promise.all(['MBX1', 'MBX2'].map((name) => store.connected(name, session, new Date())));
    await Promise.all([
      store.report('MBX1', node('MBX1', 'active'), host, new Date().toISOString(), new Date()),
      store.report('MBX2', node('MBX2', 'passive'), host, new Date().toISOString(), new Date()),
    ]);
    expect((await store.clusterPeers('CLU1', 'MBX1')).map((peer) => peer.name)).toEqual(['MBX2']);
  });

  it('keeps recording reports, heartbeats and disconnects after Redis restarted and forgot its scripts', async () => {
    const redisServer: RedisProcess = await startRedisProcess();
    cleanUp.push(() => redisServer.stop());
    const { store } = await storeOn(redisServer.url);
    await store.connected('HUB1', session, new Date());
    await store.report('HUB1', hub('HUB1', '8.1.311.3'), host, new Date().toISOString(), new Date());

    await redisServer.restart();
    expect(await store.disconnected('HUB1', 's1')).toBe(true);
    expect((await store.get('HUB1'))?.online).toBe(false);
    await store.touch('HUB1', new Date());
    expect((await store.get('HUB1'))?.online).toBe(true);
    const change = await store.report(
      'HUB1',
      hub('HUB1', '8.1.340.1'),
      host,
      new Date().toISOString(),
      new Date(),
    );
    expect(change).toMatchObject({ from: '8.1.311.3', to: '8.1.340.1' });
  });
});
