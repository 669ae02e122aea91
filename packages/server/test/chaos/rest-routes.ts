import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type JsonSchema, normalizeSchema } from './fuzz.js';

/** A route the running app serves, as Fastify names it: `POST /api/v1/rollouts/:id/:action`. */
export interface AppRoute {
  readonly method: string;
  readonly path: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Every route of the running app, read from Fastify's own route tree (hidden routes included). */
export function appRoutes(app: FastifyInstance): AppRoute[] {
  const routes: AppRoute[] = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const parent = depth === 0 ? '' : (parents[depth - 1] ?? '');
    const path = joinPath(parent, match[2] ?? '');
    parents[depth] = path;
    parents.length = depth + 1;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()))
      if (method) routes.push({ method, path });
  }
  return routes;
}

function joinPath(parent: string, segment: string): string {
  if (parent === '') return segment.startsWith('/') ? segment : `/${segment}`;
  if (parent.endsWith('/') || segment.startsWith('/')) return `${parent}${segment}`;
  return `${parent}/${segment}`;
}

/**
 * The routes that take a JSON body from a client: POST, PUT and PATCH under /api/v1, and enrolment. A route whose
 * document names only another media type (the package upload: the file itself) is fuzzed with files instead.
 */
export function bodyRoutes(app: FastifyInstance): string[] {
  return appRoutes(app)
    .filter((route) => BODY_METHODS.has(route.method))
    .filter((route) => route.path.startsWith('/api/v1/') || route.path === '/agent/v1/enrol')
    .filter((route) => !takesOnlyBinary(app, route))
    .map((route) => `${route.method} ${route.path}`)
    .sort();
}

function takesOnlyBinary(app: FastifyInstance, route: AppRoute): boolean {
  const document = app.swagger() as {
    paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
  };
  const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
  const content = document.paths?.[path]?.[route.method.toLowerCase()]?.requestBody?.content;
  return content !== undefined && !('application/json' in content);
}

/** The JSON Schema of a route's body from the app's OpenAPI document, `nullable` turned into JSON Schema. */
export function bodySchema(app: FastifyInstance, route: string): JsonSchema | undefined {
  const [method = '', path = ''] = route.split(' ');
  const document = app.swagger() as {
    paths?: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>
    >;
  };
  const openApiPath = path.replace(/:([A-Za-z]+)/g, '{$1}');
  const schema =
    document.paths?.[openApiPath]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
  return schema === undefined ? undefined : normalizeSchema(schema);
}

type OpenApiPaths = Record<
  string,
  Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>
>;
const DOCUMENTED = JSON.parse(
  readFileSync(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8'),
) as { paths?: OpenApiPaths };

/**
 * The JSON Schema of a route's body as docs/openapi.json documents it, the fuzzer's judge: read from the docs, not
 * from the app under test, so that a route whose own schema is too lax gets found.
 */
export function documentedBodySchema(route: string): JsonSchema | undefined {
  const [method = '', path = ''] = route.split(' ');
  const openApiPath = path.replace(/:([A-Za-z]+)/g, '{$1}');
  const schema =
    DOCUMENTED.paths?.[openApiPath]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']
      ?.schema;
  return schema === undefined ? undefined : normalizeSchema(schema);
}

/** Sends a raw body (any text, any content type) and returns status, headers and parsed JSON (if any). */
export async function rawRequest(
  url: string,
  options: { method: string; token?: string; body?: string | Uint8Array; contentType?: string },
): Promise<{ status: number; body: Record<string, unknown> | undefined; headers: Headers }> {
  const response = await fetch(url, {
    method: options.method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = { unparsed: text.slice(0, 200) };
  }
  return { status: response.status, body, headers: response.headers };
}
