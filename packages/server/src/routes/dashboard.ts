import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Serves the built web dashboard at `/` from `root` (its dist folder), or a 503 at `/` when it is not built. */
export async function dashboardRoutes(app: FastifyInstance, deps: { root: string }): Promise<void> {
  if (!existsSync(join(deps.root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).send({ code: 'SRV_ERR_DASHBOARD_NOT_BUILT', message: 'run npm run build' }),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: deps.root,
    prefix: '/',
    index: ['index.html'],
    wildcard: false,
    cacheControl: false,
    setHeaders: (response) => response.setHeader('cache-control', 'no-cache'),
  });
}
