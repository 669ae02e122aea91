import { CoreError, InventoryError } from '@exrollout/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ServerError } from './errors.js';
import { scrubSecrets } from './logger.js';

/** Maps every error to `{ code, message }` with the right status; unexpected ones are logged and hidden. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Refused before its body was read (authentication comes first): the socket would otherwise wait for the rest
    // of a body no one will read, and a client that stops sending it would hold the socket open.
    if (!request.raw.complete) reply.header('connection', 'close');
    // A refusal may quote what it refused, which may be a secret sent in the wrong place.
    const message = scrubSecrets(error.message);
    if (error instanceof ServerError) return reply.code(error.statusCode).send({ code: error.code, message });
    if (error instanceof CoreError) {
      const issues = error instanceof InventoryError ? { issues: error.issues } : {};
      return reply.code(400).send({ code: error.code, message, ...issues });
    }
    if (error.validation) return reply.code(400).send({ code: 'SRV_ERR_VALIDATION', message });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return reply.code(error.statusCode).send({ code: error.code ?? 'SRV_ERR_BAD_REQUEST', message });
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ code: 'SRV_ERR_INTERNAL', message: 'internal error; see the server log' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 'SRV_ERR_NOT_FOUND',
      message: `no route ${request.method} ${scrubSecrets(request.url.split('?')[0] ?? '')}`,
    }),
  );
}
