import type { StepArgs, StepDetails } from '@exrollout/core';
import type { StepRun } from '../run.js';

// setTimeout's longest delay: a host that never comes back waits until the step is cancelled.
const FOREVER_MS = 2_147_483_647;

/**
 * @internal Restarts the simulated Windows server: the agent on it goes down with it (a `reboot` event) and comes
 * back; the pending restart is gone, and the step reports when Windows booted. The same command run again reports
 * that boot without restarting (the PowerShell driver's marker file). A host with `restartHangs` never
 * comes back, so that the server's restart timeout decides.
 */
export async function restart(run: StepRun, args: StepArgs['restart']): Promise<StepDetails> {
  const { commandId } = run.context;
  const done = run.host.current.restartsByCommand[commandId];
  if (done !== undefined) {
    run.progress(`${run.name} already restarted for this command (booted at ${done})`, 100);
    return { build: run.host.current.server.build, restartedAt: done };
  }
  run.progress(`restarting ${run.name}: ${args.reason}`, 0);
  await run.work();
  if (run.host.behaviour.restartHangs) {
    run.progress(`${run.name} is going down and has not come back`, 50);
    await run.wait(FOREVER_MS);
  }
  const restartedAt = new Date().toISOString();
  run.host.change((state) => {
    state.reboots += 1;
    state.host = { ...state.host, pendingReboot: false };
    state.restartsByCommand = { ...state.restartsByCommand, [commandId]: restartedAt };
  });
  run.host.events.emit('reboot', {
    server: run.name,
    commandId: run.context.commandId,
    step: run.step,
    percent: 50,
  });
  await run.wait(run.host.behaviour.stepMs);
  run.progress(`${run.name} is back (booted at ${restartedAt})`, 100);
  return { build: run.host.current.server.build, restartedAt };
}
