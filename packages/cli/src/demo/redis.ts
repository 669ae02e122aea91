import { redactUrl } from '@exrollout/server';
import { REDIS_SERVER } from '../setup/decide.js';
import { findOrInstall } from '../setup/find-or-install.js';
import { findOnPath, type SetupEnv } from '../setup/host.js';
import { redisAnswers, startRedisServer } from '../setup/redis-server.js';

/** A Redis the demo can use, and how to let go of it. */
export interface DemoRedis {
  readonly url: string;
  /** True when the demo started its own redis-server. */
  readonly private: boolean;
  stop(): Promise<void>;
}

/** The switch that keeps the demo from installing redis-server. */
export const DEMO_NO_INSTALL = 'EXR_DEMO_NO_INSTALL';

/**
 * Uses the Redis at `url` if it answers; otherwise starts a private redis-server on a free port, with its data in
 * a folder of its own: the one on the PATH, or one it installs with apt-get where it may (see `findOrInstall`).
 */
export async function ensureRedis(
  url: string,
  env: SetupEnv,
  say: (line: string) => void,
): Promise<DemoRedis> {
  if (await redisAnswers(url)) return { url, private: false, stop: async () => undefined };
  const shown = redactUrl(url);
  const binary = await findOrInstall({
    name: 'redis-server',
    needed: REDIS_SERVER,
    find: () => findOnPath('redis-server', env),
    service: 'redis-server',
    env,
    disableVar: DEMO_NO_INSTALL,
    code: 'CLI_ERR_REDIS_MISSING',
    why: `no Redis answers at ${shown} and there is no redis-server on the PATH to start one`,
    orElse: 'or set REDIS_URL to a Redis that answers',
    say,
  });
  const redis = await startRedisServer(binary, { appendOnly: true });
  say(
    `no Redis at ${shown}: started a private redis-server on 127.0.0.1:${redis.port} (data in ${redis.dir})`,
  );
  return { url: redis.url, private: true, stop: () => redis.stop() };
}
