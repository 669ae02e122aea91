import { describe, expect, it } from 'vitest';
import { leftOutLines, trailLines } from './report.js';

describe('the demo report', () => {
  it('lists every server the plan left out with its code and reason', () => {
    const lines = leftOutLines({
      excluded: [{ name: 'SEA-LEGACY01', code: 'NOT_SP1', reason: 'On 8.0.685.25 (Exchange 2007 RTM).' }],
      skipped: [{ name: 'SYD-CAS02', code: 'ALREADY_CURRENT', reason: 'Already on 8.1.340.1.' }],
    });
    expect(lines[0]).toBe('left out of the plan: 1 excluded, 1 skipped:');
    expect(lines[1]).toMatch(/^ {2}excluded +SEA-LEGACY01 +NOT_SP1 +On 8\.0\.685\.25/);
    expect(lines[2]).toMatch(/^ {2}skipped +SYD-CAS02 +ALREADY_CURRENT +Already on/);
  });

  it('keeps only the events that are not routine steps', () => {
    const lines = trailLines([
      { type: 'server.step-succeeded', message: 'SEA-HUB02: verify succeeded', server: 'SEA-HUB02' },
      { type: 'server.remedied', message: 'SEA-HUB02: ... (KB 944752) ...', server: 'SEA-HUB02' },
      { type: 'server.agent-reconnected', message: 'LON-MBX01: the agent reconnected', server: 'LON-MBX01' },
    ]);
    expect(lines).toEqual([
      'the trail besides the routine steps (2 events):',
      `  ${'server.remedied'.padEnd(26)} SEA-HUB02: ... (KB 944752) ...`,
      `  ${'server.agent-reconnected'.padEnd(26)} LON-MBX01: the agent reconnected`,
    ]);
  });
});
