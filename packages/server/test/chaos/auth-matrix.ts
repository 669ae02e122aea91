import type { Role } from '../../src/auth/roles.js';
import { ROUTE_CASES, type Targets } from './bad-input-cases.js';
import type { Json } from './fuzz.js';

/** What one request of the matrix sends. */
export interface MatrixRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: Json;
  /** The least role that may send it. */
  readonly role: Role;
}

/** What the matrix's requests address: a rollout, its server, an enrolled agent and an operator token id. */
export interface MatrixTargets extends Targets {
  readonly agent: string;
  readonly tokenId: string;
}

type Entry = { role: Role; paths: (t: MatrixTargets) => string[] } | { perAction: Record<string, Role> };

const body = (route: string): Json | undefined => ROUTE_CASES[route]?.valid;

/**
 * Every operator route of the API (as Fastify names it) with the least role that may call it, from
 * docs/security.md. The test fails for a route the app serves that is missing here.
 */
export const ROUTE_ROLES: Readonly<Record<string, Entry>> = {
  'GET /api/v1/me': { role: 'viewer', paths: () => ['/api/v1/me'] },
  'GET /api/v1/servers': { role: 'viewer', paths: () => ['/api/v1/servers'] },
  'GET /api/v1/servers/:name': { role: 'viewer', paths: (t) => [`/api/v1/servers/${t.server}`] },
  'GET /api/v1/compliance': { role: 'viewer', paths: () => ['/api/v1/compliance'] },
  'PUT /api/v1/servers/:name/internet-facing': {
    role: 'operator',
    paths: (t) => [`/api/v1/servers/${t.server}/internet-facing`],
  },
  'DELETE /api/v1/servers/:name/internet-facing': {
    role: 'operator',
    paths: (t) => [`/api/v1/servers/${t.server}/internet-facing`],
  },
  'POST /api/v1/plans': { role: 'viewer', paths: () => ['/api/v1/plans'] },
  'GET /api/v1/rollouts': { role: 'viewer', paths: () => ['/api/v1/rollouts'] },
  'GET /api/v1/rollouts/:id': { role: 'viewer', paths: (t) => [`/api/v1/rollouts/${t.rolloutId}`] },
  'GET /api/v1/rollouts/:id/events': {
    role: 'viewer',
    paths: (t) => [`/api/v1/rollouts/${t.rolloutId}/events`],
  },
  'POST /api/v1/rollouts': { role: 'operator', paths: () => ['/api/v1/rollouts'] },
  'POST /api/v1/rollouts/:id/:action': {
    perAction: {
      start: 'operator',
      pause: 'operator',
      resume: 'operator',
      abort: 'operator',
      approve: 'approver',
    },
  },
  'POST /api/v1/rollouts/:id/servers/:name/:action': {
    role: 'operator',
    paths: (t) => ['retry', 'skip'].map((a) => `/api/v1/rollouts/${t.rolloutId}/servers/${t.server}/${a}`),
  },
  'POST /api/v1/rollouts/:id/rollback': {
    role: 'approver',
    paths: (t) => [`/api/v1/rollouts/${t.rolloutId}/rollback`],
  },
  'POST /api/v1/rollouts/:id/servers/:name/rollback': {
    role: 'approver',
    paths: (t) => [`/api/v1/rollouts/${t.rolloutId}/servers/${t.server}/rollback`],
  },
  // Before the token routes: revoking the viewer's token (DELETE /api/v1/tokens/:id) comes last.
  'GET /api/v1/packages': { role: 'viewer', paths: () => ['/api/v1/packages'] },
  'GET /api/v1/packages/:sha256': { role: 'viewer', paths: () => [`/api/v1/packages/${'0'.repeat(64)}`] },
  'POST /api/v1/packages': {
    role: 'admin',
    paths: () => ['/api/v1/packages?file=Exchange2007-KB959241-x64-EN.msp'],
  },
  'DELETE /api/v1/packages/:sha256': { role: 'admin', paths: () => [`/api/v1/packages/${'0'.repeat(64)}`] },
  'POST /api/v1/enrolment-tokens': { role: 'admin', paths: () => ['/api/v1/enrolment-tokens'] },
  'GET /api/v1/agents': { role: 'admin', paths: () => ['/api/v1/agents'] },
  'DELETE /api/v1/agents/:name': { role: 'admin', paths: (t) => [`/api/v1/agents/${t.agent}`] },
  'POST /api/v1/tokens': { role: 'admin', paths: () => ['/api/v1/tokens'] },
  'GET /api/v1/tokens': { role: 'admin', paths: () => ['/api/v1/tokens'] },
  'DELETE /api/v1/tokens/:id': { role: 'admin', paths: (t) => [`/api/v1/tokens/${t.tokenId}`] },
};

/** Every request of the matrix: each route, each action, with a body its schema accepts (so auth decides). */
export function matrixRequests(targets: MatrixTargets): MatrixRequest[] {
  return Object.entries(ROUTE_ROLES).flatMap(([route, entry]) => {
    const method = route.split(' ')[0] ?? '';
    const withBody = method === 'POST' || method === 'PUT' ? { body: body(route) ?? null } : {};
    if ('perAction' in entry)
      return Object.entries(entry.perAction).map(([action, role]) => ({
        method,
        path: `/api/v1/rollouts/${targets.rolloutId}/${action}`,
        role,
        ...withBody,
      }));
    return entry.paths(targets).map((path) => ({ method, path, role: entry.role, ...withBody }));
  });
}
