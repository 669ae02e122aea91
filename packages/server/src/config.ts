import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { formatPath, schemaIssues } from '@exrollout/core';
import Type, { type Static } from 'typebox';
import { ConfigError } from './errors.js';

/** Server configuration, read from the environment once at start and frozen. */
export const ServerConfig = Type.Object({
  /** Address to listen on. @default 127.0.0.1 */
  host: Type.String({ minLength: 1 }),
  /** TCP port; 0 picks a free one. @default 8080 */
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** Redis connection URL. @default redis://127.0.0.1:6379 */
  redisUrl: Type.String({ pattern: '^rediss?://' }),
  /**
   * Redis Sentinels (host:port, comma-separated) that name the primary; with them, REDIS_URL gives only the
   * password and database, and every connection follows a failover. @default none
   */
  redisSentinels: Type.Optional(
    Type.String({ minLength: 1, maxLength: 1000, pattern: '^[A-Za-z0-9.:\\[\\]_, -]+$' }),
  ),
  /** The Sentinel master name of the primary; required with redisSentinels. */
  redisMasterName: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' })),
  /** Prefix of every Redis key, so that several deployments or tests share one Redis. @default exr: */
  redisPrefix: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9:_.-]+$' }),
  /** TLS certificate and key files (PEM); both or neither. */
  tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
  tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** How often agents send a heartbeat, and the server pings them. @default 15000 */
  heartbeatIntervalMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /** An agent not heard from for this long is marked offline; must exceed the heartbeat interval. @default 45000 */
  offlineAfterMs: Type.Integer({ minimum: 200, maximum: 3_600_000 }),
  /** How often agents re-send their inventory unasked. @default 300000 */
  inventoryIntervalMs: Type.Integer({ minimum: 1000, maximum: 86_400_000 }),
  /**
   * How long a new connection has to send its request's headers, and an agent its HELLO once connected; a socket
   * that says nothing in that time is closed. @default 10000
   */
  helloTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /** INVENTORY messages one agent may send within the window; the ones over it are refused. @default 60 */
  inventoryLimit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  /** The window over which an agent's INVENTORY messages are counted, in seconds. @default 60 */
  inventoryLimitWindowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
  /** Invalid messages an agent may send before it is disconnected. @default 10 */
  maxInvalidMessages: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** Engine jobs this instance processes at once. @default 16 */
  jobConcurrency: Type.Integer({ minimum: 1, maximum: 1000 }),
  /** How long an engine job stays locked to an instance; a dead instance's jobs move on after it. @default 30000 */
  jobLockMs: Type.Integer({ minimum: 1000, maximum: 600_000 }),
  /**
   * Audit events kept per rollout; older ones are dropped, and every page of the trail says how many. 0, the
   * default, keeps every one: a live rollout's trail is never trimmed, and archiving bounds finished ones. @default 0
   */
  auditEventsMax: Type.Union([Type.Literal(0), Type.Integer({ minimum: 100, maximum: 10_000_000 })]),
  /**
   * A finished rollout whose state has not changed for this long is archived: one compressed record that
   * `rollouts show` and `events` still read replaces its working keys. 0 keeps them for ever. @default 2592000 (30 days)
   */
  archiveAfterSeconds: Type.Integer({ minimum: 0, maximum: 315_360_000 }),
  /** Failed authentications one client address may make within the window before it is refused. @default 20 */
  authFailureLimit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  /** The window over which failed authentications are counted, in seconds. @default 300 */
  authFailureWindowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
  /** How long an address that went over the limit is refused, in seconds. @default 900 */
  authBlockSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
  /** Proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the client. @default none */
  trustProxy: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, pattern: '^[0-9A-Fa-f.:/, ]+$' })),
  /**
   * How long a stopping instance waits for its work to finish before it exits anyway (as while Redis is down).
   * @default 10000
   */
  shutdownTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /**
   * Balancers (addresses or CIDRs, comma-separated) whose connections begin with a PROXY protocol header (v1 or
   * v2) naming the client; their connections without one are closed. @default none
   */
  proxyProtocolFrom: Type.Optional(
    Type.String({ minLength: 1, maxLength: 1000, pattern: '^[0-9A-Fa-f.:/, ]+$' }),
  ),
  /**
   * The package store: an absolute path to a folder every instance mounts (a shared volume); uploads and agents'
   * downloads are refused without it. @default none
   */
  packageDir: Type.Optional(Type.String({ minLength: 2, maxLength: 1024, pattern: '^/' })),
  /** Megabits per second this instance sends packages to agents at, all downloads together; 0 is no limit. @default 0 */
  packageMbps: Type.Integer({ minimum: 0, maximum: 100_000 }),
  /** pino log level. @default info */
  logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** This instance's id in logs and in Redis. @default <hostname>-<pid>-<random> */
  instanceId: Type.String({ minLength: 1, maxLength: 128 }),
});
export type ServerConfig = Static<typeof ServerConfig>;

const ENV = {
  host: 'EXR_HOST',
  port: 'EXR_PORT',
  redisUrl: 'REDIS_URL',
  redisSentinels: 'EXR_REDIS_SENTINELS',
  redisMasterName: 'EXR_REDIS_MASTER_NAME',
  redisPrefix: 'EXR_REDIS_PREFIX',
  tlsCertFile: 'EXR_TLS_CERT',
  tlsKeyFile: 'EXR_TLS_KEY',
  heartbeatIntervalMs: 'EXR_HEARTBEAT_INTERVAL_MS',
  offlineAfterMs: 'EXR_OFFLINE_AFTER_MS',
  inventoryIntervalMs: 'EXR_INVENTORY_INTERVAL_MS',
  helloTimeoutMs: 'EXR_HELLO_TIMEOUT_MS',
  inventoryLimit: 'EXR_INVENTORY_LIMIT',
  inventoryLimitWindowSeconds: 'EXR_INVENTORY_LIMIT_WINDOW_SECONDS',
  maxInvalidMessages: 'EXR_MAX_INVALID_MESSAGES',
  jobConcurrency: 'EXR_JOB_CONCURRENCY',
  jobLockMs: 'EXR_JOB_LOCK_MS',
  auditEventsMax: 'EXR_AUDIT_EVENTS_MAX',
  archiveAfterSeconds: 'EXR_ARCHIVE_AFTER_SECONDS',
  authFailureLimit: 'EXR_AUTH_FAILURE_LIMIT',
  authFailureWindowSeconds: 'EXR_AUTH_FAILURE_WINDOW_SECONDS',
  authBlockSeconds: 'EXR_AUTH_BLOCK_SECONDS',
  trustProxy: 'EXR_TRUST_PROXY',
  shutdownTimeoutMs: 'EXR_SHUTDOWN_TIMEOUT_MS',
  proxyProtocolFrom: 'EXR_PROXY_PROTOCOL_FROM',
  packageDir: 'EXR_PACKAGE_DIR',
  packageMbps: 'EXR_PACKAGE_MBPS',
  logLevel: 'EXR_LOG_LEVEL',
  instanceId: 'EXR_INSTANCE_ID',
} as const satisfies Record<keyof ServerConfig, string>;

const NUMERIC = new Set<keyof ServerConfig>([
  'port',
  'heartbeatIntervalMs',
  'offlineAfterMs',
  'inventoryIntervalMs',
  'helloTimeoutMs',
  'inventoryLimit',
  'inventoryLimitWindowSeconds',
  'maxInvalidMessages',
  'jobConcurrency',
  'jobLockMs',
  'auditEventsMax',
  'authFailureLimit',
  'authFailureWindowSeconds',
  'authBlockSeconds',
  'shutdownTimeoutMs',
  'archiveAfterSeconds',
  'packageMbps',
]);

/** The environment variable that sets each config field, for docs and error messages. */
export const CONFIG_ENV: Readonly<Record<keyof ServerConfig, string>> = ENV;

/** Reads, checks and freezes the configuration; throws ConfigError naming each bad variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ServerConfig> = {},
): Readonly<ServerConfig> {
  const raw: Record<string, unknown> = {
    host: '127.0.0.1',
    port: 8080,
    redisUrl: 'redis://127.0.0.1:6379',
    redisPrefix: 'exr:',
    heartbeatIntervalMs: 15_000,
    offlineAfterMs: 45_000,
    inventoryIntervalMs: 300_000,
    helloTimeoutMs: 10_000,
    inventoryLimit: 60,
    inventoryLimitWindowSeconds: 60,
    maxInvalidMessages: 10,
    jobConcurrency: 16,
    jobLockMs: 30_000,
    auditEventsMax: 0,
    archiveAfterSeconds: 2_592_000,
    authFailureLimit: 20,
    authFailureWindowSeconds: 300,
    authBlockSeconds: 900,
    shutdownTimeoutMs: 10_000,
    packageMbps: 0,
    logLevel: 'info',
    instanceId: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  };
  const problems: string[] = [];
  for (const [field, variable] of Object.entries(ENV) as [keyof ServerConfig, string][]) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    if (!NUMERIC.has(field)) raw[field] = text;
    else if (/^\d+$/.test(text.trim())) raw[field] = Number(text);
    else problems.push(`${variable}=${JSON.stringify(text)}: must be a whole number`);
  }
  Object.assign(raw, overrides);
  for (const issue of schemaIssues(ServerConfig, raw)) {
    const field = formatPath(issue.path) as keyof ServerConfig;
    problems.push(`${ENV[field] ?? field}: ${issue.message}`);
  }
  problems.push(...crossFieldProblems(raw as ServerConfig));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(raw as ServerConfig);
}

function crossFieldProblems(config: ServerConfig): string[] {
  const problems: string[] = [];
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined))
    problems.push(`${ENV.tlsCertFile} and ${ENV.tlsKeyFile}: set both for TLS, or neither`);
  if (config.offlineAfterMs <= config.heartbeatIntervalMs)
    problems.push(
      `${ENV.offlineAfterMs} (${config.offlineAfterMs}) must be greater than ${ENV.heartbeatIntervalMs} (${config.heartbeatIntervalMs})`,
    );
  if ((config.redisSentinels === undefined) !== (config.redisMasterName === undefined))
    problems.push(`${ENV.redisSentinels} and ${ENV.redisMasterName}: set both for Sentinel, or neither`);
  if (config.redisSentinels !== undefined)
    for (const address of config.redisSentinels.split(',').map((part) => part.trim()))
      if (parseHostPort(address) === undefined)
        problems.push(`${ENV.redisSentinels}: ${JSON.stringify(address)} is not host:port`);
  if (config.proxyProtocolFrom !== undefined)
    for (const entry of config.proxyProtocolFrom.split(',').map((part) => part.trim()))
      if (!addressOrCidr(entry))
        problems.push(`${ENV.proxyProtocolFrom}: ${JSON.stringify(entry)} is not an address or CIDR`);
  return problems;
}

function addressOrCidr(entry: string): boolean {
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** A Sentinel's address. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The Sentinels of a configuration (empty without Sentinel); each was checked by loadConfig. */
export function sentinelAddresses(config: Pick<ServerConfig, 'redisSentinels'>): HostPort[] {
  if (config.redisSentinels === undefined) return [];
  return config.redisSentinels
    .split(',')
    .map((part) => parseHostPort(part.trim()))
    .filter((address): address is HostPort => address !== undefined);
}

function parseHostPort(text: string): HostPort | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}
