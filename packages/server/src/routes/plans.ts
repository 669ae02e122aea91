import { findUpdate, PlanSelection, planRollout, RolloutPlan } from '@exrollout/core';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import type { InventoryStore } from '../stores/inventory-store.js';
import { BODY_ERRORS, viewerErrors } from './responses.js';

const PlanBody = Type.Object(
  {
    update: Type.Optional(Type.String({ default: 'KB959241' })),
    selection: Type.Optional(PlanSelection),
  },
  { additionalProperties: false },
);

/** POST /api/v1/plans: the plan a rollout would get from the live inventory and pins now; nothing is stored. */
export async function planRoutes(
  app: FastifyInstance,
  deps: { inventory: InventoryStore; auth: Authenticator },
): Promise<void> {
  app.post(
    '/api/v1/plans',
    {
      onRequest: requireRole(deps.auth, 'viewer'),
      schema: {
        tags: ['rollouts'],
        summary: 'Preview the rollout plan for the live inventory (stores nothing)',
        operationId: 'previewPlan',
        body: PlanBody,
        response: { 200: RolloutPlan, ...viewerErrors(...BODY_ERRORS) },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as Static<typeof PlanBody>;
      const update = findUpdate(body.update ?? 'KB959241');
      const { inventory, pins } = await deps.inventory.planInput();
      return planRollout(inventory, update, body.selection ? { selection: body.selection } : {}, pins);
    },
  );
}
