import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { DestinationStream, LevelWithSilent } from 'pino';
import pino from 'pino';

/** The logger every component receives: pino's interface, as Fastify types it. */
export type Logger = FastifyBaseLogger;

const CENSOR = '[redacted]';
// The server's own secrets (exo_, exa_, exe_), a bearer value, and the password of a URL such as a Redis one.
const SECRET_SHAPES: readonly [RegExp, string][] = [
  [/\b(ex[aoe])_[A-Za-z0-9_-]+/g, `$1_${CENSOR}`],
  [/\b(Bearer)\s+[^\s"\\,;]+/gi, `$1 ${CENSOR}`],
  [/(\/\/[^/\s"@:]*):[^/\s"@]*@/g, `$1:${CENSOR}@`],
];

/** Replaces every credential-like value in a text (a secret, a bearer value, a URL's password) by `[redacted]`. */
export function scrubSecrets(text: string): string {
  let scrubbed = text;
  for (const [shape, replacement] of SECRET_SHAPES) scrubbed = scrubbed.replace(shape, replacement);
  return scrubbed;
}

/** A request URL as it may be logged: its path with secrets scrubbed, its query string (if any) withheld. */
export function loggableUrl(url: string): string {
  const query = url.indexOf('?');
  const path = scrubSecrets(query === -1 ? url : url.slice(0, query));
  return query === -1 ? path : `${path}?${CENSOR}`;
}

/** Fastify's request serializer, but with loggableUrl: a secret sent in a query string never reaches the log. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * The logger the server's code and Fastify log through: a child of `root` that logs request URLs without their
 * query strings, whatever logger the caller made.
 */
export function serverLogger(root: Logger): Logger {
  return root.child({}, { serializers: { req: serializeRequest } });
}

/**
 * The process's root logger (main.ts): JSON lines, with the fields that carry secrets redacted, and every line
 * scrubbed of credential-like values as it is written, as a last net under code that never logs a secret.
 */
export function createRootLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'token',
          'credential',
          '*.token',
          '*.credential',
        ],
        censor: CENSOR,
      },
      hooks: { streamWrite: scrubSecrets },
    },
    destination,
  );
}
