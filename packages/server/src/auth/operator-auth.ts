import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '../errors.js';
import type { OperatorToken } from '../stores/token-store.js';
import type { Authenticator } from './authenticator.js';
import { type Role, roleAllows } from './roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    operator?: OperatorToken;
  }
}

/**
 * An onRequest hook that admits operator tokens of at least `role`; agent credentials never pass. It runs before
 * the body is read or validated, so an unauthenticated request learns nothing of the schema and costs no parsing.
 */
export function requireRole(
  auth: Authenticator,
  role: Role,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    const operator = await auth.operator(request, reply);
    if (!roleAllows(operator.role, role)) throw forbidden(operator.role, role);
    request.operator = operator;
  };
}
