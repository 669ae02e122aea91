#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { buildServer } from './app.js';
import { ROLES, type Role } from './auth/roles.js';
import { loadConfig } from './config.js';
import { ServerError } from './errors.js';
import { listenOn } from './listen.js';
import { createRootLogger } from './logger.js';
import { connectRedis, describeTarget, redisTarget } from './redis.js';
import { redisKeys } from './redis-keys.js';
import { TokenStore } from './stores/token-store.js';

const USAGE = `usage:
  exrollout-server [start]                                 run the server (config from EXR_* and REDIS_URL)
  exrollout-server token create --role ROLE --name NAME    create an operator API token (run on the server host)
  roles: ${ROLES.join(', ')}`;

async function main(argv: string[]): Promise<number> {
  const [command = 'start', subcommand] = argv;
  if (command === 'start') return start();
  if (command === 'token' && subcommand === 'create') return createToken(argv.slice(2));
  process.stderr.write(`${USAGE}\n`);
  return command === '--help' || command === 'help' ? 0 : 2;
}

async function start(): Promise<number> {
  const config = loadConfig();
  const logger = createRootLogger(config.logLevel);
  const redis = await connectRedis(redisTarget(config));
  const server = await buildServer({ config, logger, redis });
  const address = await listenOn(server.app, config.host, config.port, 'set EXR_PORT (or EXR_HOST)').catch(
    async (error: unknown) => {
      // Closed first, or the workers and the Redis connection would keep a server that cannot listen alive.
      await server.app.close();
      await redis.quit();
      throw error;
    },
  );
  logger.info(
    { address, redis: describeTarget(redisTarget(config)), instance: config.instanceId },
    'exrollout server listening',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  exitAfter(config.shutdownTimeoutMs, logger);
  await server.app.close();
  await redis.quit().catch(() => redis.disconnect());
  return 0;
}

// With Redis down, closing waits on work that cannot finish (jobs, agents' bookkeeping, the queue's connections):
// the stop is bounded all the same, and a second signal ends it at once.
function exitAfter(timeoutMs: number, logger: ReturnType<typeof createRootLogger>): void {
  const exit = (why: string) => {
    logger.error({ timeoutMs }, `exiting before the shutdown finished: ${why}`);
    process.exit(1);
  };
  setTimeout(() => exit('it took too long'), timeoutMs).unref();
  process.once('SIGINT', () => exit('second signal'));
  process.once('SIGTERM', () => exit('second signal'));
}

async function createToken(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
  });
  const role = values.role as Role | undefined;
  if (!role || !ROLES.includes(role) || !values.name) {
    process.stderr.write(
      `exrollout-server: --role (${ROLES.join(', ')}) and --name are required\n${USAGE}\n`,
    );
    return 2;
  }
  const config = loadConfig();
  const redis = await connectRedis(redisTarget(config));
  try {
    const issued = await new TokenStore(redis, redisKeys(config.redisPrefix)).createOperatorToken(
      values.name,
      role,
    );
    if (values.json) process.stdout.write(`${JSON.stringify(issued)}\n`);
    else process.stdout.write(`${issued.token}\n`);
    process.stderr.write(
      `created ${role} token ${issued.id} (${values.name}); it is shown once: keep it secret\n`,
    );
    return 0;
  } finally {
    await redis.quit();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof ServerError;
    process.stderr.write(`exrollout-server: ${known ? error.message : (error as Error).stack}\n`);
    process.exitCode = known ? 2 : 1;
  },
);
