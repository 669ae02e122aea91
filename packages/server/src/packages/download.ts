import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { notFound, packageStoreDisabled, rangeNotSatisfiable } from '../errors.js';
import { errorResponse, errorResponses } from '../routes/responses.js';
import { parseRange } from './range.js';
import type { PackageStore } from './store.js';
import type { Throttle } from './throttle.js';

const Sha256Param = Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) });

/**
 * `GET /agent/v1/packages/:sha256` for agents (their credential): the package's bytes, streamed from the store,
 * with HTTP Range so that a cut download resumes, paced by the instance's throttle (EXR_PACKAGE_MBPS).
 */
export async function packageDownloadRoute(
  app: FastifyInstance,
  deps: { store: PackageStore | undefined; auth: Authenticator; throttle: Throttle | undefined },
): Promise<void> {
  app.get(
    '/agent/v1/packages/:sha256',
    {
      onRequest: async (request, reply) => {
        await deps.auth.agent(request, reply);
      },
      schema: {
        tags: ['agents'],
        summary: "Download a stored package (an agent's credential); Range: bytes=N- resumes",
        operationId: 'downloadPackage',
        security: [{ agentCredential: [] }],
        params: Sha256Param,
        response: {
          200: Type.String({ format: 'binary', description: 'The whole package.' }),
          206: Type.String({ format: 'binary', description: 'The range asked for (Content-Range).' }),
          ...errorResponses(400, 401, 404, 429, 500),
          ...errorResponse(416, 'The range starts past the end of the package (SRV_ERR_PACKAGE_RANGE).'),
          ...errorResponse(503, 'The server has no package store (SRV_ERR_PACKAGE_STORE_DISABLED).'),
        },
      },
    },
    async (request, reply) => {
      if (!deps.store) throw packageStoreDisabled();
      const { sha256 } = request.params as Static<typeof Sha256Param>;
      const path = deps.store.blobPath(sha256);
      const info = (await deps.store.get(sha256)) && (await stat(path).catch(() => undefined));
      if (!info) throw notFound(`package ${sha256}`);
      const range = parseRange(request.headers.range, info.size);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${info.size}`);
        throw rangeNotSatisfiable(info.size);
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? info.size - 1;
      reply
        .header('content-type', 'application/octet-stream')
        .header('accept-ranges', 'bytes')
        .header('etag', `"${sha256}"`)
        .header('content-length', String(end - start + 1));
      if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${info.size}`);
      const file = createReadStream(path, { start, end });
      if (!deps.throttle) return reply.send(file);
      const paced = deps.throttle.stream();
      pipeline(file, paced, () => {});
      return reply.send(paced);
    },
  );
}
