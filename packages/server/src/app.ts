import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AuthFailureLimiter } from './auth/auth-limiter.js';
import { Authenticator } from './auth/authenticator.js';
import { Bus } from './bus.js';
import type { ServerConfig } from './config.js';
import { RolloutEngine } from './engine/engine.js';
import { JobQueue } from './engine/queue.js';
import { installErrorHandler } from './error-handler.js';
import { ConfigError } from './errors.js';
import { CLOSE } from './gateway/close-codes.js';
import type { AgentConnection } from './gateway/connection.js';
import { InventoryLimiter } from './gateway/inventory-limiter.js';
import { gatewayPlugin } from './gateway/plugin.js';
import { ConnectionRegistry } from './gateway/registry.js';
import { type Logger, serverLogger } from './logger.js';
import { openApi } from './openapi.js';
import { packageDownloadRoute } from './packages/download.js';
import { packageRoutes } from './packages/routes.js';
import { PackageStore } from './packages/store.js';
import { throttleFor } from './packages/throttle.js';
import { acceptProxyProtocol } from './proxy-listener.js';
import { readinessRoute } from './readiness.js';
import { redisKeys } from './redis-keys.js';
import { adminRoutes } from './routes/admin.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { meRoutes } from './routes/me.js';
import { OpenStreams } from './routes/open-streams.js';
import { pinRoutes } from './routes/pins.js';
import { planRoutes } from './routes/plans.js';
import { rolloutRoutes } from './routes/rollouts.js';
import { serverRoutes } from './routes/servers.js';
import { securityHeaders } from './security-headers.js';
import { InventoryStore } from './stores/inventory-store.js';
import { TokenStore } from './stores/token-store.js';
import { formatSchemaErrors, installJsonParser, installValidators } from './validation.js';

/** The version the server reports to agents and in the OpenAPI document. */
export const SERVER_VERSION = '0.1.0';

/** What buildApp needs: config, the root logger and a connected Redis client (owned by the caller). */
export interface AppDeps {
  readonly config: Readonly<ServerConfig>;
  readonly logger: Logger;
  readonly redis: Redis;
}

/** A built server: the Fastify instance and its stores, ready to listen. */
export interface ExrolloutServer {
  readonly app: FastifyInstance;
  readonly inventory: InventoryStore;
  readonly tokens: TokenStore;
  readonly connections: ConnectionRegistry<AgentConnection>;
  readonly engine: RolloutEngine;
  /** The package store, when EXR_PACKAGE_DIR names one. */
  readonly packages: PackageStore | undefined;
}

/** Builds the Fastify server: REST API, OpenAPI at /docs, the agent gateway, the offline sweeper. */
export async function buildServer(deps: AppDeps): Promise<ExrolloutServer> {
  const { config, redis } = deps;
  const logger = serverLogger(deps.logger);
  const sockets = socketTimeouts(config);
  const app = Fastify({
    loggerInstance: logger,
    schemaErrorFormatter: formatSchemaErrors,
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, config.helloTimeoutMs),
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    ...(config.tlsCertFile && config.tlsKeyFile
      ? {
          https: { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile), ...sockets },
        }
      : { http: sockets }),
  }) as unknown as FastifyInstance;
  if (config.proxyProtocolFrom)
    acceptProxyProtocol(app.server, {
      from: config.proxyProtocolFrom,
      timeoutMs: config.helloTimeoutMs,
      logger: logger.child({ component: 'proxy-protocol' }),
    });
  const keys = redisKeys(config.redisPrefix);
  const inventory = new InventoryStore(redis, keys);
  const tokens = new TokenStore(redis, keys);
  const auth = new Authenticator(tokens, new AuthFailureLimiter(redis, keys.prefix, config));
  const connections = new ConnectionRegistry<AgentConnection>();
  const packages = await openPackageStore(config);
  const bus = await Bus.open(redis, keys.bus, logger.child({ component: 'bus' }));

  const queue = new JobQueue(
    redis,
    { prefix: keys.queuePrefix, concurrency: config.jobConcurrency, lockDurationMs: config.jobLockMs },
    logger.child({ component: 'jobs' }),
  );
  const engine = new RolloutEngine({
    redis,
    keys,
    inventory,
    bus,
    queue,
    logger: logger.child({ component: 'engine' }),
    eventsMax: config.auditEventsMax,
    deliverLocally: (name, message) => connections.get(name)?.send(message) ?? false,
  });
  engine.start();

  installErrorHandler(app);
  installValidators(app);
  installJsonParser(app);
  await securityHeaders(app, { tls: Boolean(config.tlsCertFile && config.tlsKeyFile) });
  await openApi(app, SERVER_VERSION);
  await app.register(async (scope) => serverRoutes(scope, { inventory, auth }));
  await app.register(async (scope) => pinRoutes(scope, { inventory, auth }));
  await app.register(async (scope) => adminRoutes(scope, { inventory, auth, bus }));
  const streams = new OpenStreams();
  const stopEndingStreams = bus.subscribe((message) => {
    if (message.type === 'operator-revoked') streams.endFor(message.tokenId);
  });
  await app.register(async (scope) => rolloutRoutes(scope, { engine, auth, redis, streams, packages }));
  await app.register(async (scope) => meRoutes(scope, { auth }));
  await app.register(async (scope) => packageRoutes(scope, { store: packages, auth }));
  await app.register(async (scope) =>
    packageDownloadRoute(scope, { store: packages, auth, throttle: throttleFor(config.packageMbps) }),
  );
  await app.register(async (scope) => planRoutes(scope, { inventory, auth }));
  await app.register(async (scope) => dashboardRoutes(scope, { root: dashboardDir() }));
  await app.register(async (scope) =>
    gatewayPlugin(scope, {
      config,
      inventory,
      auth,
      bus,
      commands: engine,
      inventoryLimiter: new InventoryLimiter(redis, keys.prefix, config),
      agentConnected: (name) => engine.agentConnected(name),
      agentDisconnected: (name, code) => engine.agentDisconnected(name, code),
      registry: connections,
      serverVersion: SERVER_VERSION,
    }),
  );
  app.get('/healthz', { schema: { hide: true } }, async () => ({
    ok: true,
    instance: config.instanceId,
    agents: connections.size,
  }));
  readinessRoute(app, {
    redis,
    key: keys.instanceReady(config.instanceId),
    instanceId: config.instanceId,
    timeoutMs: READINESS_TIMEOUT_MS,
  });

  const sweeper = startSweeper(inventory, config, logger.child({ component: 'liveness' }));
  const archiver = startArchiver(engine, config, logger.child({ component: 'archive' }));
  app.addHook('preClose', async () => {
    clearInterval(sweeper);
    clearInterval(archiver);
    stopEndingStreams();
    streams.endAll();
    for (const connection of connections.all()) connection.close(CLOSE.GOING_AWAY, 'server shutting down');
  });
  app.addHook('onClose', async () => {
    // Agents that dropped just before the shutdown are still being written down; Redis is needed for that.
    await connections.closed(5000);
    await queue.close();
    // Changes still being applied (a last agent message) finish before the caller lets go of Redis.
    await engine.idle();
    await bus.close();
  });
  return { app, inventory, tokens, connections, engine, packages };
}

async function openPackageStore(config: Readonly<ServerConfig>): Promise<PackageStore | undefined> {
  if (!config.packageDir) return undefined;
  const store = new PackageStore(config.packageDir);
  try {
    await store.open();
  } catch (error) {
    throw new ConfigError([
      `EXR_PACKAGE_DIR=${config.packageDir}: cannot be used (${(error as Error).message})`,
    ]);
  }
  return store;
}

/** How long the readiness check's write to Redis may take. */
const READINESS_TIMEOUT_MS = 1000;

/** How long a client has to send a whole request, body included (a body is at most 1 MiB). */
const REQUEST_TIMEOUT_MS = 30_000;

// Node's defaults let a socket that sends no request, or half of one, stay open for 60-90 s (headersTimeout 60 s,
// checked every 30 s); a socket must say something within the HELLO timeout, checked every second.
function socketTimeouts(config: Readonly<ServerConfig>) {
  return {
    headersTimeout: config.helloTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, config.helloTimeoutMs),
  };
}

function startSweeper(
  inventory: InventoryStore,
  config: Readonly<ServerConfig>,
  logger: Logger,
): NodeJS.Timeout {
  const timer = setInterval(
    () => {
      inventory
        .sweep(new Date(Date.now() - config.offlineAfterMs))
        .then(
          (names) =>
            names.length > 0 &&
            logger.info({ servers: names.slice(0, 20), count: names.length }, 'marked offline: no heartbeat'),
        )
        .catch((error: unknown) => logger.error({ err: error }, 'offline sweep failed'));
    },
    Math.min(config.heartbeatIntervalMs, config.offlineAfterMs / 2),
  );
  timer.unref();
  return timer;
}

// Every instance looks; the rollout's lock makes one of them archive it. Checked at most every minute.
function startArchiver(
  engine: RolloutEngine,
  config: Readonly<ServerConfig>,
  logger: Logger,
): NodeJS.Timeout | undefined {
  if (config.archiveAfterSeconds === 0) return undefined;
  const afterMs = config.archiveAfterSeconds * 1000;
  const timer = setInterval(
    () => {
      engine
        .archiveFinished(afterMs)
        .then((done) => {
          for (const { id, bytes } of done) logger.info({ rollout: id, bytes }, 'rollout archived');
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'archiving finished rollouts failed'));
    },
    Math.min(60_000, Math.max(1000, afterMs / 2)),
  );
  timer.unref();
  return timer;
}

// The dashboard is a workspace package of its own; found through Node's resolution, so the server imports no code of it.
function dashboardDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@exrollout/dashboard/package.json')), 'dist');
  } catch {
    return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard', 'dist');
  }
}
