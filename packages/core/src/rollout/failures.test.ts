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

// The codes docs/errors.md lists as a server's failure in a rollout: the agent's step codes and the engine's.
const DOCUMENTED_FAILURES = [
  'PRECHECK_POWERSHELL_VERSION',
  'PRECHECK_NOT_ELEVATED',
  'PACKAGE_MISSING',
  'PACKAGE_HASH_MISMATCH',
  'PACKAGE_WRONG_ARCHITECTURE',
  'INSTALL_FAILED',
  'SERVICES_NOT_STARTED',
  'BUILD_MISMATCH',
  'PATCH_NOT_INSTALLED',
  'PATCH_CACHE_MISSING',
  'CMS_MOVE_FAILED',
  'REPLICATION_UNHEALTHY',
  'CLUSTER_GROUP_MOVE_FAILED',
  'IU_REMOVAL_FAILED',
  'OWA_BACKUP_FAILED',
  'OWA_RESTORE_FAILED',
  'UNINSTALL_FAILED',
  'INVALID_ARGUMENTS',
  'AGENT_BUSY',
  'EXCHANGE_NOT_FOUND',
  'EXCHANGE_SHELL_UNAVAILABLE',
  'STEP_CANCELLED',
  'AGENT_OFFLINE',
  'AGENT_LOST',
  'STEP_TIMEOUT',
  'CLUSTER_NO_UPDATED_NODE',
  'CLUSTER_NO_PEER',
  'PACKAGE_NOT_CONFIGURED',
  'BUILD_UNCONFIRMED',
  'RESULT_REFUSED',
];

describe('nextStepFor, for every documented failure', () => {
  it('gives advice of its own, not the fallback for codes it does not know', () => {
    const fixes = DOCUMENTED_FAILURES.map((code) => {
      const next = nextStepFor(code, ended);
      const fix = next.replace(/(; then .*)?\.$/, '');
      expect(fix.length, code).toBeGreaterThan(25);
      expect(next, code).not.toMatch(/^(Read each server's error message|The agent failed unexpectedly)/);
      return fix;
    });
    expect(new Set(fixes).size).toBe(fixes.length);
  });
});

describe('nextStepFor, after the install', () => {
  // The update may already be on these servers: running them again is not the next step, the text says what is.
  it('says no more than its own advice for failures after the install, in a rollout that ended', () => {
    for (const code of [
      'SERVICES_NOT_STARTED',
      'BUILD_MISMATCH',
      'BUILD_UNCONFIRMED',
      'STEP_TIMEOUT',
      'AGENT_LOST',
    ])
      expect(nextStepFor(code, ended), code).not.toContain('; then include the servers in a new rollout');
  });

  it('still says to roll back again when a rollback fails after its uninstall, and treats SCRIPT_ERROR as the agent failing', () => {
    expect(nextStepFor('BUILD_MISMATCH', { kind: 'rollback', ended: false })).toMatch(
      /; then roll the servers back again from their rollout/,
    );
    expect(nextStepFor('SCRIPT_ERROR', ended)).toMatch(/^The agent failed unexpectedly: read its log/);
  });
});
