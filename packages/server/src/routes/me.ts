import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import { unauthorized } from '../errors.js';

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
        response: { 200: MeView },
      },
    },
    async (request) => {
      const operator = request.operator;
      if (!operator) throw unauthorized();
      return { id: operator.id, name: operator.name, role: operator.role };
    },
  );
}
