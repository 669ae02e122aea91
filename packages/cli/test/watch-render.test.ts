import { describe, expect, it } from 'vitest';
import type { RolloutView } from '../src/api/types.js';
import { statusLines, watchFrame } from '../src/render/watch.js';

const server = (name: string, state: string, extra: Record<string, unknown> = {}) => ({
  name,
  state,
  fromBuild: '8.1.311.3',
  toBuild: state === 'succeeded' ? '8.1.340.1' : null,
  step: state === 'running' ? 'install' : null,
  steps: ['precheck', 'install', 'verify'],
  attempt: 1,
  error: null,
  ...extra,
});

const rollout: RolloutView = {
  id: 'r-0123456789',
  update: 'KB959241',
  state: 'running',
  reason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'alice',
  currentWave: 1,
  counts: { pending: 1, running: 1, succeeded: 2 },
  kind: 'rollout',
  failures: [],
  skipped: [],
  excluded: [],
  waves: [
    {
      name: 'cas-internet-facing',
      state: 'completed',
      servers: [server('CAS1', 'succeeded'), server('CAS2', 'succeeded')],
    },
    {
      name: 'cas-internal',
      state: 'running',
      servers: [
        server('CAS3', 'running', { progress: { message: 'installing', percent: 50 } }),
        server('CAS4', 'pending'),
      ],
    },
  ],
};

describe('the rollouts watch view', () => {
  it('draws a progress bar per wave and the running servers for a terminal', () => {
    const lines = watchFrame(rollout, 120);
    expect(lines[0]).toBe('r-0123456789  KB959241  running  1 pending, 1 running, 2 succeeded');
    expect(lines[2]).toMatch(/^wave 1\/2 cas-internet-facing +\[#{24}\] 2\/2 {2}completed {2}2 succeeded$/);
    expect(lines[3]).toMatch(/^wave 2\/2 cas-internal +\[-{24}\] 0\/2 {2}running {2}1 running, 1 pending$/);
    expect(lines.slice(5)).toEqual(['running (1)', '  CAS3  install  installing (50%)']);
    expect(watchFrame(rollout, 20).every((line) => line.length <= 20)).toBe(true);
  });

  it('keys one status line per rollout, wave and started server', () => {
    const lines = statusLines(rollout);
    expect(lines.get('server:CAS3')).toBe('CAS3: running install: installing (50%)');
    expect(lines.has('server:CAS4')).toBe(false);
    expect(lines.get('wave:cas-internal')).toBe('wave 2/2 cas-internal: running 0/2 done');
  });

  it('says, at an approval gate, who the watch waits for', () => {
    const gate = { ...rollout, state: 'awaiting-approval', reason: 'wave 2 (cas-internal) needs approval' };
    expect(watchFrame(gate, 120)[1]).toBe(
      'waiting for an approver: exrollout rollouts approve r-0123456789 (Ctrl-C stops watching)',
    );
    expect(statusLines(gate).get('gate')).toBe(
      'waiting for an approver: exrollout rollouts approve r-0123456789 (Ctrl-C stops watching)',
    );
    expect(statusLines(rollout).has('gate')).toBe(false);
  });
});
