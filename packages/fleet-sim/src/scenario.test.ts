import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.js';
import { parseScenario, scenarioInventory } from './scenario.js';

const cas = {
  name: 'SEA-CAS01',
  site: 'HQ-Seattle',
  build: '8.1.311.3',
  roles: ['ClientAccess'],
  internetFacing: true,
};
const mbx = { name: 'SEA-MBX01', site: 'HQ-Seattle', build: '8.1.336.1', roles: ['Mailbox'] };

function issuesOf(value: unknown): string[] {
  try {
    parseScenario(value, 'fleet.json');
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    expect(error.code).toBe('FLEET_ERR_SCENARIO_INVALID');
    expect(error.message.split('\n')[0]).toMatch(/^invalid fleet\.json \(\d+ problems?\):$/);
    return error.message.split('\n').slice(1);
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('accepts a plain inventory', () => {
    const inventory = { servers: [cas, mbx] };
    expect(parseScenario(inventory)).toBe(inventory);
  });

  it('accepts per-server host facts and behaviour, and strips them for the inventory', () => {
    const scenario = parseScenario({
      servers: [
        { ...cas, host: { architecture: 'x64', pendingReboot: true }, behaviour: { installSeconds: 0.5 } },
        {
          ...mbx,
          behaviour: {
            servicesFailToStart: true,
            failStep: { step: 'verify', code: 'SERVICES_NOT_STARTED', message: 'x' },
          },
        },
      ],
    });
    expect(scenarioInventory(scenario)).toEqual({ servers: [cas, mbx] });
  });

  it('names the server and the field of each inventory problem', () => {
    expect(issuesOf({ servers: [{ ...cas, build: '8.1' }, mbx] })).toEqual([
      'servers[0] "SEA-CAS01": build: must be a four-part build such as 8.1.340.1 or 08.01.0340.001 (the ExSetup.exe file version) (got "8.1")',
    ]);
    expect(issuesOf({ servers: [cas, { ...mbx, internetFacing: false }, { ...mbx }] })).toEqual([
      'servers[2] "SEA-MBX01": name: duplicates servers[1] "SEA-MBX01" (names are compared case-insensitively)',
      'servers[1] "SEA-MBX01": internetFacing: applies to Client Access servers only; this server has no ClientAccess role',
    ]);
  });

  it('names the server and the field of each behaviour and host problem', () => {
    const lines = issuesOf({
      servers: [
        { ...cas, behaviour: { installSeconds: -1, explode: true } },
        { ...mbx, host: { architecture: 'ia64' } },
        { ...mbx, name: 'SEA-MBX02', host: { pendingReboot: false }, behaviour: { pendingReboot: true } },
      ],
    });
    expect(lines).toContain('servers[0] "SEA-CAS01": behaviour.explode: is not a known field');
    expect(lines.some((line) => line.startsWith('servers[0] "SEA-CAS01": behaviour.installSeconds: '))).toBe(
      true,
    );
    expect(lines).toContain(
      'servers[1] "SEA-MBX01": host.architecture: must be one of x64, x86 (got "ia64")',
    );
    expect(
      lines.some((line) => line.startsWith('servers[2] "SEA-MBX02": behaviour.pendingReboot: contradicts')),
    ).toBe(true);
  });

  it('explains a file that is not a scenario at all', () => {
    expect(issuesOf([])).toEqual(['inventory: must be an object (got an array)']);
    expect(issuesOf({ Servers: [] })).toEqual([
      'servers: is required',
      'Servers: is not a known field (did you mean "servers"?)',
    ]);
  });
});
