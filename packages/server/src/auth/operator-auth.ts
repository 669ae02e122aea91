import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../errors.js';
import type { OperatorToken, TokenStore } from '../stores/token-store.js';
import { type Role, roleAllows } from './roles.js';
import { bearerSecret } from './secrets.js';

declare module 'fastify' {
  interface FastifyRequest {
    operator?: OperatorToken;
  }
}

/** A preHandler that admits operator tokens of at least `role`; agent credentials never pass. */
export function requireRole(tokens: TokenStore, role: Role): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const secret = bearerSecret(request.headers.authorization, 'exo');
    const operator = secret ? await tokens.operatorForToken(secret) : undefined;
    if (!operator) throw unauthorized();
    if (!roleAllows(operator.role, role)) throw forbidden(operator.role, role);
    request.operator = operator;
  };
}
