import { EXCHANGE_ROLES, findUpdate, normalizeBuild, sameBuild } from '@exrollout/core';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import { notFound } from '../errors.js';
import type { InventoryStore, ServerRecord } from '../stores/inventory-store.js';
import { ComplianceStatus, type ServerView, ServerView as ServerViewSchema, serverView } from '../views.js';
import { viewerErrors } from './responses.js';

const ServerFilters = Type.Object(
  {
    role: Type.Optional(Type.Enum(EXCHANGE_ROLES)),
    site: Type.Optional(Type.String({ minLength: 1 })),
    build: Type.Optional(Type.String({ minLength: 1 })),
    rollup: Type.Optional(
      Type.String({ minLength: 1, description: 'Release label, e.g. "SP1 RU4" (case-insensitive).' }),
    ),
    online: Type.Optional(Type.Boolean()),
    compliance: Type.Optional(ComplianceStatus),
    update: Type.String({ default: 'KB959241', description: 'Update that compliance is judged against.' }),
  },
  { additionalProperties: false },
);
type ServerFilters = Static<typeof ServerFilters>;

const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const UpdateQuery = Type.Object(
  { update: Type.String({ default: 'KB959241' }) },
  { additionalProperties: false },
);
const ServerDetail = Type.Intersect([
  ServerViewSchema,
  Type.Object({
    host: Type.Record(Type.String(), Type.Unknown()),
    collectedAt: Type.String(),
    agent: Type.Record(Type.String(), Type.String()),
    history: Type.Array(
      Type.Object({ at: Type.String(), from: Type.Union([Type.String(), Type.Null()]), to: Type.String() }),
    ),
  }),
]);
const ComplianceEntry = Type.Object({
  name: Type.String(),
  build: Type.String(),
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});
const ComplianceReport = Type.Object({
  update: Type.Object({ id: Type.String(), kb: Type.String(), build: Type.String() }),
  counts: Type.Object({
    total: Type.Integer(),
    current: Type.Integer(),
    needsUpdate: Type.Integer(),
    excluded: Type.Integer(),
  }),
  current: Type.Array(ComplianceEntry),
  needsUpdate: Type.Array(ComplianceEntry),
  excluded: Type.Array(ComplianceEntry),
});

/** Fleet inventory and compliance: GET /api/v1/servers, /servers/:name, /compliance. Viewer or higher. */
export async function serverRoutes(
  app: FastifyInstance,
  deps: { inventory: InventoryStore; auth: Authenticator },
): Promise<void> {
  const viewer = requireRole(deps.auth, 'viewer');

  app.get(
    '/api/v1/servers',
    {
      onRequest: viewer,
      schema: {
        tags: ['servers'],
        summary: 'List servers, filtered',
        operationId: 'listServers',
        querystring: ServerFilters,
        response: {
          200: Type.Object({ total: Type.Integer(), servers: Type.Array(ServerViewSchema) }),
          ...viewerErrors(400),
        },
      },
    },
    async (request) => {
      const filters = request.query as ServerFilters;
      const update = findUpdate(filters.update);
      const [records, pins] = await Promise.all([deps.inventory.list(), deps.inventory.pins.all()]);
      const servers = records
        .map((record) => serverView(record, update, pins.get(record.name.toLowerCase())))
        .filter((view) => matches(view, filters));
      servers.sort((a, b) => a.name.localeCompare(b.name));
      return { total: servers.length, servers };
    },
  );

  app.get(
    '/api/v1/servers/:name',
    {
      onRequest: viewer,
      schema: {
        tags: ['servers'],
        summary: 'One server: inventory, liveness, build history',
        operationId: 'getServer',
        params: NameParam,
        querystring: UpdateQuery,
        response: { 200: ServerDetail, ...viewerErrors(400, 404) },
      },
    },
    async (request) => {
      const { name } = request.params as Static<typeof NameParam>;
      const [record, pin] = await Promise.all([deps.inventory.get(name), deps.inventory.pins.get(name)]);
      if (!record) throw notFound(`server ${name}`);
      const update = findUpdate((request.query as Static<typeof UpdateQuery>).update);
      return {
        ...serverView(record, update, pin),
        host: record.host,
        collectedAt: record.collectedAt,
        agent: record.agent,
        history: await deps.inventory.history(name),
      };
    },
  );

  app.get(
    '/api/v1/compliance',
    {
      onRequest: viewer,
      schema: {
        tags: ['servers'],
        summary: 'Compliance of the fleet with an update',
        operationId: 'getCompliance',
        querystring: UpdateQuery,
        response: { 200: ComplianceReport, ...viewerErrors(400) },
      },
    },
    async (request) => {
      const update = findUpdate((request.query as Static<typeof UpdateQuery>).update);
      return complianceReport(await deps.inventory.list(), update);
    },
  );
}

function matches(view: ServerView, filters: ServerFilters): boolean {
  if (filters.role && !view.roles.includes(filters.role)) return false;
  if (filters.site && view.site?.toLowerCase() !== filters.site.toLowerCase()) return false;
  if (filters.build && !sameBuild(view.build, filters.build)) return false;
  if (filters.rollup && view.rollup?.toLowerCase() !== filters.rollup.toLowerCase()) return false;
  if (filters.online !== undefined && view.online !== filters.online) return false;
  if (filters.compliance && view.compliance.status !== filters.compliance) return false;
  return true;
}

function complianceReport(records: readonly ServerRecord[], update: ReturnType<typeof findUpdate>) {
  const views = records
    .map((record) => serverView(record, update))
    .sort((a, b) => a.name.localeCompare(b.name));
  const entries = (status: string) =>
    views
      .filter((view) => view.compliance.status === status)
      .map((view) => ({
        name: view.name,
        build: normalizeBuild(view.build),
        ...(view.compliance.code ? { code: view.compliance.code, reason: view.compliance.reason } : {}),
      }));
  const current = entries('current');
  const needsUpdate = entries('needs-update');
  const excluded = entries('excluded');
  return {
    update: { id: update.id, kb: update.kb, build: update.targetBuild },
    counts: {
      total: views.length,
      current: current.length,
      needsUpdate: needsUpdate.length,
      excluded: excluded.length,
    },
    current,
    needsUpdate,
    excluded,
  };
}
