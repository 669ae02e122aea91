import { InventoryError, type InventoryIssue } from '../errors.js';
import { tryParseBuild } from '../exchange/build.js';
import { formatPath, type SchemaIssue, schemaIssues } from '../schema/issues.js';
import { checkClusters, checkNode } from './clusters.js';
import { Inventory, type InventoryServer } from './schema.js';

const BUILD_HINT =
  'must be a four-part build such as 8.1.340.1 or 08.01.0340.001 (the ExSetup.exe file version)';
const PATTERN_HINTS: Readonly<Record<string, string>> = {
  build: BUILD_HINT,
  fqdn: 'must be a DNS name such as cas01.contoso.com',
};

/** Validates an inventory against its schema and consistency rules; throws InventoryError listing every problem. */
export function parseInventory(value: unknown): Inventory {
  const schemaProblems = schemaIssues(Inventory, value, PATTERN_HINTS);
  if (schemaProblems.length > 0)
    throw new InventoryError(schemaProblems.map((issue) => toInventoryIssue(issue, value)));
  const inventory = value as Inventory;
  const problems = checkInventory(inventory);
  if (problems.length > 0) throw new InventoryError(problems);
  return inventory;
}

/** The consistency rules a schema cannot express: unique names, role combinations, cluster shape. */
export function checkInventory(inventory: Inventory): InventoryIssue[] {
  return [
    ...checkUniqueNames(inventory.servers),
    ...inventory.servers.flatMap(checkRecord),
    ...checkClusters(inventory.servers),
  ];
}

/**
 * The rules one server record must follow on its own, for a single agent's report: the cluster-wide rules
 * (one active node, one site) need the peers and are left to checkInventory.
 */
export function checkServer(server: InventoryServer): InventoryIssue[] {
  return [...checkRecord(server, 0), ...checkNode([server], server)];
}

function checkUniqueNames(servers: readonly InventoryServer[]): InventoryIssue[] {
  const firstByName = new Map<string, number>();
  const issues: InventoryIssue[] = [];
  servers.forEach((server, index) => {
    const key = server.name.toLowerCase();
    const first = firstByName.get(key);
    if (first === undefined) firstByName.set(key, index);
    else
      issues.push({
        index,
        server: server.name,
        field: 'name',
        message: `duplicates servers[${first}] "${servers[first]?.name}" (names are compared case-insensitively)`,
      });
  });
  return issues;
}

function checkRecord(server: InventoryServer, index: number): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const at = (field: string, message: string) => issues.push({ index, server: server.name, field, message });
  const isCas = server.roles.includes('ClientAccess');
  // The schema's pattern cannot say that each part of a file version is a 16-bit number.
  if (!tryParseBuild(server.build)) at('build', `${BUILD_HINT} (got ${JSON.stringify(server.build)})`);
  if (server.roles.includes('Edge') && server.roles.length > 1)
    at('roles', 'an Edge Transport server runs no other role');
  if (server.internetFacing !== undefined && !isCas)
    at('internetFacing', 'applies to Client Access servers only; this server has no ClientAccess role');
  if (server.owaCustomized !== undefined && !isCas)
    at('owaCustomized', 'applies to Client Access servers only; OWA files live on Client Access servers');
  return issues;
}

function toInventoryIssue(issue: SchemaIssue, root: unknown): InventoryIssue {
  const [first, index, ...rest] = issue.path;
  if (first !== 'servers' || typeof index !== 'number')
    return { field: formatPath(issue.path) || 'inventory', message: issue.message };
  const record = (root as { servers: unknown[] }).servers[index];
  const name = readableName(record);
  return {
    index,
    ...(name === undefined ? {} : { server: name }),
    field: rest.length > 0 ? formatPath(rest) : 'server',
    message: issue.message,
  };
}

function readableName(record: unknown): string | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const name = (record as { name?: unknown }).name;
  return typeof name === 'string' && name.length > 0 && name.length <= 64 ? name : undefined;
}
