export type { EnrolmentResult } from './enrolment.js';
export { FleetError, type FleetErrorCode, ScenarioError } from './errors.js';
export { type FlapCounts, type FlapOptions, type Flapper, startFlapping } from './flap.js';
export { type Fleet, type FleetOptions, type FleetProgress, startFleet } from './fleet.js';
export {
  type ConnectOutcome,
  DEFAULT_REBOOT_MS,
  FleetAgent,
  type FleetAgentState,
  type SharedClientOptions,
} from './fleet-agent.js';
export { type GenerateOptions, generateFleet, MAX_GENERATED } from './generate.js';
export { type Random, seededRandom } from './random.js';
export { parseScenario, type Scenario, type ScenarioServer, scenarioInventory } from './scenario.js';
export { type FleetSummary, formatSummary, summarise } from './summary.js';
