import { type InventoryServer, KB959241, planRollout, type RolloutPlan } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../errors.js';
import type { ServerRun } from './model.js';
import { planRollback } from './rollback.js';

const RU4 = '8.1.311.3';
const RU6 = KB959241.targetBuild;
const hub = (name: string): InventoryServer => ({ name, build: RU4, roles: ['HubTransport'], site: 'HQ' });
const node = (name: string, role: 'active' | 'passive'): InventoryServer => ({
  name,
  build: RU4,
  roles: ['Mailbox'],
  site: 'HQ',
  cluster: { type: 'CCR', name: 'CLU1', role, ...(role === 'active' ? { cms: 'CMS1' } : {}) },
});

// One wave holding standalone servers and a CCR pair, plus two CAS waves: what the planner makes of a real fleet.
const PLAN: RolloutPlan = planRollout(
  {
    servers: [
      { name: 'CAS-EXT', build: RU4, roles: ['ClientAccess'], site: 'HQ', internetFacing: true },
      { name: 'CAS-INT', build: RU4, roles: ['ClientAccess'], site: 'HQ', internetFacing: false },
      hub('HUB1'),
      node('MBX-N1', 'active'),
      node('MBX-N2', 'passive'),
      hub('HUB2'),
    ],
  },
  KB959241,
);

/** The runs of a rollout that finished: every server on RU6. */
const finished = (plan: RolloutPlan): ServerRun[] =>
  plan.waves.flatMap((wave, index) =>
    wave.servers.map((server) => ({
      name: server.name,
      wave: index,
      waveName: wave.name,
      ...(server.cluster ? { cluster: server.cluster } : {}),
      steps: server.steps,
      fromBuild: server.from,
      toBuild: RU6,
      state: 'succeeded' as const,
      stepIndex: server.steps.length,
      attempt: 1,
    })),
  );

const names = (plan: RolloutPlan) => plan.waves.map((wave) => wave.servers.map((server) => server.name));

describe('the order of a rollback', () => {
  const rollout = names(PLAN);
  const undo = planRollback(PLAN, finished(PLAN), { kind: 'all' });

  it('undoes the waves last first, and each wave server by server in the reverse of its rollout', () => {
    expect(undo.plan.waves.map((wave) => wave.name)).toEqual(PLAN.waves.map((w) => w.name).reverse());
    expect(names(undo.plan)).toEqual(rollout.map((wave) => [...wave].reverse()).reverse());
    expect(undo.runs.map((run) => run.name)).toEqual(names(undo.plan).flat());
    expect(undo.runs.map((run) => run.wave)).toEqual(
      undo.plan.waves.flatMap((wave, index) => wave.servers.map(() => index)),
    );
  });

  // The rollout updates the passive node first and then moves the clustered mailbox server onto it; rolling that
  // node back first would move the clustered mailbox server back onto the node still on RU6, and again when that
  // node rolls back: two outages of every mailbox of the cluster instead of one.
  it('rolls the node that took the clustered mailbox server back last of its cluster', () => {
    const mailbox = rollout.find((wave) => wave.includes('MBX-N1')) ?? [];
    expect(mailbox.indexOf('MBX-N2')).toBeLessThan(mailbox.indexOf('MBX-N1'));
    const back = names(undo.plan).find((wave) => wave.includes('MBX-N1')) ?? [];
    expect(back.indexOf('MBX-N1')).toBeLessThan(back.indexOf('MBX-N2'));
    const run = undo.runs.find((entry) => entry.name === 'MBX-N2');
    expect(run?.steps).toEqual(['move-cms', 'move-cluster-group', 'uninstall', 'restart', 'verify']);
    expect(run).toMatchObject({ cluster: 'CLU1', fromBuild: RU6, targetBuild: RU4, state: 'pending' });
  });

  it('keeps the reverse order within a wave when only that wave rolls back', () => {
    const wave = PLAN.waves.find((entry) => entry.servers.some((server) => server.name === 'HUB1'));
    if (!wave) throw new Error('no wave holds HUB1');
    const part = planRollback(PLAN, finished(PLAN), { kind: 'wave', wave: wave.name });
    expect(names(part.plan).flat()).toEqual(wave.servers.map((server) => server.name).reverse());
  });

  it('leaves out servers the rollout did not update, and refuses when none was', () => {
    const runs = finished(PLAN).map((run) =>
      run.name === 'HUB2' ? { ...run, state: 'skipped' as const, toBuild: undefined } : run,
    );
    expect(names(planRollback(PLAN, runs, { kind: 'all' }).plan).flat()).not.toContain('HUB2');
    const none = runs.map((run) => ({ ...run, state: 'pending' as const }));
    expect(() => planRollback(PLAN, none, { kind: 'all' })).toThrow(ServerError);
  });

  it('rolls back a server whose install ran and then failed, not one that failed before it', () => {
    const mailbox = finished(PLAN).find((run) => run.name === 'HUB2');
    if (!mailbox) throw new Error('no HUB2');
    const install = mailbox.steps.indexOf('install');
    const after = { ...mailbox, state: 'failed' as const, stepIndex: install + 1, toBuild: undefined };
    const before = {
      ...mailbox,
      name: 'HUB1',
      state: 'failed' as const,
      stepIndex: install,
      toBuild: undefined,
    };
    const part = planRollback(PLAN, [after, before], { kind: 'all' });
    expect(part.runs.map((run) => run.name)).toEqual(['HUB2']);
    expect(part.plan.waves.flatMap((wave) => wave.servers)).toEqual([
      { name: 'HUB2', from: RU6, steps: ['uninstall', 'restart', 'verify'] },
    ]);
    expect(part.plan).toMatchObject({ skipped: [], excluded: [] });
  });

  it('refuses to roll back one server that is unknown, was never updated, or is already back', () => {
    const runs = finished(PLAN).map((run) =>
      run.name === 'HUB2'
        ? { ...run, state: 'skipped' as const }
        : run.name === 'HUB1'
          ? { ...run, state: 'rolled-back' as const }
          : run,
    );
    const refusal = (name: string) => {
      try {
        planRollback(PLAN, runs, { kind: 'server', name });
      } catch (error) {
        return error instanceof ServerError ? [error.code, error.statusCode] : error;
      }
      return 'planned';
    };
    expect(refusal('NOPE')).toEqual(['SRV_ERR_NOT_FOUND', 404]);
    expect(refusal('hub2')).toEqual(['SRV_ERR_NOTHING_TO_ROLL_BACK', 409]);
    expect(refusal('HUB1')).toEqual(['SRV_ERR_NOTHING_TO_ROLL_BACK', 409]);
    expect(refusal('mbx-n2')).toBe('planned');
    expect(names(planRollback(PLAN, runs, { kind: 'server', name: 'mbx-n2' }).plan).flat()).toEqual([
      'MBX-N2',
    ]);
  });
});
