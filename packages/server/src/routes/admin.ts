import { NETBIOS_NAME_PATTERN } from '@exrollout/core';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import { ROLES } from '../auth/roles.js';
import type { Bus } from '../bus.js';
import { notFound } from '../errors.js';
import type { InventoryStore } from '../stores/inventory-store.js';
import { BODY_ERRORS, roleErrors } from './responses.js';

const EnrolmentTokenBody = Type.Object(
  {
    ttlSeconds: Type.Integer({
      minimum: 60,
      maximum: 7 * 86_400,
      default: 3600,
      description: 'Lifetime of the token.',
    }),
    uses: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 1,
      description: 'How many agents may enrol with it.',
    }),
    reenrol: Type.Boolean({
      default: false,
      description: 'May replace the credential of a server already enrolled.',
    }),
  },
  { additionalProperties: false },
);
// A token's name appears in every audit event its holder causes: no control characters (a forged line) and no
// bidirectional overrides (a name that reads as another).
const PRINTABLE = '^[^\\u0000-\\u001F\\u007F-\\u009F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]+$';
const OperatorTokenBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: PRINTABLE,
      description: 'Who holds it; no control or bidirectional-override characters.',
    }),
    role: Type.Enum(ROLES),
  },
  { additionalProperties: false },
);
const AgentName = Type.Object({ name: Type.String({ pattern: NETBIOS_NAME_PATTERN }) });
const TokenId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const OperatorTokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  createdAt: Type.String(),
});

/** Admin-only routes: enrolment tokens, enrolled agents, operator tokens. */
export async function adminRoutes(
  app: FastifyInstance,
  deps: { auth: Authenticator; inventory: InventoryStore; bus: Bus },
): Promise<void> {
  const admin = requireRole(deps.auth, 'admin');
  const { bus } = deps;
  const { tokens } = deps.auth;

  app.post(
    '/api/v1/enrolment-tokens',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create an expiring enrolment token',
        operationId: 'createEnrolmentToken',
        body: EnrolmentTokenBody,
        response: {
          ...roleErrors(...BODY_ERRORS),
          201: Type.Object({
            id: Type.String(),
            token: Type.String(),
            expiresAt: Type.String(),
            uses: Type.Integer(),
            reenrol: Type.Boolean(),
          }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof EnrolmentTokenBody>;
      const issued = await tokens.createEnrolmentToken({
        ...body,
        createdBy: request.operator?.id ?? 'unknown',
      });
      request.log.info(
        { tokenId: issued.id, uses: issued.uses, expiresAt: issued.expiresAt },
        'enrolment token created',
      );
      return reply.code(201).send(issued);
    },
  );

  app.get(
    '/api/v1/agents',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'List enrolled agents',
        operationId: 'listAgents',
        response: {
          ...roleErrors(),
          200: Type.Object({
            agents: Type.Array(Type.Object({ name: Type.String(), enrolledAt: Type.String() })),
          }),
        },
      },
    },
    async () => ({ agents: await tokens.listAgents() }),
  );

  app.delete(
    '/api/v1/agents/:name',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Revoke an agent credential and disconnect it',
        operationId: 'revokeAgent',
        params: AgentName,
        response: {
          200: Type.Object({ name: Type.String(), revoked: Type.Boolean() }),
          ...roleErrors(400, 404),
        },
      },
    },
    async (request) => {
      const { name } = request.params as Static<typeof AgentName>;
      const credentialHash = await tokens.revokeAgent(name);
      if (!credentialHash) throw notFound(`enrolled agent ${name}`);
      await bus.publish({ type: 'agent-revoked', name, credentialHash });
      request.log.info({ agent: name }, 'agent revoked');
      return { name, revoked: true };
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create an operator API token',
        operationId: 'createOperatorToken',
        body: OperatorTokenBody,
        response: {
          201: Type.Intersect([OperatorTokenView, Type.Object({ token: Type.String() })]),
          ...roleErrors(...BODY_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const { name, role } = request.body as Static<typeof OperatorTokenBody>;
      const issued = await tokens.createOperatorToken(name, role);
      request.log.info({ tokenId: issued.id, role }, 'operator token created');
      return reply.code(201).send(issued);
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'List operator tokens (never their secrets)',
        operationId: 'listOperatorTokens',
        response: { 200: Type.Object({ tokens: Type.Array(OperatorTokenView) }), ...roleErrors() },
      },
    },
    async () => ({ tokens: await tokens.listOperatorTokens() }),
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Revoke an operator token',
        operationId: 'revokeOperatorToken',
        params: TokenId,
        response: {
          200: Type.Object({ id: Type.String(), revoked: Type.Boolean() }),
          ...roleErrors(400, 404),
        },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof TokenId>;
      if (!(await tokens.revokeOperatorToken(id))) throw notFound(`operator token ${id}`);
      await bus.publish({ type: 'operator-revoked', tokenId: id });
      request.log.info({ tokenId: id }, 'operator token revoked');
      return { id, revoked: true };
    },
  );
}
