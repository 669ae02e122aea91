import { inputSchema } from '@exrollout/core';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body as the OpenAPI document shows it, when the route validates part of it later (the policy). */
    documentedBody?: TSchema;
  }
}

type Operation = {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { nullable?: boolean } }> };
};

/**
 * A route's schema as the document shows it: a field the server fills with its default is not required of a
 * client, in a body or a query string; and a body the route checks later is shown as the route's config gives it.
 */
const documentRoute: SwaggerTransform = ({ schema, url, route }) => {
  const body = route.config?.documentedBody ?? schema.body;
  return {
    url,
    schema: {
      ...schema,
      ...(body ? { body: inputSchema(body as TSchema) } : {}),
      ...(schema.querystring ? { querystring: inputSchema(schema.querystring as TSchema) } : {}),
    },
  };
};

// @fastify/swagger marks every request body required; a route whose body may be null takes none at all.
function optionalBodies(document: { paths?: Record<string, Record<string, Operation>> }) {
  for (const methods of Object.values(document.paths ?? {}))
    for (const operation of Object.values(methods)) {
      const body = operation.requestBody;
      if (body?.content?.['application/json']?.schema?.nullable) body.required = false;
    }
  return document;
}

/** Serves the OpenAPI document at /docs/json and Swagger UI at /docs; register before the routes. */
export async function openApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'exrollout',
        version,
        description: 'Staged rollouts of Exchange 2007 update rollups.',
        license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
      },
      servers: [{ url: '/', description: 'The exrollout server that serves this document.' }],
      components: {
        securitySchemes: {
          operatorToken: { type: 'http', scheme: 'bearer' },
          agentCredential: {
            type: 'http',
            scheme: 'bearer',
            description: "An agent's credential (enrolment).",
          },
        },
      },
      security: [{ operatorToken: [] }],
    },
    transform: documentRoute,
    transformObject: (document) =>
      'openapiObject' in document
        ? optionalBodies(document.openapiObject as Parameters<typeof optionalBodies>[0])
        : document.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
