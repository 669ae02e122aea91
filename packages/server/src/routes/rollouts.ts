import { PlanSelection, RolloutPackages, RolloutPolicy, WAVE_NAMES } from '@exrollout/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import Type, { type Static } from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import { ROLLOUT_ACTIONS, SERVER_ACTIONS } from '../engine/actions.js';
import { archivedPage } from '../engine/archive.js';
import type { RolloutEngine } from '../engine/engine.js';
import { RolloutView } from '../engine/views.js';
import { withStoredPackages } from '../packages/resolve.js';
import type { PackageStore } from '../packages/store.js';
import { BLOCKING } from '../redis.js';
import { type OpenStreams, STREAM_CLOSINGS } from './open-streams.js';
import { BODY_ERRORS, roleErrors, viewerErrors } from './responses.js';
import { ACTION_ERRORS, EventsAnswer, RolloutSummary } from './rollout-schemas.js';

const CreateBody = Type.Object(
  {
    update: Type.Optional(Type.String({ default: 'KB959241' })),
    selection: Type.Optional(PlanSelection),
    packages: Type.Optional({
      ...RolloutPackages,
      description:
        "Packages from the server's store, by architecture (their SHA-256): set policy.packageSha256 from them.",
    }),
    policy: Type.Record(Type.String(), Type.Unknown(), {
      description: 'RolloutPolicy; see docs/rollouts.md.',
    }),
  },
  { additionalProperties: false },
);
// What the document shows of a rollout's body: the policy the engine checks it against.
const DocumentedCreateBody = Type.Object(
  { ...CreateBody.properties, policy: RolloutPolicy },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.String({ pattern: '^r-[0-9a-f]{10}$' }) });
const ActionParams = Type.Object({
  id: Type.String({ pattern: '^r-[0-9a-f]{10}$' }),
  action: Type.Enum(ROLLOUT_ACTIONS),
});
const ServerParams = Type.Object({
  id: Type.String({ pattern: '^r-[0-9a-f]{10}$' }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
  action: Type.Enum(SERVER_ACTIONS),
});
const ReasonBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
  Type.Null(),
]);
const RollbackReason = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);
const RollbackBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }), wave: Type.Optional(Type.Enum(WAVE_NAMES)) },
  { additionalProperties: false },
);
const ServerNameParams = Type.Object({
  id: Type.String({ pattern: '^r-[0-9a-f]{10}$' }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
});
const EventsQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({
        pattern: '^\\d+-\\d+$',
        description: 'The `next` of the previous page: events after this one.',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, default: 1000, description: 'Events per page, at most.' }),
    ),
    server: Type.Optional(Type.String({ maxLength: 64 })),
    follow: Type.Optional(
      Type.Boolean({ description: 'Keep the response open and stream new events (text/event-stream).' }),
    ),
  },
  { additionalProperties: false },
);

const actorOf = (request: FastifyRequest) =>
  `${request.operator?.name ?? 'unknown'} (${request.operator?.role ?? '?'} token ${request.operator?.id ?? '?'})`;

/** Rollouts: create, read, act, and their audit trail (also as a live stream). */
export async function rolloutRoutes(
  app: FastifyInstance,
  deps: {
    engine: RolloutEngine;
    auth: Authenticator;
    redis: Redis;
    streams: OpenStreams;
    packages: PackageStore | undefined;
  },
): Promise<void> {
  const { engine, auth } = deps;
  const viewer = requireRole(auth, 'viewer');
  const operator = requireRole(auth, 'operator');
  const approver = requireRole(auth, 'approver');

  app.post(
    '/api/v1/rollouts',
    {
      onRequest: operator,
      schema: {
        tags: ['rollouts'],
        summary: 'Plan and store a rollout (it does not start)',
        operationId: 'createRollout',
        body: CreateBody,
        response: { 201: RolloutView, ...roleErrors(...BODY_ERRORS, 409) },
      },
      // The engine checks the policy, naming every problem at once; the document shows its schema.
      config: { documentedBody: DocumentedCreateBody },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof CreateBody>;
      const policy = await withStoredPackages(
        deps.packages,
        body.update ?? 'KB959241',
        body.packages,
        body.policy,
      );
      return reply.code(201).send(
        await engine.create(
          {
            ...(body.update ? { update: body.update } : {}),
            ...(body.selection ? { selection: body.selection } : {}),
            policy,
          },
          actorOf(request),
        ),
      );
    },
  );

  app.get(
    '/api/v1/rollouts',
    {
      onRequest: viewer,
      schema: {
        tags: ['rollouts'],
        summary: 'The newest rollouts, without their servers',
        operationId: 'listRollouts',
        response: { 200: Type.Object({ rollouts: Type.Array(RolloutSummary) }), ...viewerErrors() },
      },
    },
    async () => ({ rollouts: await engine.list() }),
  );

  app.get(
    '/api/v1/rollouts/:id',
    {
      onRequest: viewer,
      schema: {
        tags: ['rollouts'],
        summary: 'A rollout with its waves and servers',
        operationId: 'getRollout',
        params: IdParam,
        response: { 200: RolloutView, ...viewerErrors(400, 404) },
      },
    },
    async (request) => engine.view((request.params as Static<typeof IdParam>).id),
  );

  app.post(
    '/api/v1/rollouts/:id/:action',
    {
      // Before the parameters are validated: the raw action decides which role is needed.
      onRequest: async (request, reply) => {
        const { action } = request.params as { action?: string };
        await (action === 'approve' ? approver : operator)(request, reply);
      },
      schema: {
        tags: ['rollouts'],
        summary: 'start, pause, resume, approve (approver) or abort',
        operationId: 'actOnRollout',
        params: ActionParams,
        body: ReasonBody,
        response: { 200: RolloutView, ...ACTION_ERRORS },
      },
    },
    async (request) => {
      const { id, action } = request.params as Static<typeof ActionParams>;
      return engine.act(id, action, actorOf(request), (request.body as { reason?: string } | null)?.reason);
    },
  );

  app.post(
    '/api/v1/rollouts/:id/servers/:name/:action',
    {
      onRequest: operator,
      schema: {
        tags: ['rollouts'],
        summary: 'retry or skip one server',
        operationId: 'actOnRolloutServer',
        params: ServerParams,
        body: ReasonBody,
        response: { 200: RolloutView, ...ACTION_ERRORS },
      },
    },
    async (request) => {
      const { id, name, action } = request.params as Static<typeof ServerParams>;
      return engine.actOnServer(
        id,
        name,
        action,
        actorOf(request),
        (request.body as { reason?: string } | null)?.reason,
      );
    },
  );

  app.post(
    '/api/v1/rollouts/:id/rollback',
    {
      onRequest: approver,
      schema: {
        tags: ['rollouts'],
        summary: 'Roll back the whole rollout, or one wave (uninstall update 959241)',
        operationId: 'rollBackRollout',
        params: IdParam,
        body: RollbackBody,
        response: { 200: RolloutView, ...ACTION_ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof IdParam>;
      const body = request.body as Static<typeof RollbackBody>;
      return engine.rollback(
        id,
        body.wave ? { kind: 'wave', wave: body.wave } : { kind: 'all' },
        actorOf(request),
        body.reason,
      );
    },
  );

  app.post(
    '/api/v1/rollouts/:id/servers/:name/rollback',
    {
      onRequest: approver,
      schema: {
        tags: ['rollouts'],
        summary: 'Roll back one server',
        operationId: 'rollBackRolloutServer',
        params: ServerNameParams,
        body: RollbackReason,
        response: { 200: RolloutView, ...ACTION_ERRORS },
      },
    },
    async (request) => {
      const { id, name } = request.params as Static<typeof ServerNameParams>;
      return engine.rollback(
        id,
        { kind: 'server', name },
        actorOf(request),
        (request.body as Static<typeof RollbackReason>).reason,
      );
    },
  );

  app.get(
    '/api/v1/rollouts/:id/events',
    {
      onRequest: viewer,
      schema: {
        tags: ['rollouts'],
        summary: 'One page of the audit trail (who, what, when, why); ?follow=true streams it live',
        operationId: 'listRolloutEvents',
        params: IdParam,
        querystring: EventsQuery,
        response: { 200: EventsAnswer, ...viewerErrors(400, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params as Static<typeof IdParam>;
      const query = request.query as Static<typeof EventsQuery>;
      await engine.view(id);
      const wanted = query.server?.toLowerCase();
      const matches = (event: { server?: string }) => !wanted || event.server?.toLowerCase() === wanted;
      const archived = await engine.archive.get(id);
      // An archived rollout's trail is complete: a follower gets all of it at once, and the stream ends.
      if (archived)
        return query.follow
          ? streamArchived(
              reply,
              archivedPage(archived, {
                limit: Number.MAX_SAFE_INTEGER,
                ...(query.after ? { after: query.after } : {}),
                matches,
              }).events,
            )
          : archivedPage(archived, {
              ...(query.after ? { after: query.after } : {}),
              limit: query.limit ?? 1000,
              ...(wanted ? { matches } : {}),
            });
      if (!query.follow)
        return engine.store.trail.page(id, {
          ...(query.after ? { after: query.after } : {}),
          limit: query.limit ?? 1000,
          ...(wanted ? { matches } : {}),
        });
      return streamEvents(request, reply, {
        engine,
        redis: deps.redis,
        streams: deps.streams,
        tokenId: request.operator?.id ?? '',
        tokenLive: (tokenId) => auth.tokens.hasOperatorToken(tokenId),
        id,
        after: query.after ?? '-',
        matches,
      });
    },
  );
}

function streamArchived(reply: FastifyReply, events: readonly { id: string }[]): FastifyReply {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events)
    reply.raw.write(`id: ${event.id}\nevent: rollout-event\ndata: ${JSON.stringify(event)}\n\n`);
  reply.raw.end(
    `event: closed\ndata: ${JSON.stringify({ code: 'archived', message: 'the rollout is archived: its trail is complete' })}\n\n`,
  );
  return reply;
}

async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    engine: RolloutEngine;
    redis: Redis;
    streams: OpenStreams;
    tokenId: string;
    tokenLive: (tokenId: string) => Promise<boolean>;
    id: string;
    after: string;
    matches: (event: { server?: string }) => boolean;
  },
): Promise<FastifyReply> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  // A blocking read needs a connection of its own.
  const connection = options.redis.duplicate(BLOCKING);
  let open = true;
  const stop = (closing?: { code?: string; message: string }) => {
    if (!open) return;
    open = false;
    if (closing) raw.write(`event: closed\ndata: ${JSON.stringify(closing)}\n\n`);
    connection.disconnect();
  };
  request.raw.on('close', () => stop());
  // A revoked token's streams end at once where the revocation is heard, and within one wait anywhere else.
  const forget = options.streams.add(options.tokenId, (why) => stop(STREAM_CLOSINGS[why]));
  const stillLive = async () => open && (await options.tokenLive(options.tokenId).catch(() => true));
  let last = options.after;
  const send = (events: { id: string; server?: string }[]) => {
    for (const event of events) {
      last = event.id;
      if (options.matches(event))
        raw.write(`id: ${event.id}\nevent: rollout-event\ndata: ${JSON.stringify(event)}\n\n`);
    }
  };
  if (last === '-') last = '0-0';
  while (open) {
    try {
      // Reads what is there at once, however much; then blocks until the next event.
      const events = await options.engine.store.trail.wait(connection, options.id, last, 15_000);
      if (!(await stillLive())) stop(STREAM_CLOSINGS.revoked);
      if (!open) break;
      if (events.length === 0) raw.write(': keep-alive\n\n');
      send(events);
    } catch {
      break;
    }
  }
  forget();
  raw.end();
  return reply;
}
