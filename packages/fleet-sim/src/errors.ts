import { formatInventoryIssue, type InventoryIssue } from '@exrollout/core';

/** Codes of the fleet simulator's errors. */
export type FleetErrorCode =
  | 'FLEET_ERR_USAGE'
  | 'FLEET_ERR_INPUT'
  | 'FLEET_ERR_SCENARIO_INVALID'
  | 'FLEET_ERR_ENROL'
  | 'FLEET_ERR_UNKNOWN_AGENT'
  | 'FLEET_ERR_CONNECT_TIMEOUT'
  | 'FLEET_ERR_AGENT_REFUSED';

/** An error of the fleet simulator; match on `code`. */
export class FleetError extends Error {
  readonly code: FleetErrorCode;

  constructor(code: FleetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A scenario that breaks the inventory schema, its consistency rules, or the simulated behaviour schema. */
export class ScenarioError extends FleetError {
  constructor(
    readonly issues: readonly InventoryIssue[],
    source = 'scenario',
  ) {
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    super(
      'FLEET_ERR_SCENARIO_INVALID',
      `invalid ${source} (${count}):\n${issues.map(formatInventoryIssue).join('\n')}`,
    );
  }
}
