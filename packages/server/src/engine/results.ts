import { canonicalBuild, type PlanStep, type RolloutPolicy, type StepDetails } from '@exrollout/core';
import type { InventoryStore } from '../stores/inventory-store.js';
import { noteChanges, noteInstallEnvironment, noteServicesStarted } from './change-notes.js';
import { type JobData, jobIdFor } from './jobs.js';
import type { ServerRun } from './model.js';
import { recordOf } from './reads.js';
import { stagedAhead } from './stage-ahead.js';
import { finishSucceeded, finishUnfit, holdStep, issueStep } from './steps.js';
import type { RolloutStore } from './store.js';
import { confirmVerified, failVerification } from './verification.js';
import type { Work } from './work.js';

const SYSTEM = 'exrollout';
/** The code of a step whose result the gateway refused: what the step did is not known. */
export const RESULT_REFUSED = 'RESULT_REFUSED';
/** The code of an install or uninstall msiexec refused with 1618: another installation is in progress. */
export const INSTALLER_BUSY = 'INSTALLER_BUSY';
const MAX_WATCH_INTERVAL_MS = 10_000;
const MIN_WATCH_INTERVAL_MS = 1000;

/** Applies a step result to its run; a result for any other command than the run's current one changes nothing. */
export async function applyResult(
  work: Work,
  run: ServerRun | undefined,
  result: JobData<'result'>,
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<boolean> {
  if (run?.state !== 'running' || run.commandId !== result.commandId) return false;
  work.doneCommands.push(result.commandId);
  work.agentCommands.push({ server: run.name, command: null });
  const step = run.steps[run.stepIndex];
  const actor = `agent:${run.name}`;
  // An agent answering from its journal sends no ACK (and an ACK can die with a connection): the trail still
  // shows the step starting before it ends.
  if (!run.acked)
    work.event(actor, 'server.step-started', `${run.name}: ${step} started`, run.name, { step });
  if (result.outcome === 'failed') {
    const error = result.error ?? { code: 'AGENT_ERROR', message: 'the step failed without saying why' };
    // A precheck that finds the server no longer fits skips it; anything else is a failure to look at.
    const skip = step === 'precheck' && error.code.startsWith('PRECHECK_');
    work.event(
      actor,
      'server.step-failed',
      `${run.name}: ${step} failed: ${error.code}: ${error.message}`,
      run.name,
      { step, error },
    );
    if (step === 'install' || step === 'uninstall') noteInstallEnvironment(work, run.name, result.details);
    if (retryBusyInstaller(work, run, step, error)) return true;
    // A result the server could not read says nothing about verification: no automatic rollback on it.
    if (step === 'verify' && error.code !== RESULT_REFUSED) {
      await failVerification(work, run, error, inventory, store);
      return true;
    }
    finishUnfit(work, run, {
      outcome: skip ? 'skipped' : 'failed',
      code: error.code,
      message: error.message,
    });
    return true;
  }
  const reported =
    typeof result.details.build === 'string' ? canonicalBuild(result.details.build) : undefined;
  // The last build a step reported (install, verify) is where the server ends up; later steps do not say.
  const build = reported ?? run.toBuild;
  if (step === 'verify') {
    // The remedy or the services it started are facts of the host, whether or not the build is confirmed yet.
    noteServicesStarted(work, run.name, result.details);
    const claim = { verified: reported, verifiedAt: result.finishedAt, details: result.details };
    await confirmVerified(work, { ...run, ...(build ? { toBuild: build } : {}) }, claim, inventory, store);
    return true;
  }
  work.event(actor, 'server.step-succeeded', `${run.name}: ${step} succeeded`, run.name, {
    step,
    details: result.details,
  });
  noteChanges(work, run.name, step, result.details);
  // The agent's details were checked against StepDetails at the gateway.
  const staged = step === 'stage' ? (result.details as StepDetails).staged : undefined;
  if (step === 'stage' && run.aheadStaging) {
    stagedAhead(work, run, staged);
    return true;
  }
  const { stepRetries: _r, restartPending: _p, stageBytes: _b, ...rest } = run;
  const restartPending =
    step === 'restart' ? false : run.restartPending === true || result.details.rebootRequired === true;
  const next: ServerRun = {
    ...rest,
    stepIndex: run.stepIndex + 1,
    ...(build ? { toBuild: build } : {}),
    ...(restartPending ? { restartPending } : {}),
    ...(staged ? { staged } : {}),
  };
  if (next.stepIndex < next.steps.length) await issueStep(work, next, inventory, store);
  else finishSucceeded(work, next, build);
  return true;
}

/** Checks on an outstanding command: time it out, give up on an agent that stayed away, or redeliver it. */
export async function watchCommand(
  work: Work,
  run: ServerRun | undefined,
  data: JobData<'watch'>,
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  if (run?.state !== 'running' || run.commandId !== data.commandId || !run.commandSentAt) return;
  const { policy } = work.meta;
  const step = run.steps[run.stepIndex];
  const now = work.now.getTime();
  const sentAt = Date.parse(run.commandSentAt);
  const timeoutMs = stepTimeoutMs(policy, step);
  // A restarting server's agent is away by design: only the restart's own time bounds it.
  const waitMs = step === 'restart' ? timeoutMs : policy.offlineAgent.waitSeconds * 1000;
  const record = await recordOf(work, inventory, run.name);
  const awaySince = record?.online
    ? undefined
    : Math.max(Date.parse(record?.lastSeen ?? '') || sentAt, sentAt);
  if (now - sentAt >= timeoutMs) {
    work.deliveries.push({
      kind: 'cancel',
      server: run.name,
      commandId: data.commandId,
      reason: 'step timed out',
    });
    if (step === 'restart')
      return giveUp(
        work,
        run,
        'failed',
        'RESTART_TIMEOUT',
        `${run.name} did not come back from its restart within ${timeoutMs / 1000} s (policy restartTimeoutSeconds); check the server's console`,
      );
    return giveUp(work, run, 'failed', 'STEP_TIMEOUT', `${step} did not finish within ${timeoutMs / 1000} s`);
  }
  if (awaySince !== undefined && now - awaySince >= waitMs) {
    const neverStarted = !run.acked && run.stepIndex === 0;
    if (neverStarted)
      return giveUp(
        work,
        run,
        policy.offlineAgent.afterWait === 'skip' ? 'skipped' : 'failed',
        'AGENT_OFFLINE',
        `the agent was offline for ${policy.offlineAgent.waitSeconds} s when its turn came`,
      );
    return giveUp(
      work,
      run,
      'failed',
      'AGENT_LOST',
      `the agent dropped during ${step} and did not come back within ${policy.offlineAgent.waitSeconds} s`,
    );
  }
  // Sent again at every check while the agent is online: an agent answers a command it has already run from its
  // journal (and one it is running with an ACK), so this recovers a result lost on the way (Redis or an instance
  // went away while it arrived) at the cost of one small frame.
  const command = await store.agentCommand(run.name);
  if (record?.online && command?.commandId === data.commandId)
    work.deliveries.push({ kind: 'command', command });
  const nextCheck =
    awaySince !== undefined
      ? awaySince + waitMs - now
      : Math.min(waitMs || MAX_WATCH_INTERVAL_MS, MAX_WATCH_INTERVAL_MS);
  const delay = Math.max(MIN_WATCH_INTERVAL_MS, Math.min(nextCheck, sentAt + timeoutMs - now));
  work.job(
    'watch',
    { ...data, check: data.check + 1 },
    jobIdFor('watch', data.commandId, data.check + 1),
    delay,
  );
}

function stepTimeoutMs(policy: RolloutPolicy, step: PlanStep | undefined): number {
  // A download of a large package over a slow link can take as long as an install.
  if (step === 'install' || step === 'stage') return policy.stepTimeoutSeconds.install * 1000;
  if (step === 'restart') return policy.restartTimeoutSeconds * 1000;
  return policy.stepTimeoutSeconds.other * 1000;
}

// msiexec 1618: another installation (Windows Update, an msiexec still running) holds Windows Installer; it
// usually ends on its own, so the step is sent again after a wait, as often as the policy says.
function retryBusyInstaller(
  work: Work,
  run: ServerRun,
  step: PlanStep | undefined,
  error: { code: string; message: string },
): boolean {
  const { retries, waitSeconds } = work.meta.policy.installerBusy;
  const done = run.stepRetries ?? 0;
  if (error.code !== INSTALLER_BUSY || (step !== 'install' && step !== 'uninstall') || done >= retries)
    return false;
  const until = new Date(work.now.getTime() + waitSeconds * 1000);
  work.event(
    SYSTEM,
    'server.step-retry-scheduled',
    `${run.name}: ${step}: another installation is in progress (msiexec 1618); trying again in ${waitSeconds} s (retry ${done + 1} of ${retries})`,
    run.name,
    { step, retry: done + 1, retries, until: until.toISOString() },
  );
  holdStep(work, { ...run, stepRetries: done + 1 }, `${step} waits for the other installation to end`, until);
  return true;
}

function giveUp(
  work: Work,
  run: ServerRun,
  outcome: 'skipped' | 'failed',
  code: string,
  message: string,
): void {
  if (run.commandId) work.doneCommands.push(run.commandId);
  work.agentCommands.push({ server: run.name, command: null });
  work.event(SYSTEM, 'server.gave-up', `${run.name}: ${message}`, run.name, { code });
  finishUnfit(work, run, { outcome, code, message });
}
