import { randomUUID } from 'node:crypto';
import { MAX_FRAME_CHARS, NETBIOS_NAME_PATTERN, type ServerMessage } from '@exrollout/core';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import type { Bus } from '../bus.js';
import type { ServerConfig } from '../config.js';
import { BODY_ERRORS, errorResponse, errorResponses } from '../routes/responses.js';
import type { InventoryStore } from '../stores/inventory-store.js';
import { CLOSE } from './close-codes.js';
import { AgentConnection, type CommandSink } from './connection.js';
import type { InventoryLimiter } from './inventory-limiter.js';
import type { ConnectionRegistry } from './registry.js';

/** What the agent gateway needs. */
export interface GatewayDeps {
  readonly config: Readonly<ServerConfig>;
  readonly inventory: InventoryStore;
  readonly auth: Authenticator;
  readonly bus: Bus;
  readonly commands: CommandSink;
  readonly inventoryLimiter: InventoryLimiter;
  readonly registry: ConnectionRegistry<AgentConnection>;
  readonly serverVersion: string;
  /** The command an agent should be running, sent again whenever it (re)connects. */
  agentConnected(name: string): Promise<ServerMessage | undefined>;
  /** An agent's last connection closed: it is offline. */
  agentDisconnected(name: string, closeCode: number): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    agentIdentity?: { name: string; credentialHash: string };
  }
}

const EnrolBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ pattern: NETBIOS_NAME_PATTERN }),
  },
  { additionalProperties: false },
);

/** The agent side of the server: enrolment and the WebSocket gateway, both under /agent/v1. */
export async function gatewayPlugin(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  const { auth, bus, registry } = deps;
  // Headroom over the largest frame for multi-byte characters.
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_CHARS * 2 } });
  const stopListening = bus.subscribe((message) => {
    if (message.type === 'operator-revoked') return;
    const connection = registry.get(message.name);
    if (!connection) return;
    if (message.type === 'agent-revoked' && connection.credentialHash === message.credentialHash)
      connection.close(CLOSE.REVOKED, 'credential revoked');
    if (message.type === 'agent-connected' && connection.session !== message.session)
      connection.close(CLOSE.SUPERSEDED, 'superseded by a newer connection');
    if (message.type === 'agent-message') connection.send(message.message);
  });
  app.addHook('onClose', async () => stopListening());

  app.post(
    '/agent/v1/enrol',
    {
      schema: {
        tags: ['agents'],
        summary: 'Trade an enrolment token for an agent credential',
        description: 'The enrolment token is in the body: no operator token is needed.',
        operationId: 'enrolAgent',
        security: [],
        body: EnrolBody,
        response: {
          201: Type.Object({ name: Type.String(), credential: Type.String() }),
          ...errorResponses(...BODY_ERRORS, 429, 500),
          ...errorResponse(
            401,
            'The enrolment token is unknown, expired or used up (SRV_ERR_ENROL_TOKEN_INVALID).',
          ),
          ...errorResponse(409, 'Another credential holds this server name (SRV_ERR_ENROL_NAME_TAKEN).'),
        },
      },
    },
    async (request, reply) => {
      const { token, name } = request.body as { token: string; name: string };
      const { credential, replacedCredentialHash } = await auth.enrol(request, reply, token, name);
      if (replacedCredentialHash)
        await bus.publish({ type: 'agent-revoked', name, credentialHash: replacedCredentialHash });
      request.log.info({ agent: name, reenrolled: replacedCredentialHash !== undefined }, 'agent enrolled');
      return reply.code(201).send({ name, credential });
    },
  );

  app.get(
    '/agent/v1',
    {
      websocket: true,
      schema: { hide: true },
      onRequest: async (request, reply) => {
        request.agentIdentity = await auth.agent(request, reply);
      },
    },
    (socket, request) => {
      const identity = request.agentIdentity;
      if (!identity) return socket.close(CLOSE.PROTOCOL_VIOLATION, 'unauthenticated');
      const connection = new AgentConnection(socket, identity.name, identity.credentialHash, randomUUID(), {
        ...deps,
        store: deps.inventory,
        logger: request.log,
        onRegistered: async (registered) => {
          await bus.publish({ type: 'agent-connected', name: registered.name, session: registered.session });
          const outstanding = await deps.agentConnected(registered.name);
          if (outstanding) registered.send(outstanding);
        },
        onOffline: (closed, code) => deps.agentDisconnected(closed.name, code),
      });
      connection.start();
    },
  );
}
