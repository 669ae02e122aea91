import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import { unauthorized } from '../errors.js';
import { viewerErrors } from './responses.js';

const MeView = Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() });

/** GET /api/v1/me: the id, name and role of the operator token that calls it (viewer or higher). */
export async function meRoutes(app: FastifyInstance, deps: { auth: Authenticator }): Promise<void> {
  app.get(
    '/api/v1/me',
    {
      onRequest: requireRole(deps.auth, 'viewer'),
      schema: {
        tags: ['auth'],
        summary: 'Who the calling operator token is',
        operationId: 'getMe',
        response: { 200: MeView, ...viewerErrors() },
      },
    },
    async (request) => {
      const operator = request.operator;
      if (!operator) throw unauthorized();
      return { id: operator.id, name: operator.name, role: operator.role };
    },
  );
}
