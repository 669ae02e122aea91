import type { RolloutState, ServerState } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { roleAllows, rolloutOffers, serverOffers, wasUpdated } from './permissions.js';
import type { ServerRun } from './types.js';

const STEPS = ['precheck', 'install', 'verify'] as const;
const run = (state: ServerState, step: ServerRun['step'] = null) => ({
  state,
  steps: [...STEPS],
  step,
  fromBuild: '8.1.311.3',
});
const rollout = (
  state: RolloutState,
  servers = [run('succeeded')],
  kind: 'rollout' | 'rollback' = 'rollout',
) => ({
  state,
  kind,
  currentWave: 0,
  waves: [{ name: 'remaining' as const, state: 'completed' as const, servers }],
});

describe('dashboard permissions', () => {
  it('ranks roles like the server', () => {
    expect(roleAllows('admin', 'approver')).toBe(true);
    expect(roleAllows('operator', 'approver')).toBe(false);
    expect(roleAllows('nobody', 'viewer')).toBe(false);
  });

  it('offers rollout actions by state and role', () => {
    const buttons = (state: RolloutState, role: string) => rolloutOffers(rollout(state), role).buttons;
    expect(buttons('created', 'operator')).toEqual(['start', 'abort']);
    expect(buttons('awaiting-approval', 'operator')).toEqual(['pause', 'abort']);
    expect(buttons('awaiting-approval', 'approver')).toEqual(['pause', 'approve', 'abort']);
    expect(buttons('completed', 'approver')).toEqual(['rollback']);
    expect(buttons('completed', 'operator')).toEqual([]);
    expect(buttons('completed-with-failures', 'approver')).toEqual(['rollback']);
    expect(buttons('running', 'viewer')).toEqual([]);
    expect(rolloutOffers(rollout('completed', [run('succeeded')], 'rollback'), 'admin')).toEqual({
      buttons: [],
      notOffered: [],
    });
  });

  it('counts a server as updated only when its install ran to the end', () => {
    expect(wasUpdated(run('succeeded'))).toBe(true);
    expect(wasUpdated(run('failed', 'verify'))).toBe(true);
    expect(wasUpdated(run('failed', 'install'))).toBe(false);
    expect(wasUpdated(run('failed', 'precheck'))).toBe(false);
    expect(wasUpdated(run('skipped'))).toBe(false);
    expect(wasUpdated(run('rolled-back'))).toBe(false);
  });

  it('does not offer to roll back a rollout that updated no server, and says why', () => {
    const aborted = rolloutOffers(rollout('aborted', [run('pending'), run('failed', 'install')]), 'admin');
    expect(aborted.buttons).toEqual([]);
    expect(aborted.notOffered).toEqual([
      'Rollback: no server was updated by this rollout, so there is nothing to undo.',
    ]);
    expect(rolloutOffers(rollout('aborted', [run('failed', 'verify')]), 'admin').buttons).toEqual([
      'rollback',
    ]);
    expect(rolloutOffers(rollout('running'), 'admin').notOffered).toEqual([
      'Rollback: not while it is running; pause it first.',
    ]);
    expect(rolloutOffers(rollout('completed'), 'operator').notOffered).toEqual([
      'Rollback: it needs the approver role (this token is operator).',
    ]);
  });

  it('offers server actions by rollout state, server state, wave and role', () => {
    const halted = { state: 'halted' as RolloutState, kind: 'rollout' as const, currentWave: 1 };
    const buttons = (wave: number, server: ReturnType<typeof run>, role: string, at = halted) =>
      serverOffers(at, wave, server, role).buttons;
    expect(buttons(1, run('failed', 'verify'), 'approver')).toEqual(['retry', 'skip', 'rollback']);
    expect(buttons(0, run('failed', 'verify'), 'operator')).toEqual(['skip']);
    expect(buttons(2, run('pending'), 'operator')).toEqual(['skip']);
    expect(buttons(1, run('running', 'install'), 'admin')).toEqual([]);
    const done = { state: 'completed' as const, kind: 'rollout' as const, currentWave: 2 };
    expect(buttons(0, run('succeeded'), 'approver', done)).toEqual(['rollback']);
    expect(buttons(0, run('succeeded'), 'viewer', done)).toEqual([]);
    const withFailures = { ...done, state: 'completed-with-failures' as const };
    expect(buttons(2, run('failed', 'verify'), 'approver', withFailures)).toEqual(['rollback']);
  });

  it('does not offer to roll back a server whose install failed, and says why', () => {
    const halted = { state: 'halted' as const, kind: 'rollout' as const, currentWave: 0 };
    const offers = serverOffers(halted, 0, run('failed', 'install'), 'admin');
    expect(offers.buttons).toEqual(['retry', 'skip']);
    expect(offers.notOffered).toEqual([
      'Rollback: it failed at install, before the install completed: it is still on 8.1.311.3, nothing to undo.',
    ]);
    expect(serverOffers(halted, 0, run('failed', 'precheck'), 'admin').buttons).not.toContain('rollback');
  });
});
