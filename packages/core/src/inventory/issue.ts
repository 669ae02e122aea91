import type { InventoryIssue } from '../errors.js';
import type { InventoryServer } from './schema.js';

/** The issue for a server record, naming it by position and name. */
export function serverIssue(
  servers: readonly InventoryServer[],
  server: InventoryServer,
  field: string,
  message: string,
): InventoryIssue {
  return { index: servers.indexOf(server), server: server.name, field, message };
}
