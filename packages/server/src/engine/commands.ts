import {
  compareBuilds,
  identifyBuild,
  installFreeMb,
  normalizeBuild,
  type PlanStep,
  parseBuild,
  type RolloutPolicy,
  type UpdateRollup,
} from '@exrollout/core';
import type { ServerRecord } from '../stores/inventory-store.js';
import type { ServerRun } from './model.js';

/** The id of one attempt of one step on one server; the same id always means the same command. */
export function commandIdFor(rolloutId: string, run: ServerRun): string {
  // A step sent again after msiexec answered 1618 is a new command: the agent's journal answers an old id from its
  // record. The protocol's command id takes letters, digits, `:`, `_` and `-` only.
  const retry = run.stepRetries ? `-retry${run.stepRetries}` : '';
  return `${rolloutId}:${run.name}:${run.stepIndex}:${run.steps[run.stepIndex]}:${run.attempt}${retry}`;
}

/** The rollout id a command id belongs to. */
export function rolloutOfCommand(commandId: string): string {
  return commandId.split(':')[0] ?? '';
}

/** Why a server cannot take its turn now, judged by the server from the live inventory before any command. */
export interface Unfit {
  readonly outcome: 'skipped' | 'failed';
  readonly code: string;
  readonly message: string;
}

/** Checks the live inventory just before a server's turn: the fleet may have changed since the plan. */
export function precheckLive(
  run: ServerRun,
  record: ServerRecord | undefined,
  update: UpdateRollup,
  policy: RolloutPolicy,
): Unfit | undefined {
  if (!record)
    return {
      outcome: 'skipped',
      code: 'NO_INVENTORY',
      message: `${run.name} has no inventory report any more`,
    };
  const build = normalizeBuild(record.report.build);
  if (run.targetBuild !== undefined && build === run.targetBuild)
    return {
      outcome: 'skipped',
      code: 'ALREADY_ROLLED_BACK',
      message: `already back on ${build}: nothing to roll back`,
    };
  const identity = identifyBuild(build);
  if (
    run.targetBuild === undefined &&
    identity.kind === 'release' &&
    identity.release.line === update.line &&
    identity.release.rollup >= update.rollup
  )
    return {
      outcome: 'skipped',
      code: 'ALREADY_CURRENT',
      message: `already on ${build}, which includes ${update.id}`,
    };
  if (build !== run.fromBuild)
    return {
      outcome: 'skipped',
      code: 'BUILD_CHANGED',
      message: `build changed from ${run.fromBuild} to ${build} since the plan; plan again to include it`,
    };
  if (record.host.pendingReboot)
    return {
      outcome: 'skipped',
      code: 'PENDING_REBOOT',
      message: 'Windows has a restart pending; restart the server, then retry it',
    };
  const free = record.host.systemDriveFreeMb;
  const needed = freeMbNeeded(policy, record);
  if (free !== undefined && free < needed)
    return {
      outcome: 'skipped',
      code: 'DISK_SPACE',
      message: `${free} MB free on the system drive, ${needed} MB needed${policy.packageBytes ? ' (the policy margin and twice the package, for the installer)' : ''}`,
    };
  return undefined;
}

/** The system drive's free space an install needs: the policy's margin plus twice the package (when known). */
function freeMbNeeded(policy: RolloutPolicy, record: ServerRecord | undefined): number {
  const architecture = record?.host.architecture ?? 'x64';
  return installFreeMb(policy.minFreeMb, policy.packageBytes?.[architecture]);
}

/** What building a step's arguments needs: the live inventory of this server and of its cluster peers. */
export interface ArgsContext {
  readonly run: ServerRun;
  readonly record: ServerRecord | undefined;
  readonly peers: readonly ServerRecord[];
  /** Peers this rollout already updated (lower-cased), which count as updated before their next report. */
  readonly updatedInRollout: ReadonlySet<string>;
  readonly update: UpdateRollup;
  readonly policy: RolloutPolicy;
}

/** What the current step needs: a command with these arguments, nothing (already done), or it cannot run. */
export type StepPlan =
  | { args: Record<string, unknown> }
  | { unfit: Unfit }
  // `quiet`: so usual (no restart needed) that the trail does not note it for every server of the rollout.
  | { nothing: string; quiet?: boolean };

/** The arguments of the run's current step, or why it needs no command, or why it cannot be built. */
export function stepArgs(context: ArgsContext): StepPlan {
  const { run, record, update, policy } = context;
  const step = run.steps[run.stepIndex] as PlanStep;
  switch (step) {
    case 'stage': {
      const pkg = packageFor(context);
      if ('unfit' in pkg) return pkg;
      const size = policy.packageBytes?.[record?.host.architecture ?? 'x64'];
      return { args: { package: pkg.package, fromStore: size !== undefined, ...(size ? { size } : {}) } };
    }
    case 'precheck': {
      const pkg = packageFor(context);
      return 'unfit' in pkg
        ? pkg
        : {
            args: {
              expectedBuild: run.fromBuild,
              targetBuild: update.targetBuild,
              package: pkg.package,
              minFreeMb: freeMbNeeded(policy, record),
            },
          };
    }
    case 'install': {
      const pkg = packageFor(context);
      return 'unfit' in pkg ? pkg : { args: installArgs(pkg.package, update.targetBuild, policy) };
    }
    case 'restart':
      return restartPlan(context);
    case 'verify':
      // Rolling back, the goal is a server that runs again: the KB 944752 remedy is always applied.
      return {
        args: {
          targetBuild: run.targetBuild ?? update.targetBuild,
          remedyKb944752: policy.remedyKb944752 || run.targetBuild !== undefined,
        },
      };
    case 'backup-owa':
    case 'restore-owa':
      return { args: {} };
    case 'remove-interim-updates': {
      const interimUpdates = record?.report.interimUpdates ?? [];
      return interimUpdates.length > 0
        ? { args: { interimUpdates } }
        : { nothing: 'no interim updates are installed any more' };
    }
    case 'move-cms':
      return moveCmsArgs(context);
    case 'move-cluster-group': {
      const target = updatedPeer(context) ?? context.peers[0];
      if (!target)
        return {
          unfit: {
            outcome: 'failed',
            code: 'CLUSTER_NO_PEER',
            message: `no other node of cluster ${run.cluster} reports to move the cluster group to`,
          },
        };
      return { args: { targetNode: target.report.name } };
    }
    case 'uninstall':
      return {
        args: {
          productCode: update.productCode,
          kb: update.kb,
          expectedBuild: run.targetBuild ?? run.fromBuild,
        },
      };
  }
}

function moveCmsArgs(context: ArgsContext): StepPlan {
  const cluster = context.record?.report.cluster;
  if (cluster?.role !== 'active' || !cluster.cms)
    return { nothing: 'this node no longer hosts the clustered mailbox server' };
  const cms = cluster.cms;
  // Rolling back, the CMS goes to a node already back on its old build, or else to any other node.
  const target =
    context.run.targetBuild !== undefined ? (updatedPeer(context) ?? context.peers[0]) : updatedPeer(context);
  if (!target) {
    const restarting = context.peers.filter((peer) => peer.host.pendingReboot).map((peer) => peer.name);
    const why =
      restarting.length > 0
        ? `; ${restarting.join(', ')} ${restarting.length === 1 ? 'waits' : 'wait'} for a restart, and a clustered mailbox server never moves onto such a node: restart it (or let the policy's restart: if-required do it), then retry`
        : '';
    return {
      unfit: {
        outcome: 'failed',
        code: 'CLUSTER_NO_UPDATED_NODE',
        message: `no node of cluster ${context.run.cluster} is on ${context.update.targetBuild} and ready yet to take ${cms}${why}`,
      },
    };
  }
  const { maxCopyQueueLength, maxReplayQueueLength } = context.policy.clusterMove;
  return { args: { cms, targetNode: target.report.name, maxCopyQueueLength, maxReplayQueueLength } };
}

function installArgs(
  pkg: { file: string; sha256: string },
  targetBuild: string,
  policy: RolloutPolicy,
): Record<string, unknown> {
  const { before, after } = policy.installHooks;
  return {
    package: pkg,
    targetBuild,
    ...(policy.crlCheckOffDuringInstall ? { crlCheckOff: true } : {}),
    ...(before.length > 0 || after.length > 0 ? { hooks: { before, after } } : {}),
  };
}

/** Why a server restarts now, or why it does not: the policy, and what msiexec and Windows asked for. */
function restartPlan({ run, record, policy }: ArgsContext): StepPlan {
  const asked = run.restartPending === true ? 'msiexec asked for a restart (3010 or 1641)' : undefined;
  const pending = record?.host.pendingReboot === true ? 'Windows has a restart pending' : undefined;
  const reason = asked ?? pending;
  if (policy.restart === 'never')
    return {
      nothing: reason
        ? `${reason}, but the policy says restart: never; restart the server by hand in the maintenance window`
        : 'the policy says restart: never',
    };
  if (policy.restart === 'if-required' && !reason) return { nothing: 'no restart needed', quiet: true };
  return { args: { reason: reason ?? 'the policy says restart: always' } };
}

function updatedPeer({ run, peers, update, updatedInRollout }: ArgsContext): ServerRecord | undefined {
  // A clustered mailbox server never moves onto a node that waits for a restart: it would go down under it.
  const ready = peers.filter((peer) => !peer.host.pendingReboot);
  if (run.targetBuild !== undefined)
    return ready.find((peer) => updatedInRollout.has(peer.name.toLowerCase()));
  const target = parseBuild(update.targetBuild);
  return ready.find(
    (peer) =>
      updatedInRollout.has(peer.name.toLowerCase()) ||
      compareBuilds(parseBuild(normalizeBuild(peer.report.build)), target) >= 0,
  );
}

function packageFor({
  record,
  update,
  policy,
}: ArgsContext): { package: { file: string; sha256: string } } | { unfit: Unfit } {
  const architecture = record?.host.architecture ?? 'x64';
  const file = update.packages.find((pkg) => pkg.architecture === architecture)?.file;
  const sha256 = policy.packageSha256[architecture];
  if (!file || !sha256)
    return {
      unfit: {
        outcome: 'failed',
        code: 'PACKAGE_NOT_CONFIGURED',
        message: `the rollout has no SHA-256 for the ${architecture} package; add packageSha256.${architecture} to the policy`,
      },
    };
  return { package: { file, sha256 } };
}
