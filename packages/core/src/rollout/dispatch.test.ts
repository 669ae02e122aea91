import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DispatchServer, type DispatchSnapshot, decideDispatch } from './dispatch.js';
import { SERVER_STATES, type ServerState } from './states.js';

const policy: DispatchSnapshot['policy'] = {
  concurrency: 2,
  failureBudget: { overall: { count: 0 } },
  approvalRequired: true,
  soakSeconds: 0,
  maintenanceWindows: [],
};
const now = new Date('2026-11-24T10:00:00Z');
const s = (name: string, state: ServerState = 'pending', cluster?: string): DispatchServer => ({
  name,
  state,
  ...(cluster ? { cluster } : {}),
});

function snapshot(waves: DispatchServer[][], overrides: Partial<DispatchSnapshot> = {}): DispatchSnapshot {
  const names = ['cas-internet-facing', 'cas-internal', 'remaining'] as const;
  return {
    state: 'running',
    waves: waves.map((servers, i) => ({ name: names[i] ?? 'remaining', servers })),
    currentWave: 0,
    approvedWave: 0,
    policy,
    now,
    ...overrides,
  };
}

describe('decideDispatch', () => {
  it('fills the free slots of the current wave in plan order', () => {
    expect(decideDispatch(snapshot([[s('A'), s('B'), s('C')], [s('D')]]))).toEqual({
      kind: 'start',
      servers: ['A', 'B'],
    });
    expect(decideDispatch(snapshot([[s('A', 'running'), s('B', 'succeeded'), s('C')]]))).toEqual({
      kind: 'start',
      servers: ['C'],
    });
    expect(decideDispatch(snapshot([[s('A', 'running'), s('B', 'running'), s('C')]]))).toEqual({
      kind: 'wait',
    });
  });

  it('never starts a server of the next wave before the current one has finished', () => {
    const decision = decideDispatch(snapshot([[s('A', 'running'), s('B', 'succeeded')], [s('C')]]));
    expect(decision).toEqual({ kind: 'wait' });
    expect(decideDispatch(snapshot([[s('A', 'succeeded'), s('B', 'skipped')], [s('C')]]))).toEqual({
      kind: 'advance',
      completedWave: 0,
      empty: false,
    });
  });

  it('holds a wave after the first for approval, then for the soak time', () => {
    const waves = [[s('A', 'succeeded')], [s('C')]];
    expect(decideDispatch(snapshot(waves, { currentWave: 1 }))).toEqual({ kind: 'await-approval', wave: 1 });
    const completedAt = new Date(now.getTime() - 60_000);
    const soaking = snapshot(waves, {
      currentWave: 1,
      approvedWave: 1,
      previousWaveCompletedAt: completedAt,
      policy: { ...policy, soakSeconds: 300 },
    });
    expect(decideDispatch(soaking)).toEqual({
      kind: 'soak',
      wave: 1,
      until: new Date(completedAt.getTime() + 300_000),
    });
    expect(decideDispatch({ ...soaking, now: new Date(completedAt.getTime() + 300_000) })).toEqual({
      kind: 'start',
      servers: ['C'],
    });
  });

  it('runs the nodes of a cluster one at a time and in plan order, while other servers fill the slots', () => {
    const wave = [s('N2', 'pending', 'CLU'), s('N1', 'pending', 'CLU'), s('HUB')];
    expect(decideDispatch(snapshot([wave], { policy: { ...policy, concurrency: 3 } }))).toEqual({
      kind: 'start',
      servers: ['N2', 'HUB'],
    });
    const passiveDone = [s('N2', 'succeeded', 'CLU'), s('N1', 'pending', 'CLU'), s('HUB', 'running')];
    expect(decideDispatch(snapshot([passiveDone], { policy: { ...policy, concurrency: 3 } }))).toEqual({
      kind: 'start',
      servers: ['N1'],
    });
  });

  // A node retried by the operator comes before the node that ran meanwhile: plan order alone does not stop it, so
  // both nodes of one cluster would be out of service at once (the clustered mailbox server down).
  it('starts no node of a cluster while another node of it runs, wherever the running one sits in the wave', () => {
    const retried = [s('N2', 'pending', 'CLU'), s('N1', 'running', 'CLU'), s('HUB')];
    expect(decideDispatch(snapshot([retried], { policy: { ...policy, concurrency: 3 } }))).toEqual({
      kind: 'start',
      servers: ['HUB'],
    });
    const twoClusters = [s('A2', 'pending', 'CLA'), s('A1', 'pending', 'CLA'), s('B2', 'pending', 'CLB')];
    expect(decideDispatch(snapshot([twoClusters], { policy: { ...policy, concurrency: 3 } }))).toEqual({
      kind: 'start',
      servers: ['A2', 'B2'],
    });
  });

  it('whatever the wave, starts only pending servers, within the free slots, one node per cluster at most', () => {
    const server = fc.record({
      state: fc.constantFrom(...SERVER_STATES),
      cluster: fc.option(fc.constantFrom('CLA', 'CLB', 'CLC'), { nil: undefined }),
    });
    const wave = fc
      .array(server, { minLength: 1, maxLength: 12 })
      .map((list) => list.map((entry, i) => s(`S${i}`, entry.state, entry.cluster)));
    fc.assert(
      fc.property(wave, fc.integer({ min: 1, max: 6 }), (servers, concurrency) => {
        const lenient = { ...policy, concurrency, failureBudget: {} };
        const decision = decideDispatch(snapshot([servers], { policy: lenient }));
        if (decision.kind !== 'start') return;
        const byName = new Map(servers.map((entry) => [entry.name, entry]));
        const started = decision.servers.map((name) => byName.get(name));
        const running = servers.filter((entry) => entry.state === 'running');
        expect(started.every((entry) => entry?.state === 'pending')).toBe(true);
        expect(started.length).toBeLessThanOrEqual(concurrency - running.length);
        const busy = new Set(running.map((entry) => entry.cluster).filter(Boolean));
        const clusters = started.map((entry) => entry?.cluster).filter((name) => name !== undefined);
        expect(clusters.filter((name) => busy.has(name))).toEqual([]);
        expect(new Set(clusters).size).toBe(clusters.length);
      }),
      { numRuns: 500 },
    );
  });

  it('halts when a failure budget is spent, by count or by percent', () => {
    expect(decideDispatch(snapshot([[s('A', 'failed'), s('B')]]))).toEqual({
      kind: 'halt',
      reason: 'overall failure budget exceeded: 1 failed, 0 tolerated',
    });
    const percent = { ...policy, failureBudget: { wave: { percent: 20 } } };
    const wave = [s('A', 'failed'), s('B'), s('C'), s('D'), s('E')];
    expect(decideDispatch(snapshot([wave], { policy: percent }))).toEqual({
      kind: 'start',
      servers: ['B', 'C'],
    });
    wave[1] = s('B', 'failed');
    expect(decideDispatch(snapshot([wave], { policy: percent }))).toMatchObject({
      kind: 'halt',
      reason: expect.stringContaining('2 of 5 failed (40.0%), 20% tolerated'),
    });
  });

  it('counts a server rolled back after a failed verification against the budget, and tolerates what it allows', () => {
    expect(decideDispatch(snapshot([[s('A', 'rolled-back'), s('B')]]))).toMatchObject({ kind: 'halt' });
    const byCount = { ...policy, failureBudget: { overall: { count: 1 } } };
    expect(decideDispatch(snapshot([[s('A', 'failed'), s('B')]], { policy: byCount }))).toEqual({
      kind: 'start',
      servers: ['B'],
    });
    const byPercent = { ...policy, failureBudget: { overall: { percent: 50 } } };
    expect(decideDispatch(snapshot([[s('A', 'failed'), s('B'), s('C')]], { policy: byPercent }))).toEqual({
      kind: 'start',
      servers: ['B', 'C'],
    });
  });

  it('holds only a wave that has not started: once a server of it ran, the rest follow without a new gate', () => {
    const started = [[s('A', 'succeeded')], [s('B', 'succeeded'), s('C')]];
    expect(decideDispatch(snapshot(started, { currentWave: 1, approvedWave: 0 }))).toEqual({
      kind: 'start',
      servers: ['C'],
    });
  });

  it('completes when the wave pointer is past the last wave, or there are no waves', () => {
    expect(decideDispatch(snapshot([[s('A', 'succeeded')]], { currentWave: 1 }))).toEqual({
      kind: 'complete',
      failed: 0,
    });
    expect(decideDispatch(snapshot([]))).toEqual({ kind: 'complete', failed: 0 });
  });

  it('waits for the maintenance window and says when it opens', () => {
    const window = { days: ['tue' as const], start: '22:00', end: '02:00', timeZone: 'Europe/Stockholm' };
    const outside = snapshot([[s('A')]], { policy: { ...policy, maintenanceWindows: [window] } });
    expect(decideDispatch(outside)).toEqual({
      kind: 'outside-window',
      until: new Date('2026-11-24T21:00:00Z'),
    });
    expect(decideDispatch({ ...outside, now: new Date('2026-11-25T00:30:00Z') })).toEqual({
      kind: 'start',
      servers: ['A'],
    });
  });

  it('completes after the last wave and does nothing unless running', () => {
    expect(
      decideDispatch(
        snapshot([[s('A', 'succeeded')], [], [s('B', 'failed')]], {
          currentWave: 2,
          policy: { ...policy, failureBudget: {} },
        }),
      ),
    ).toEqual({ kind: 'complete', failed: 1 });
    expect(
      decideDispatch(snapshot([[s('A', 'succeeded')], [], [s('B', 'skipped')]], { currentWave: 2 })),
    ).toEqual({ kind: 'complete', failed: 0 });
    expect(decideDispatch(snapshot([[s('A')]], { state: 'paused' }))).toEqual({ kind: 'idle' });
  });

  it('skips empty waves: they advance at once, and the first wave with servers needs no approval or soak', () => {
    const onlyLast = [[], [], [s('HUB1')]];
    expect(decideDispatch(snapshot(onlyLast))).toEqual({ kind: 'advance', completedWave: 0, empty: true });
    const soak = { ...policy, soakSeconds: 600 };
    const justAdvanced = { currentWave: 2, previousWaveCompletedAt: now, policy: soak };
    expect(decideDispatch(snapshot(onlyLast, justAdvanced))).toEqual({ kind: 'start', servers: ['HUB1'] });
    // The server passes the current wave's servers only, and the size of every wave.
    const partial = snapshot([[], [], [s('HUB1')]], { ...justAdvanced, waveSizes: [0, 0, 1] });
    expect(decideDispatch(partial)).toEqual({ kind: 'start', servers: ['HUB1'] });
    const afterOne = snapshot([[], [], [s('HUB1')]], { ...justAdvanced, waveSizes: [1, 0, 1] });
    expect(decideDispatch(afterOne)).toEqual({ kind: 'await-approval', wave: 2 });
    expect(decideDispatch(snapshot([[s('CAS1', 'succeeded')], [], [s('HUB1')]], { currentWave: 2 }))).toEqual(
      {
        kind: 'await-approval',
        wave: 2,
      },
    );
  });
});
