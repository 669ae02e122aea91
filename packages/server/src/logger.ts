import type { FastifyBaseLogger } from 'fastify';

/** The logger every component receives: pino's interface, as Fastify types it. */
export type Logger = FastifyBaseLogger;
