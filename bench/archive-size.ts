// What archiving saves: a rollout of N simulated servers (default 500; EXR_ARCHIVE_BENCH_SERVERS), completed,
// then its working keys' MEMORY USAGE against the size of the archive record that replaces them.
// Run: npm run build && npx vite-node bench/archive-size.ts
import type { Redis } from 'ioredis';
import { createRollout, fleetFor, sim, until } from '../packages/server/test/fleet-helpers.js';
import { api, startTestServer } from '../packages/server/test/helpers.js';

const COUNT = Number(process.env.EXR_ARCHIVE_BENCH_SERVERS ?? 500);

async function memoryOf(redis: Redis, pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const key of found) {
      if (key.includes(':bull:')) continue;
      keys += 1;
      bytes += Number((await redis.memory('USAGE', key)) ?? 0);
    }
    cursor = next;
  } while (cursor !== '0');
  return { keys, bytes };
}

const server = await startTestServer({
  archiveAfterSeconds: 0,
  heartbeatIntervalMs: 5000,
  offlineAfterMs: 20_000,
});
const names = Array.from({ length: COUNT }, (_, i) => `HUB${String(i + 1).padStart(4, '0')}`);
const fleet = await fleetFor(server, {
  servers: names.map((name) => sim(name, ['HubTransport'], { behaviour: { installSeconds: 0.05 } })),
});
try {
  const id = await createRollout(server, { approvalRequired: false, concurrency: 100 });
  await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
  await until(server, id, ['completed'], 600_000);
  const working = await memoryOf(server.redis, `${server.prefix}*${id}*`);
  const [archived] = await server.engine.archiveFinished(0);
  const after = await memoryOf(server.redis, `${server.prefix}*${id}*`);
  console.log(
    JSON.stringify({
      servers: COUNT,
      workingKeys: working.keys,
      workingBytes: working.bytes,
      archiveBytes: archived?.bytes,
      keysAfter: after.keys,
      bytesAfter: after.bytes,
      perServerWorking: Math.round(working.bytes / COUNT),
      perServerArchived: Math.round((archived?.bytes ?? 0) / COUNT),
    }),
  );
} finally {
  await fleet.stop();
  await server.close();
}
