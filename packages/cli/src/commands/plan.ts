import {
  EXCHANGE_ROLES,
  type ExchangeRole,
  findUpdate,
  type PlanSelection,
  parseInventory,
  planRollout,
} from '@exrollout/core';
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
  const inventory = parseInventory(await readJsonFile(options.inventory));
  const plan = planRollout(inventory, update, { selection: selectionFrom(options) });
  if (options.json) writeJson(out, plan);
  else out.stdout.write(renderPlan(plan, update, inventory.servers));
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
