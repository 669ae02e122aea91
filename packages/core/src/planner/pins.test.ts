import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { InventoryServer } from '../inventory/schema.js';
import { KB959241 } from '../updates/catalog.js';
import { planRollout } from './plan.js';
import { type PlannedServer, type PlanPin, RolloutPlan, type WaveName } from './schema.js';

// Issue 14 item 7: an operator pins a Client Access server's Internet-facing flag; the pin decides its wave over
// the agent's report, and its wave reason names who pinned it.

function cas(name: string, internetFacing?: boolean): InventoryServer {
  return {
    name,
    build: '8.1.311.3',
    roles: ['ClientAccess'],
    site: 'HQ',
    ...(internetFacing === undefined ? {} : { internetFacing }),
  };
}

const pin = (name: string, internetFacing: boolean, pinnedBy = 'noc'): PlanPin => ({
  name,
  internetFacing,
  pinnedBy,
});

const plan = (servers: InventoryServer[], pins?: PlanPin[]): RolloutPlan =>
  planRollout({ servers }, KB959241, {}, pins);

function placed(rollout: RolloutPlan, name: string): { wave: WaveName; server: PlannedServer } {
  for (const wave of rollout.waves) {
    const server = wave.servers.find((entry) => entry.name === name);
    if (server) return { wave: wave.name, server };
  }
  throw new Error(`${name} is not planned`);
}

describe('planRollout: Internet-facing pins', () => {
  it('says why each CAS is in its wave from its OWA ExternalUrl when nothing is pinned', () => {
    const rollout = plan([cas('CAS-EXT', true), cas('CAS-INT', false), cas('CAS-UNK')]);
    expect(placed(rollout, 'CAS-EXT')).toMatchObject({
      wave: 'cas-internet-facing',
      server: { waveReason: 'Internet-facing: OWA ExternalUrl set' },
    });
    for (const name of ['CAS-INT', 'CAS-UNK'])
      expect(placed(rollout, name)).toMatchObject({
        wave: 'cas-internal',
        server: { waveReason: 'internal: no OWA ExternalUrl' },
      });
  });

  it('moves a CAS its agent reports internal to wave 1 when it is pinned Internet-facing, naming who pinned it', () => {
    const rollout = plan([cas('CAS01', false), cas('CAS02', false)], [pin('cas01', true, 'alice')]);
    expect(placed(rollout, 'CAS01')).toEqual({
      wave: 'cas-internet-facing',
      server: {
        name: 'CAS01',
        from: '8.1.311.3',
        steps: ['precheck', 'install', 'restart', 'verify'],
        waveReason: 'Internet-facing: pinned by alice',
      },
    });
    expect(placed(rollout, 'CAS02').wave).toBe('cas-internal');
  });

  it('moves a CAS its agent reports Internet-facing to wave 2 when it is pinned internal', () => {
    const rollout = plan([cas('CAS01', true)], [pin('CAS01', false, 'bob')]);
    expect(placed(rollout, 'CAS01')).toMatchObject({
      wave: 'cas-internal',
      server: { waveReason: 'internal: pinned by bob' },
    });
  });

  it('ignores a pin on a server that is not a Client Access server, and one on a server not in the inventory', () => {
    const hub: InventoryServer = { name: 'HUB01', build: '8.1.311.3', roles: ['HubTransport'] };
    const rollout = plan([hub, cas('CAS01')], [pin('HUB01', true), pin('GONE01', true)]);
    expect(placed(rollout, 'HUB01')).toEqual({
      wave: 'remaining',
      server: { name: 'HUB01', from: '8.1.311.3', steps: ['precheck', 'install', 'restart', 'verify'] },
    });
    expect(placed(rollout, 'CAS01').wave).toBe('cas-internal');
  });

  it('changes nothing but the wave: a pinned server left out for its build stays left out', () => {
    const rollout = plan([{ ...cas('CAS01'), build: '8.0.685.25' }], [pin('CAS01', true)]);
    expect(rollout.excluded.map((entry) => [entry.name, entry.code])).toEqual([['CAS01', 'NOT_SP1']]);
    expect(Value.Check(RolloutPlan, rollout)).toBe(true);
  });
});
