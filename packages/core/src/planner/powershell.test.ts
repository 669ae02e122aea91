import { describe, expect, it } from 'vitest';
import type { InventoryServer } from '../inventory/schema.js';
import { KB959241 } from '../updates/catalog.js';
import { planRollout } from './plan.js';
import type { RolloutPlan } from './schema.js';

// Item 1 of issue 14: the plan leaves out a server on PowerShell 1.0 (the scripts need 2.0) and one on 3.0 or
// later (WMF 3.0+ makes Exchange 2007 rollup installs fail), each with its own code.

const SP1_RU4 = '8.1.311.3';

function hub(
  name: string,
  powershellVersion?: string,
  fields: Partial<InventoryServer> = {},
): InventoryServer {
  return {
    name,
    build: SP1_RU4,
    roles: ['HubTransport'],
    site: 'HQ',
    ...(powershellVersion === undefined ? {} : { powershellVersion }),
    ...fields,
  };
}

const plan = (...servers: InventoryServer[]): RolloutPlan => planRollout({ servers }, KB959241);
const plannedNames = (rollout: RolloutPlan) =>
  rollout.waves.flatMap((wave) => wave.servers.map((s) => s.name));
const excluded = (rollout: RolloutPlan) => rollout.excluded.map((entry) => [entry.name, entry.code]);

describe('planRollout: the PowerShell version', () => {
  it('excludes a server on PowerShell 1.0 with POWERSHELL_1, and says to install WMF 2.0 (KB 968930)', () => {
    const rollout = plan(hub('HUB01', '1.0'));
    expect(plannedNames(rollout)).toEqual([]);
    expect(excluded(rollout)).toEqual([['HUB01', 'POWERSHELL_1']]);
    expect(rollout.excluded[0]?.reason).toMatch(/PowerShell 1\.0/);
    expect(rollout.excluded[0]?.reason).toMatch(/Windows Management Framework 2\.0 \(KB 968930\)/);
  });

  it('plans a server on PowerShell 2.0, and one whose version is not reported', () => {
    const rollout = plan(hub('HUB01', '2.0'), hub('HUB02'));
    expect(plannedNames(rollout)).toEqual(['HUB01', 'HUB02']);
    expect(rollout.excluded).toEqual([]);
  });

  it.each(['3.0', '4.0', '5.1'])(
    'excludes a server on PowerShell %s with POWERSHELL_3_OR_LATER, and says to remove it first',
    (version) => {
      const rollout = plan(hub('HUB01', version));
      expect(excluded(rollout)).toEqual([['HUB01', 'POWERSHELL_3_OR_LATER']]);
      expect(rollout.excluded[0]?.reason).toContain(`PowerShell ${version}`);
      expect(rollout.excluded[0]?.reason).toMatch(/80070643/);
      expect(rollout.excluded[0]?.reason).toMatch(/Remove it .* first/);
    },
  );

  it('judges the build first: a current server is skipped and an RTM one excluded whatever its PowerShell', () => {
    const rollout = plan(
      hub('NEW01', '5.1', { build: '8.1.340.1' }),
      hub('OLD01', '1.0', { build: '8.0.685.25' }),
    );
    expect(rollout.skipped.map((entry) => [entry.name, entry.code])).toEqual([['NEW01', 'ALREADY_CURRENT']]);
    expect(excluded(rollout)).toEqual([['OLD01', 'NOT_SP1']]);
  });

  it('leaves the whole cluster out when one node is on PowerShell 3.0: the other node is CLUSTER_PEER_EXCLUDED', () => {
    const node = (name: string, role: 'active' | 'passive', version: string) =>
      hub(name, version, {
        roles: ['Mailbox'],
        cluster: { type: 'CCR', name: 'CCR01', role, ...(role === 'active' ? { cms: 'CMS01' } : {}) },
      });
    const rollout = plan(node('MBX-A', 'active', '2.0'), node('MBX-B', 'passive', '3.0'));
    expect(plannedNames(rollout)).toEqual([]);
    expect(excluded(rollout)).toEqual([
      ['MBX-A', 'CLUSTER_PEER_EXCLUDED'],
      ['MBX-B', 'POWERSHELL_3_OR_LATER'],
    ]);
    expect(rollout.excluded[0]?.reason).toContain('MBX-B is excluded (POWERSHELL_3_OR_LATER)');
  });
});
