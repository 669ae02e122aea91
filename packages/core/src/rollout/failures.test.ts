import { describe, expect, it } from 'vitest';
import { nextStepFor, summariseFailures } from './failures.js';

const ended = { kind: 'rollout', ended: true } as const;

describe('summariseFailures', () => {
  it('groups failed servers by error code, the largest group first, each with its next step', () => {
    const groups = summariseFailures(
      [
        { name: 'HUB1', code: 'INSTALL_FAILED' },
        { name: 'HUB2', code: 'SERVICES_NOT_STARTED' },
        { name: 'HUB3', code: 'INSTALL_FAILED' },
        { name: 'MBX1', code: 'AGENT_LOST' },
      ],
      ended,
    );
    expect(groups.map(({ code, count, servers }) => ({ code, count, servers }))).toEqual([
      { code: 'INSTALL_FAILED', count: 2, servers: ['HUB1', 'HUB3'] },
      { code: 'AGENT_LOST', count: 1, servers: ['MBX1'] },
      { code: 'SERVICES_NOT_STARTED', count: 1, servers: ['HUB2'] },
    ]);
    expect(groups[0]?.next).toMatch(
      /^The MSI rolled itself back: .*"Return Value 3".*; then include the servers in a new rollout/,
    );
    expect(groups[2]?.next).toMatch(
      /^KB 944752: .* or roll the server back \(`exrollout rollouts rollback <rollout> --server NAME`\)\.$/,
    );
    expect(groups[1]?.next).toMatch(
      /if the update is on it keep it or roll the server back .*; if not, include it in a new rollout\.$/,
    );
    expect(nextStepFor('OWA_RESTORE_FAILED', ended)).toBe(
      'Re-apply the OWA customisations by hand from the backup the step made (the update itself is installed).',
    );
  });

  it('says how to run the servers again: retry while the rollout runs, a new rollout once it ended, again for a rollback', () => {
    expect(nextStepFor('INSTALL_FAILED', { kind: 'rollout', ended: false })).toContain('retry them');
    expect(nextStepFor('PATCH_CACHE_MISSING', { kind: 'rollback', ended: true })).toMatch(
      /Windows Installer cache.*then roll the servers back again/,
    );
    expect(nextStepFor('SOMETHING_NEW', ended)).toMatch(/^Read each server's error message/);
    expect(nextStepFor('AGENT_ERR_DRIVER_TIMEOUT', ended)).toMatch(/^The agent failed unexpectedly/);
  });
});
