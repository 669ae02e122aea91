export { OPERATOR_ROLES, type OperatorRole, roleAllows } from './auth/roles.js';
export {
  assertExhaustive,
  CoreError,
  formatInventoryIssue,
  InvalidBuildError,
  InventoryError,
  type InventoryIssue,
  SelectionError,
  UnknownUpdateError,
} from './errors.js';
export {
  type Build,
  canonicalBuild,
  compareBuilds,
  formatBuild,
  formatBuildLong,
  normalizeBuild,
  parseBuild,
  sameBuild,
  tryParseBuild,
} from './exchange/build.js';
export {
  type BuildIdentity,
  compareLines,
  findRelease,
  identifyBuild,
  lineOfBuild,
  releaseLabel,
} from './exchange/identify.js';
export {
  EXCHANGE_2007_LINES,
  EXCHANGE_2007_MAJOR,
  EXCHANGE_2007_RELEASES,
  type ExchangeLine,
  type ExchangeRelease,
} from './exchange/releases.js';
export { type ClusterGroup, checkClusters, groupClusters } from './inventory/clusters.js';
export {
  computerNameProblem,
  explainPattern,
  NETBIOS_NAME_PATTERN,
  RESERVED_COMPUTER_NAMES,
  RESERVED_DEVICE_NAMES,
} from './inventory/computer-name.js';
export { EXCHANGE_ROLES } from './inventory/roles.js';
export {
  BuildString,
  ClusterMembership,
  ExchangeRole,
  Inventory,
  InventoryServer,
  netbiosName,
} from './inventory/schema.js';
export { checkInventory, checkServer, parseInventory } from './inventory/validate.js';
export { type Eligibility, eligibility } from './planner/eligibility.js';
export { STEP_NAMES, WAVE_NAMES } from './planner/names.js';
export { planRollout } from './planner/plan.js';
export {
  EXCLUSION_CODES,
  ExcludedServer,
  ExclusionCode,
  InternetFacingPin,
  PlannedServer,
  type PlanPin,
  type PlanPolicy,
  PlanSelection,
  PlanStep,
  PlanWave,
  RolloutPlan,
  SKIP_CODES,
  SkipCode,
  SkippedServer,
  WaveName,
} from './planner/schema.js';
export { describeSelection, selectedNames } from './planner/selection.js';
export { stepsFor, waveOf, waveReason } from './planner/steps.js';
export {
  type Decoded,
  decodeAgentMessage,
  decodeServerMessage,
  encodeMessage,
  MAX_FRAME_CHARS,
  type ProtocolErrorCode,
} from './protocol/codec.js';
export {
  type AgentMessage,
  type AgentMessageType,
  AgentToServerMessages,
  HostFacts,
  PROTOCOL_VERSION,
  type ServerMessage,
  type ServerMessageType,
  ServerToAgentMessages,
} from './protocol/messages.js';
export { PackageRef, StepArgs, StepDetails } from './protocol/steps.js';
export {
  type DispatchDecision,
  type DispatchServer,
  type DispatchSnapshot,
  decideDispatch,
} from './rollout/dispatch.js';
export {
  type FailureContext,
  type FailureGroup,
  nextStepFor,
  summariseFailures,
} from './rollout/failures.js';
export {
  FailureBudget,
  HookName,
  MaintenanceWindow,
  RolloutPolicy,
  WEEKDAYS,
} from './rollout/policy.js';
export {
  ENDED_ROLLOUT_STATES,
  isFinished,
  ROLLOUT_STATES,
  type RolloutState,
  SERVER_STATES,
  type ServerState,
  WAVE_STATES,
  type WaveState,
} from './rollout/states.js';
export { insideWindows, isKnownTimeZone, nextWindowOpening } from './rollout/windows.js';
export { inputSchema } from './schema/input.js';
export { formatPath, type SchemaIssue, schemaIssues } from './schema/issues.js';
export { describeJsonTextProblem, type JsonTextProblem, jsonTextProblem } from './schema/json-text.js';
export {
  findUpdate,
  KB959241,
  UPDATE_CATALOG,
  type UpdatePackage,
  type UpdateRollup,
} from './updates/catalog.js';
export { COMPLIANCE_STATUSES, type ComplianceStatus } from './updates/compliance.js';
export {
  catalogPackage,
  installFreeMb,
  MSP_SIGNATURE,
  PackageList,
  packageProblem,
  RolloutPackages,
  StoredPackage,
  stageFreeBytes,
} from './updates/packages.js';
