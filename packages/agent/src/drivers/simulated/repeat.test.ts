import { type PlanStep, STEP_NAMES, type StepArgs, type StepDetails } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { SimulatedCluster } from './cluster.js';
import type { SimulatedDriver } from './driver.js';
import {
  casOnRu4,
  ccrNode,
  INSTALL_ARGS,
  precheckArgs,
  RU4,
  RU6,
  recordingContext,
  run,
  simulate,
  uninstallArgs,
} from './test-fixtures.js';

const IU = 'Interim Update for Exchange Server 2007 SP1 (KB956624)';

/** A host that has run every step up to (not including) the one under test, and that step's arguments. */
interface Case<Step extends PlanStep = PlanStep> {
  readonly step: Step;
  readonly args: StepArgs[Step];
  readonly driver: () => Promise<SimulatedDriver>;
  /** What the second run reports, when it cannot be what the first did. */
  readonly again?: StepDetails;
}

const cas = (behaviour: Parameters<typeof casOnRu4>[0] = {}) => simulate(casOnRu4(behaviour)).driver;
const installed = async (behaviour: Parameters<typeof casOnRu4>[0] = {}) => {
  const driver = cas(behaviour);
  await run(driver, 'backup-owa', {});
  await run(driver, 'install', INSTALL_ARGS);
  return driver;
};
const ccrNodeA = () => {
  const cluster = new SimulatedCluster('SEA-CLU01');
  const a = simulate(ccrNode('SEA-MBX01', 'active'), { cluster }).driver;
  simulate(ccrNode('SEA-MBX02', 'passive'), { cluster });
  return a;
};

// Every step of the catalog: the agent runs a step again when it restarted in the middle of it.
const CASES: readonly Case[] = [
  {
    step: 'stage',
    args: { package: INSTALL_ARGS.package, size: 1_000_000, fromStore: true },
    driver: async () => cas(),
    // The package the first run downloaded is there, verified: nothing is downloaded again.
    again: { staged: { bytes: 1_000_000, skipped: true, resumedFrom: 0 } },
  },
  { step: 'precheck', args: precheckArgs(), driver: async () => cas() },
  { step: 'backup-owa', args: {}, driver: async () => cas() },
  { step: 'move-cms', args: { cms: 'SEA-CMS01', targetNode: 'SEA-MBX02' }, driver: async () => ccrNodeA() },
  { step: 'move-cluster-group', args: { targetNode: 'SEA-MBX02' }, driver: async () => ccrNodeA() },
  {
    step: 'remove-interim-updates',
    args: { interimUpdates: [IU] },
    driver: async () => {
      const host = casOnRu4();
      host.server.interimUpdates = [IU];
      return simulate(host).driver;
    },
    // What this run removed: the update was removed by the first run.
    again: { build: RU4 },
  },
  { step: 'install', args: INSTALL_ARGS, driver: async () => cas() },
  {
    step: 'verify',
    args: { targetBuild: RU6, remedyKb944752: true },
    driver: () => installed({ servicesFailToStart: true }),
    // What this run did: the first run applied the remedy and started the services.
    again: { build: RU6 },
  },
  { step: 'restore-owa', args: {}, driver: () => installed() },
  {
    step: 'restart',
    args: { reason: 'msiexec 3010' },
    driver: () => installed({ restartExitCode: 3010 }),
  },
  {
    step: 'uninstall',
    args: uninstallArgs(RU4),
    driver: () => installed(),
    // Nothing was removed, so there is no msiexec log to name.
    again: { build: RU4 },
  },
];

describe('every step run again after it completed (the agent restarted mid-step)', () => {
  it.each(CASES.map((entry) => [entry.step, entry] as const))(
    '%s succeeds again, changes nothing and reports the same details',
    async (step, entry) => {
      const driver = await entry.driver();
      const commandId = `rollout-1:${driver.name}:${step}`;
      const first = await driver.runStep(step, entry.args, recordingContext(commandId));
      const before = driver.state();
      const changes: unknown[] = [];
      driver.onChange((state) => changes.push(state));
      const second = await driver.runStep(step, entry.args, recordingContext(commandId));
      expect(second).toEqual(entry.again ?? first);
      expect(driver.state()).toEqual(before);
      expect(changes).toEqual([]);
    },
  );

  it('covers every step of the catalog', () => {
    expect(CASES.map((entry) => entry.step).sort()).toEqual([...STEP_NAMES].sort());
  });
});
