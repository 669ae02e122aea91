import { parseSimulatedHost, type SimulatedBehaviour, SimulatedHostError } from '@exrollout/agent';
import {
  formatPath,
  type HostFacts,
  type Inventory,
  InventoryError,
  type InventoryIssue,
  type InventoryServer,
  parseInventory,
} from '@exrollout/core';
import { ScenarioError } from './errors.js';

/** One simulated server: its inventory record, plus optional host facts and simulated behaviour. */
export type ScenarioServer = InventoryServer & {
  /** Facts about the host (architecture, pending restart, free disk) the simulated driver reports. */
  readonly host?: HostFacts;
  /** Durations and failure knobs of the simulated driver. */
  readonly behaviour?: SimulatedBehaviour;
};

/** A fleet to simulate: the inventory format, so that a plain inventory file is a valid scenario. */
export interface Scenario {
  readonly servers: readonly ScenarioServer[];
}

const SIMULATION_FIELDS = ['host', 'behaviour'] as const;

/**
 * Checks a scenario (parsed JSON): the inventory rules for the server records, the simulated driver's schema for
 * `host` and `behaviour`. Throws ScenarioError listing every problem by server and field.
 */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const records = serverRecords(value);
  const issues: InventoryIssue[] = [];
  try {
    parseInventory(records ? { ...(value as object), servers: records.map(inventoryPart) } : value);
  } catch (error) {
    if (!(error instanceof InventoryError)) throw error;
    issues.push(...error.issues);
  }
  records?.forEach((record, index) => {
    issues.push(...simulationIssues(record, index));
  });
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return value as Scenario;
}

/** The inventory a scenario describes, without the simulation fields: what an operator would plan from. */
export function scenarioInventory(scenario: Scenario): Inventory {
  return { servers: scenario.servers.map((server) => inventoryPart(server) as InventoryServer) };
}

function serverRecords(value: unknown): unknown[] | undefined {
  if (!isRecord(value)) return undefined;
  return Array.isArray(value.servers) ? value.servers : undefined;
}

function inventoryPart(record: unknown): unknown {
  if (!isRecord(record)) return record;
  const copy: Record<string, unknown> = { ...record };
  for (const field of SIMULATION_FIELDS) delete copy[field];
  return copy;
}

// The simulated driver's own parser knows its knobs best; its server problems are already reported above.
function simulationIssues(record: unknown, index: number): InventoryIssue[] {
  if (!isRecord(record) || SIMULATION_FIELDS.every((field) => record[field] === undefined)) return [];
  const name = typeof record.name === 'string' ? record.name : undefined;
  try {
    const host = record.host === undefined ? {} : { host: record.host };
    const behaviour = record.behaviour === undefined ? {} : { behaviour: record.behaviour };
    parseSimulatedHost({ server: inventoryPart(record), ...host, ...behaviour });
    return [];
  } catch (error) {
    if (!(error instanceof SimulatedHostError)) throw error;
    return error.issues
      .filter((issue) => issue.path[0] !== 'server')
      .map((issue) => ({
        index,
        ...(name === undefined ? {} : { server: name }),
        field: formatPath(issue.path),
        message: issue.message,
      }));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
