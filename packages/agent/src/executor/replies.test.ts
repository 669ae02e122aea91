import { STEP_NAMES } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { DriverError, StepFailedError } from '../errors.js';
import { failureOf } from './replies.js';
import { changesInventory } from './run-step.js';

describe('what a failed step tells the server', () => {
  it('keeps the code and details of a step failure, and the code of a driver error', () => {
    const details = { build: '8.1.311.3' };
    expect(failureOf(new StepFailedError('INSTALL_FAILED', 'Return Value 3', details))).toEqual({
      code: 'INSTALL_FAILED',
      message: 'Return Value 3',
      details,
    });
    expect(failureOf(new DriverError('AGENT_ERR_DRIVER_TIMEOUT', 'ran too long'))).toEqual({
      code: 'AGENT_ERR_DRIVER_TIMEOUT',
      message: 'ran too long',
      details: {},
    });
  });

  // The server refuses a STEP_RESULT whose code breaks the protocol; the agent says AGENT_ERROR and names the code.
  it('reports AGENT_ERROR, naming the code, for a code the protocol refuses anywhere in it', () => {
    for (const code of ['install failed', 'xINSTALL_FAILED', 'INSTALL_FAILED-2', 'A'.repeat(65)])
      expect(failureOf(new StepFailedError(code, 'no')), code).toEqual({
        code: 'AGENT_ERROR',
        message: `unexpected error (${code}): no`,
        details: {},
      });
    expect(failureOf(new TypeError('x is undefined'))).toMatchObject({
      code: 'AGENT_ERROR',
      message: 'unexpected error: x is undefined',
    });
  });
});

describe('steps after which the server needs a fresh inventory', () => {
  it('are the steps whose effect the inventory shows, and verify, whose build the server confirms by it', () => {
    expect(STEP_NAMES.filter(changesInventory).sort()).toEqual(
      [
        'install',
        'uninstall',
        'verify',
        'move-cms',
        'move-cluster-group',
        'remove-interim-updates',
        'restore-owa',
      ].sort(),
    );
  });
});
