import { type DispatchServer, decideDispatch } from '@exrollout/core';
import type { InventoryStore } from '../stores/inventory-store.js';
import { jobIdFor } from './jobs.js';
import { readAhead, runOf } from './reads.js';
import { stageAhead } from './stage-ahead.js';
import { startServer } from './steps.js';
import type { RolloutStore } from './store.js';
import type { Work } from './work.js';

const SYSTEM = 'exrollout';
// Each pass starts at most a wave's worth of servers; a skip frees a slot and needs another pass.
const MAX_PASSES = 10_000;

/**
 * Runs the dispatcher until it has nothing more to do now: start servers, advance waves, halt or complete; then
 * stages servers ahead of their wave, with the slots the policy leaves.
 */
export async function dispatch(work: Work, store: RolloutStore, inventory: InventoryStore): Promise<void> {
  await dispatchWaves(work, store, inventory);
  await stageAhead(work, store, inventory);
}

async function dispatchWaves(work: Work, store: RolloutStore, inventory: InventoryStore): Promise<void> {
  const waveSizes = work.plan.waves.map((wave) => wave.servers.length);
  const total = waveSizes.reduce((sum, size) => sum + size, 0);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const states = await waveStates(work, store, work.meta.currentWave);
    const decision = decideDispatch({
      state: work.meta.state,
      waves: work.plan.waves.map((wave, index) => ({
        name: wave.name,
        servers:
          index === work.meta.currentWave
            ? wave.servers.map(
                (s): DispatchServer => ({
                  name: s.name,
                  state: states.get(s.name.toLowerCase()) ?? 'pending',
                  ...(s.cluster ? { cluster: s.cluster.toLowerCase() } : {}),
                }),
              )
            : [],
      })),
      currentWave: work.meta.currentWave,
      approvedWave: work.meta.approvedWave,
      ...(work.meta.previousWaveCompletedAt
        ? { previousWaveCompletedAt: new Date(work.meta.previousWaveCompletedAt) }
        : {}),
      policy: work.meta.policy,
      now: work.now,
      overall: { failed: work.meta.failed, total },
      waveSizes,
    });
    switch (decision.kind) {
      case 'idle':
      case 'wait':
        return;
      case 'halt':
        work.setMeta({ state: 'halted', reason: decision.reason });
        work.event(
          SYSTEM,
          'rollout.halted',
          `halted: ${decision.reason}; running servers finish, nothing new starts`,
        );
        return;
      case 'complete':
        waveCompleted(work, work.meta.currentWave, waveSizes[work.meta.currentWave] === 0);
        return complete(work, decision.failed, total);
      case 'advance':
        waveCompleted(work, decision.completedWave, decision.empty);
        work.setMeta({
          currentWave: decision.completedWave + 1,
          // The soak time runs from the last wave that ran servers, not from a wave that was skipped.
          ...(decision.empty ? {} : { previousWaveCompletedAt: work.now.toISOString() }),
          reason: '',
        });
        continue;
      case 'await-approval':
        if (work.meta.state !== 'awaiting-approval') {
          work.setMeta({
            state: 'awaiting-approval',
            reason: `wave ${decision.wave + 1} (${work.plan.waves[decision.wave]?.name}) needs approval`,
          });
          work.event(
            SYSTEM,
            'wave.awaiting-approval',
            `wave ${decision.wave + 1} (${work.plan.waves[decision.wave]?.name}) waits for an approver`,
          );
        }
        return;
      case 'soak':
        return hold(
          work,
          `soaking until ${decision.until.toISOString()} before wave ${decision.wave + 1}`,
          decision.until,
        );
      case 'outside-window':
        return hold(
          work,
          decision.until
            ? `outside the maintenance windows until ${decision.until.toISOString()}`
            : 'no maintenance window opens within eight days',
          decision.until,
        );
      case 'start':
        await readAhead(work, store, inventory, decision.servers);
        for (const name of decision.servers) {
          const run = await runOf(work, store, name);
          if (run) await startServer(work, run, inventory, store);
        }
        continue;
    }
  }
}

function waveCompleted(work: Work, wave: number, empty: boolean): void {
  const name = work.plan.waves[wave]?.name;
  if (!name) return;
  if (empty) work.event(SYSTEM, 'wave.skipped', `wave ${wave + 1} (${name}) has no servers: skipped`);
  else work.event(SYSTEM, 'wave.completed', `wave ${wave + 1} (${name}) completed`);
}

// A rollout in which servers failed (within the budget) ends in an outcome of its own, never a plain `completed`.
function complete(work: Work, failed: number, total: number): void {
  if (failed === 0) {
    work.setMeta({ state: 'completed', reason: '' });
    work.event(SYSTEM, 'rollout.completed', 'every wave has finished');
    return;
  }
  const reason = `${failed} of ${total} servers failed`;
  work.setMeta({ state: 'completed-with-failures', reason });
  work.event(SYSTEM, 'rollout.completed-with-failures', `every wave has finished; ${reason}`, undefined, {
    failed,
  });
}

function hold(work: Work, reason: string, until: Date | undefined): void {
  if (work.meta.reason !== reason) {
    work.setMeta({ reason });
    work.event(SYSTEM, 'rollout.waiting', reason);
  }
  if (until)
    work.job(
      'tick',
      { rolloutId: work.meta.id },
      jobIdFor('tick', work.meta.id, until.getTime()),
      Math.max(0, until.getTime() - work.now.getTime()),
    );
}

async function waveStates(work: Work, store: RolloutStore, wave: number) {
  const cached = work.waveStates(wave);
  if (cached) return cached;
  const loaded = await store.waveStates(work.meta.id, wave);
  work.rememberWaveStates(wave, loaded);
  return loaded;
}
