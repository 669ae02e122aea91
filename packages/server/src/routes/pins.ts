import { InternetFacingPin, NETBIOS_NAME_PATTERN } from '@exrollout/core';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import { notClientAccess, notFound } from '../errors.js';
import type { InventoryStore } from '../stores/inventory-store.js';
import { BODY_ERRORS, roleErrors } from './responses.js';

const ServerName = Type.Object({ name: Type.String({ pattern: NETBIOS_NAME_PATTERN }) });
const PinBody = Type.Object(
  {
    internetFacing: Type.Boolean({
      description: 'true: Internet-facing (wave cas-internet-facing); false: internal (wave cas-internal).',
    }),
    reason: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'Why; kept with the pin and logged.' }),
    ),
  },
  { additionalProperties: false },
);
const PATH = '/api/v1/servers/:name/internet-facing';

/**
 * Operators' Internet-facing pins (operator or higher): PUT pins a Client Access server's flag over what its
 * agent reports, DELETE unpins it. Plans made by the server use the pin; each change is logged.
 */
export async function pinRoutes(
  app: FastifyInstance,
  deps: { inventory: InventoryStore; auth: Authenticator },
): Promise<void> {
  const operator = requireRole(deps.auth, 'operator');
  const { inventory } = deps;

  app.put(
    PATH,
    {
      onRequest: operator,
      schema: {
        tags: ['servers'],
        summary: "Pin a Client Access server Internet-facing or internal, over its agent's report",
        operationId: 'pinInternetFacing',
        params: ServerName,
        body: PinBody,
        response: { 200: InternetFacingPin, ...roleErrors(...BODY_ERRORS, 404, 409) },
      },
    },
    async (request) => {
      const { name } = request.params as Static<typeof ServerName>;
      const { internetFacing, reason } = request.body as Static<typeof PinBody>;
      const record = await inventory.get(name);
      if (!record) throw notFound(`server ${name}`);
      if (!record.report.roles.includes('ClientAccess'))
        throw notClientAccess(record.name, record.report.roles);
      const pin: InternetFacingPin = {
        name: record.name,
        internetFacing,
        pinnedBy: request.operator?.name ?? 'unknown',
        pinnedAt: new Date().toISOString(),
        ...(reason === undefined ? {} : { reason }),
      };
      await inventory.pins.set(pin);
      // No fleet-level audit trail exists (audit streams are per rollout): the server log records the change.
      request.log.info(
        { server: pin.name, internetFacing, pinnedBy: pin.pinnedBy, tokenId: request.operator?.id, reason },
        'internet-facing pinned',
      );
      return pin;
    },
  );

  app.delete(
    PATH,
    {
      onRequest: operator,
      schema: {
        tags: ['servers'],
        summary: "Unpin a server's Internet-facing flag: its agent's report decides again",
        operationId: 'unpinInternetFacing',
        params: ServerName,
        response: {
          200: Type.Object({ name: Type.String(), unpinned: Type.Boolean() }),
          ...roleErrors(400, 404),
        },
      },
    },
    async (request) => {
      const { name } = request.params as Static<typeof ServerName>;
      const removed = await inventory.pins.remove(name);
      if (!removed) throw notFound(`Internet-facing pin of server ${name}`);
      request.log.info(
        {
          server: removed.name,
          wasInternetFacing: removed.internetFacing,
          pinnedBy: removed.pinnedBy,
          unpinnedBy: request.operator?.name,
          tokenId: request.operator?.id,
        },
        'internet-facing unpinned',
      );
      return { name: removed.name, unpinned: true };
    },
  );
}
