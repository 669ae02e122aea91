import { type StepArgs, type StepDetails, sameBuild } from '@exrollout/core';
import { StepFailedError } from '../../../errors.js';
import type { ValueReader } from './read.js';
import { activeMachine, interimUpdatesOf } from './snapshot.js';

/** BUILD_MISMATCH unless ExSetup.exe reported the expected build. */
export function checkBuild(expected: string, what: string, details: StepDetails): void {
  if (details.build !== undefined && sameBuild(details.build, expected)) return;
  throw new StepFailedError(
    'BUILD_MISMATCH',
    `ExSetup.exe reports ${details.build ?? 'no build'}, not ${expected} (${what})`,
    details,
  );
}

/** CMS_MOVE_FAILED unless OperationalMachines shows the target node as `<Active>`. */
export function checkCmsActive(args: StepArgs['move-cms'], values: ValueReader, details: StepDetails): void {
  const active = activeMachine(values.all('cluster.machine'));
  if (active?.toLowerCase() === args.targetNode.toLowerCase()) return;
  throw new StepFailedError(
    'CMS_MOVE_FAILED',
    `${args.cms} is active on ${active ?? 'no node'} after the move, not on ${args.targetNode}`,
    details,
  );
}

/** The owner node of the core cluster group in `cluster.exe group "<name>"` output, if listed. */
export function clusterGroupOwner(lines: readonly string[], groupName = 'Cluster Group'): string | undefined {
  const escaped = groupName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const row = new RegExp(`^\\s*${escaped}\\s+(\\S+)\\s+\\S+`, 'i');
  for (const line of lines) {
    const match = row.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/** CLUSTER_GROUP_MOVE_FAILED unless cluster.exe lists the target as the owner of "Cluster Group". */
export function checkClusterGroupOwner(target: string, values: ValueReader, details: StepDetails): void {
  const owner = clusterGroupOwner(values.all('cluster.groupStatus'), values.one('cluster.groupName'));
  if (owner?.toLowerCase() === target.toLowerCase()) return;
  throw new StepFailedError(
    'CLUSTER_GROUP_MOVE_FAILED',
    `"Cluster Group" is owned by ${owner ?? 'an unknown node'} after the move, not by ${target}`,
    details,
  );
}

/** IU_REMOVAL_FAILED while an interim update the plan did not name is still installed: no rollup goes over one. */
export function checkNoInterimUpdates(values: ValueReader, details: StepDetails): void {
  const remaining = interimUpdatesOf(values.all('patch'));
  if (remaining.length === 0) return;
  throw new StepFailedError(
    'IU_REMOVAL_FAILED',
    `${remaining.map((name) => `"${name}"`).join(', ')} is still installed, which the plan does not name; remove it by hand or plan again`,
    details,
  );
}
