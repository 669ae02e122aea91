import type { FastifyInstance } from 'fastify';
import { ServerError } from './errors.js';

/** The server could not listen on its address; `errno` is the system's code (EADDRINUSE when the port is taken). */
export class ListenError extends ServerError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly errno: string | undefined,
    cause: unknown,
    hint?: string,
  ) {
    const message = `cannot listen on ${host}:${port}: ${why(errno, cause)}${hint ? `; ${hint}` : ''}`;
    super('SRV_ERR_LISTEN_FAILED', 500, message, { cause });
    this.name = 'ListenError';
  }
}

function why(errno: string | undefined, cause: unknown): string {
  if (errno === 'EADDRINUSE') return 'the port is in use by another process (EADDRINUSE)';
  if (errno === 'EACCES') return 'permission denied (EACCES): ports below 1024 need privileges';
  if (errno === 'EADDRNOTAVAIL') return 'this machine has no such address (EADDRNOTAVAIL)';
  return cause instanceof Error ? cause.message : String(cause);
}

/** Listens on host:port and resolves to the address; a failure becomes a ListenError naming its cause (and `hint`). */
export async function listenOn(
  app: FastifyInstance,
  host: string,
  port: number,
  hint?: string,
): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (error) {
    const errno = (error as { code?: unknown } | null)?.code;
    throw new ListenError(host, port, typeof errno === 'string' ? errno : undefined, error, hint);
  }
}
