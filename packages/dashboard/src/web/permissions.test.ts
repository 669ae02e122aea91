import { describe, expect, it } from 'vitest';
import { roleAllows, rolloutButtons, serverButtons } from './permissions.js';

describe('dashboard permissions', () => {
  it('ranks roles like the server', () => {
    expect(roleAllows('admin', 'approver')).toBe(true);
    expect(roleAllows('operator', 'approver')).toBe(false);
    expect(roleAllows('nobody', 'viewer')).toBe(false);
  });

  it('offers rollout actions by state and role', () => {
    const rollout = (state: string) => ({ state, kind: 'rollout' as const });
    expect(rolloutButtons(rollout('created'), 'operator')).toEqual(['start', 'abort']);
    expect(rolloutButtons(rollout('awaiting-approval'), 'operator')).toEqual(['pause', 'abort']);
    expect(rolloutButtons(rollout('awaiting-approval'), 'approver')).toEqual(['pause', 'approve', 'abort']);
    expect(rolloutButtons(rollout('completed'), 'approver')).toEqual(['rollback']);
    expect(rolloutButtons(rollout('completed'), 'operator')).toEqual([]);
    expect(rolloutButtons(rollout('completed-with-failures'), 'approver')).toEqual(['rollback']);
    expect(rolloutButtons(rollout('running'), 'viewer')).toEqual([]);
    expect(rolloutButtons({ state: 'completed', kind: 'rollback' }, 'admin')).toEqual([]);
  });

  it('offers server actions by rollout state, server state, wave and role', () => {
    const running = { state: 'halted', kind: 'rollout' as const, currentWave: 1 };
    expect(serverButtons(running, 1, { state: 'failed' }, 'approver')).toEqual(['retry', 'skip', 'rollback']);
    expect(serverButtons(running, 0, { state: 'failed' }, 'operator')).toEqual(['skip']);
    expect(serverButtons(running, 2, { state: 'pending' }, 'operator')).toEqual(['skip']);
    expect(serverButtons(running, 1, { state: 'running' }, 'admin')).toEqual([]);
    const done = { state: 'completed', kind: 'rollout' as const, currentWave: 2 };
    expect(serverButtons(done, 0, { state: 'succeeded' }, 'approver')).toEqual(['rollback']);
    expect(serverButtons(done, 0, { state: 'succeeded' }, 'viewer')).toEqual([]);
    const withFailures = { ...done, state: 'completed-with-failures' };
    expect(serverButtons(withFailures, 2, { state: 'failed' }, 'approver')).toEqual(['rollback']);
  });
});
