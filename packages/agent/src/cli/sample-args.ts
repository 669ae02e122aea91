import { findRelease, KB959241, type PlanStep, RolloutPolicy, type StepArgs } from '@exrollout/core';

/** The sample server: the active node of the CCR cluster SEA-CCR1 (examples/contoso.json), on SP1 RU4. */
export const SAMPLE_SERVER = 'SEA-CCR1-N1';

const FROM_BUILD = findRelease('SP1', 4)?.build ?? '8.1.311.3';
const X64 = KB959241.packages.find((item) => item.architecture === 'x64')?.file ?? '';
// Not the real package's hash: the server computes it when the package is uploaded. Give it with --args.
const SAMPLE_SHA256 = '0'.repeat(64);
const policyDefault = (name: 'minFreeMb' | 'remedyKb944752'): unknown =>
  (RolloutPolicy.properties[name] as { readonly default?: unknown }).default;

/**
 * Arguments for every step, as the server would send them to SEA-CCR1-N1 for KB 959241 (SP1 RU4 to RU6, the
 * x64 package, the policy's defaults): one entry per PlanStep, so a new step cannot be left without one.
 */
export const SAMPLE_STEP_ARGS: { readonly [Step in PlanStep]: StepArgs[Step] } = Object.freeze({
  stage: { package: { file: X64, sha256: SAMPLE_SHA256 }, size: 300_000_000, fromStore: true },
  precheck: {
    expectedBuild: FROM_BUILD,
    targetBuild: KB959241.targetBuild,
    package: { file: X64, sha256: SAMPLE_SHA256 },
    minFreeMb: Number(policyDefault('minFreeMb')),
  },
  'backup-owa': {},
  'move-cms': { cms: 'SEA-CMS01', targetNode: 'SEA-CCR1-N2' },
  'move-cluster-group': { targetNode: 'SEA-CCR1-N2' },
  'remove-interim-updates': { interimUpdates: ['Interim Update for Exchange Server 2007 SP1 (KB956624)'] },
  install: { package: { file: X64, sha256: SAMPLE_SHA256 }, targetBuild: KB959241.targetBuild },
  restart: { reason: 'msiexec 3010: a restart finishes the install' },
  verify: { targetBuild: KB959241.targetBuild, remedyKb944752: policyDefault('remedyKb944752') === true },
  'restore-owa': {},
  uninstall: { productCode: KB959241.productCode, kb: KB959241.kb, expectedBuild: FROM_BUILD },
});

/** A command id in the server's form (`<rollout>:<server>:<step index>:<step>:<attempt>`), for move-cms's comment. */
export function sampleCommandId(step: PlanStep, index: number): string {
  return `r-sample:${SAMPLE_SERVER}:${index}:${step}:1`;
}
