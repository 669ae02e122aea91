import {
  EXCHANGE_ROLES,
  type ExchangeRole,
  findUpdate,
  type Inventory,
  InventoryError,
  type PlanSelection,
  parseInventory,
  planRollout,
} from '@exrollout/core';
import { parseScenario, ScenarioError, scenarioInventory } from '@exrollout/fleet-sim';
import { CliError } from '../errors.js';
import { type Output, readJsonFile, writeJson } from '../io.js';
import { renderPlan } from '../render/plan.js';

/** Options of `exrollout plan`. */
export interface PlanOptions {
  readonly inventory: string;
  readonly update: string;
  readonly json?: boolean;
  readonly servers?: string[];
  readonly sites?: string[];
  readonly roles?: string[];
}

/** `exrollout plan`: reads an inventory file and prints the rollout plan, for people or (`--json`) for scripts. */
export async function planCommand(options: PlanOptions, out: Output): Promise<void> {
  const update = findUpdate(options.update);
  const inventory = inventoryOf(await readJsonFile(options.inventory));
  const plan = planRollout(inventory, update, { selection: selectionFrom(options) });
  if (options.json) writeJson(out, plan);
  else out.stdout.write(renderPlan(plan, update, inventory.servers));
}

/**
 * The inventory of a file that is an inventory or a fleet-simulator scenario (an inventory whose servers may
 * also carry `host` and `behaviour`, like examples/demo-fleet.json): those fields are checked, then left out.
 */
function inventoryOf(value: unknown): Inventory {
  try {
    return parseInventory(scenarioInventory(parseScenario(value, 'inventory')));
  } catch (error) {
    // The same problems, reported as an inventory's: one code and one format for every bad file.
    if (error instanceof ScenarioError) throw new InventoryError(error.issues);
    throw error;
  }
}

function selectionFrom(options: PlanOptions): PlanSelection | undefined {
  const selection: PlanSelection = {
    ...(options.servers ? { names: options.servers } : {}),
    ...(options.sites ? { sites: options.sites } : {}),
    ...(options.roles ? { roles: options.roles.map(toRole) } : {}),
  };
  return Object.keys(selection).length > 0 ? selection : undefined;
}

function toRole(text: string): ExchangeRole {
  const role = EXCHANGE_ROLES.find((known) => known.toLowerCase() === text.toLowerCase());
  if (!role)
    throw new CliError('CLI_ERR_USAGE', `unknown role "${text}"; roles are ${EXCHANGE_ROLES.join(', ')}`);
  return role;
}
