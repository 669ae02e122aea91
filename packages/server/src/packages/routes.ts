import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import {
  catalogPackage,
  findUpdate,
  PackageList,
  packageProblem,
  StoredPackage,
  UPDATE_CATALOG,
  type UpdateRollup,
} from '@exrollout/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { requireRole } from '../auth/operator-auth.js';
import { notFound, packageInvalid, packageStoreDisabled, ServerError } from '../errors.js';
import { errorResponse, roleErrors, viewerErrors } from '../routes/responses.js';
import type { PackageStore } from './store.js';

const UploadQuery = Type.Object(
  {
    file: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
      description:
        'The file name, which must be a package of the update: `Exchange2007-KB959241-x64-EN.msp`.',
    }),
    update: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        description: 'The update, `KB959241`; by default the one whose catalog entry names the file.',
      }),
    ),
  },
  { additionalProperties: false },
);
const Sha256Param = Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
const Removed = Type.Object({ sha256: Type.String(), removed: Type.Boolean() });

/** The package store's REST routes: upload (admin), list and show (viewer), remove (admin). */
export async function packageRoutes(
  app: FastifyInstance,
  deps: { store: PackageStore | undefined; auth: Authenticator },
): Promise<void> {
  const admin = requireRole(deps.auth, 'admin');
  const viewer = requireRole(deps.auth, 'viewer');
  const store = (): PackageStore => {
    if (!deps.store) throw packageStoreDisabled();
    return deps.store;
  };
  // The body is the file itself, streamed to disk by the handler: never buffered, whatever its size.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  holdContinueForUploads(app);

  app.post(
    '/api/v1/packages',
    {
      onRequest: admin,
      config: { documentedBody: Type.String({ format: 'binary', description: 'The .msp file, as is.' }) },
      schema: {
        tags: ['packages'],
        summary: 'Upload a package (the .msp) to the package store; its SHA-256 is computed on the way in',
        operationId: 'uploadPackage',
        consumes: ['application/octet-stream'],
        querystring: UploadQuery,
        response: {
          200: { ...StoredPackage, description: 'The same file was already stored: the same package.' },
          201: { ...StoredPackage, description: 'Stored.' },
          ...roleErrors(400, 413, 415),
          ...errorResponse(503, 'The server has no package store (SRV_ERR_PACKAGE_STORE_DISABLED).'),
        },
      },
    },
    async (request, reply) => {
      const { file, update: updateId } = request.query as Static<typeof UploadQuery>;
      const target = store();
      const update = updateFor(file, updateId);
      const pkg = catalogPackage(update, file);
      if (!pkg) throw packageInvalid(packageProblem(update, file, 1, []) ?? file);
      const expectedSize = declaredLength(request);
      if (expectedSize !== undefined && expectedSize > pkg.maxBytes)
        throw new ServerError(
          'SRV_ERR_PACKAGE_TOO_LARGE',
          413,
          `${file} is ${expectedSize} bytes, over ${pkg.maxBytes}`,
        );
      // Authenticated and named right: now the client may send the file (Expect: 100-continue).
      if (request.headers.expect?.toLowerCase() === '100-continue') reply.raw.writeContinue();
      if (!(request.body instanceof Readable)) throw packageInvalid(`${file} is empty`);
      const pending = await target.receive(request.body, {
        file: pkg.file,
        update: update.id,
        architecture: pkg.architecture,
        uploadedBy: request.operator?.name ?? 'unknown',
        maxBytes: pkg.maxBytes,
        ...(expectedSize === undefined ? {} : { expectedSize }),
      });
      const problem = packageProblem(update, file, pending.size, pending.head);
      if (problem) {
        await pending.discard();
        throw packageInvalid(problem);
      }
      const { package: stored, created } = await pending.commit();
      request.log.info(
        {
          sha256: stored.sha256,
          file: stored.file,
          size: stored.size,
          created,
          tokenId: request.operator?.id,
        },
        created ? 'package stored' : 'package uploaded again: already stored',
      );
      return reply.code(created ? 201 : 200).send(stored);
    },
  );

  app.get(
    '/api/v1/packages',
    {
      onRequest: viewer,
      schema: {
        tags: ['packages'],
        summary: 'The packages in the store, newest upload first',
        operationId: 'listPackages',
        response: { 200: PackageList, ...viewerErrors(503) },
      },
    },
    async () => ({ packages: await store().list() }),
  );

  app.get(
    '/api/v1/packages/:sha256',
    {
      onRequest: viewer,
      schema: {
        tags: ['packages'],
        summary: 'One stored package',
        operationId: 'getPackage',
        params: Sha256Param,
        response: { 200: StoredPackage, ...viewerErrors(400, 404, 503) },
      },
    },
    async (request) => {
      const { sha256 } = request.params as Static<typeof Sha256Param>;
      const found = await store().get(sha256);
      if (!found) throw notFound(`package ${sha256}`);
      return found;
    },
  );

  app.delete(
    '/api/v1/packages/:sha256',
    {
      onRequest: admin,
      schema: {
        tags: ['packages'],
        summary: 'Remove a package from the store (agents that staged it keep their copy)',
        operationId: 'removePackage',
        params: Sha256Param,
        response: { 200: Removed, ...roleErrors(400, 404, 503) },
      },
    },
    async (request) => {
      const { sha256 } = request.params as Static<typeof Sha256Param>;
      const removed = await store().remove(sha256);
      if (!removed) throw notFound(`package ${sha256}`);
      request.log.info({ sha256, file: removed.file, tokenId: request.operator?.id }, 'package removed');
      return { sha256, removed: true };
    },
  );
}

function updateFor(file: string, updateId: string | undefined): UpdateRollup {
  if (updateId !== undefined) return findUpdate(updateId);
  const update = UPDATE_CATALOG.find((entry) => catalogPackage(entry, file));
  if (!update)
    throw packageInvalid(
      `${file} is no package of any update in the catalog (${UPDATE_CATALOG.flatMap((u) => u.packages.map((p) => p.file)).join(', ')})`,
    );
  return update;
}

/**
 * An upload that asks `Expect: 100-continue` hears "continue" only once its token and file name are accepted, so a
 * refused client learns why before it sends 500 MB; every other request is told to continue at once, as Node does.
 */
function holdContinueForUploads(app: FastifyInstance): void {
  app.server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').split('?')[0];
    if (!(request.method === 'POST' && path === '/api/v1/packages')) response.writeContinue();
    app.server.emit('request', request, response);
  });
}

function declaredLength(request: FastifyRequest): number | undefined {
  const header = request.headers['content-length'];
  return header === undefined || !/^\d+$/.test(header) ? undefined : Number(header);
}
