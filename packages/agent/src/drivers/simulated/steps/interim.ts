import type { StepArgs, StepDetails } from '@exrollout/core';
import type { StepRun } from '../run.js';
import { failWhileBusy, logPathOf } from './msi.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * @internal Removes the interim updates the plan names (those already gone are skipped, so a retry is safe),
 * then fails if any other IU is still installed: the rollup must not be installed over one.
 */
export async function removeInterimUpdates(
  run: StepRun,
  args: StepArgs['remove-interim-updates'],
): Promise<StepDetails> {
  await run.work();
  const installed = run.host.current.server.interimUpdates ?? [];
  const removed = installed.filter((iu) => args.interimUpdates.some((named) => same(iu, named)));
  const remaining = installed.filter((iu) => !removed.includes(iu));
  const ran = removed.length > 0 ? { logPath: logPathOf('interim-updates') } : {};
  const details = () => ({ build: run.host.current.server.build, ...ran });
  if (removed.length > 0) failWhileBusy(run, 'IU_REMOVAL_FAILED', logPathOf('interim-updates'));
  if (run.host.behaviour.iuRemovalFails && removed.length > 0)
    run.fail(
      'IU_REMOVAL_FAILED',
      `msiexec could not remove "${removed[0]}" from ${run.name} (exit code 1603); nothing was removed`,
      details(),
    );
  if (removed.length > 0)
    run.host.change((state) => {
      state.server.interimUpdates = remaining;
    });
  const result = { ...details(), ...(removed.length > 0 ? { removed } : {}) };
  if (remaining.length > 0)
    run.fail(
      'IU_REMOVAL_FAILED',
      `${remaining.map((iu) => `"${iu}"`).join(', ')} is still installed, which the plan does not name; ` +
        'remove it by hand or plan again',
      result,
    );
  return result;
}
