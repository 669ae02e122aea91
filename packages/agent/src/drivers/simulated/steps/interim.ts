import type { StepArgs, StepDetails } from '@exrollout/core';
import type { StepRun } from '../run.js';

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
  if (run.host.behaviour.iuRemovalFails && removed.length > 0)
    run.fail(
      'IU_REMOVAL_FAILED',
      `msiexec could not remove "${removed[0]}" from ${run.name} (exit code 1603); nothing was removed`,
      { removed: [] },
    );
  if (removed.length > 0)
    run.host.change((state) => {
      state.server.interimUpdates = remaining;
    });
  if (remaining.length > 0)
    run.fail(
      'IU_REMOVAL_FAILED',
      `${run.name} also has ${remaining.map((iu) => `"${iu}"`).join(', ')}, which the plan does not name; ` +
        'remove it by hand or plan again',
      { removed },
    );
  return { removed };
}
