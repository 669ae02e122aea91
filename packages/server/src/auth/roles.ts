import { OPERATOR_ROLES, type OperatorRole } from '@exrollout/core';

// One table for the server, the CLI and the dashboard: core's. These names are the server's own spelling.
/** Operator roles, least to most powerful; each may do everything the ones before it may. */
export const ROLES = OPERATOR_ROLES;

/** An operator role. */
export type Role = OperatorRole;

export { roleAllows } from '@exrollout/core';
