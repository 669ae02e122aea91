import {
  compareBuilds,
  groupClusters,
  NETBIOS_NAME_PATTERN,
  parseBuild,
  parseInventory,
} from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { generateFleet } from './generate.js';
import { parseScenario, scenarioInventory } from './scenario.js';

describe('generateFleet', () => {
  it('is deterministic for a seed, and differs across seeds', () => {
    expect(generateFleet({ count: 300, seed: 42 })).toEqual(generateFleet({ count: 300, seed: 42 }));
    expect(generateFleet({ count: 300, seed: 42 })).not.toEqual(generateFleet({ count: 300, seed: 43 }));
  });

  it.each([1, 2, 5, 37, 1000, 5000])(
    'makes %i servers that pass parseInventory and parseScenario',
    (count) => {
      const scenario = generateFleet({ count, seed: count, failureRate: 0.1 });
      expect(scenario.servers).toHaveLength(count);
      expect(() => parseScenario(scenario)).not.toThrow();
      expect(parseInventory(scenarioInventory(scenario)).servers).toHaveLength(count);
      const pattern = new RegExp(NETBIOS_NAME_PATTERN);
      for (const server of scenario.servers) expect(server.name).toMatch(pattern);
    },
  );

  it('mixes roles as a real fleet does: 2% Internet-facing CAS, 8% internal CAS, the rest back-end', () => {
    const { servers } = generateFleet({ count: 1000, seed: 7 });
    const cas = servers.filter((server) => server.roles.includes('ClientAccess'));
    expect(cas.filter((server) => server.internetFacing === true)).toHaveLength(20);
    expect(cas.filter((server) => server.internetFacing === false)).toHaveLength(80);
    const others = servers.filter((server) => !server.roles.includes('ClientAccess'));
    for (const role of ['HubTransport', 'Mailbox', 'UnifiedMessaging', 'Edge'] as const)
      expect(others.filter((server) => server.roles.includes(role)).length).toBeGreaterThan(20);
    const edges = servers.filter((server) => server.roles.includes('Edge'));
    expect(edges.every((server) => server.roles.length === 1 && server.site === undefined)).toBe(true);
  });

  it('builds CCR pairs and SCC clusters with one active node hosting the clustered mailbox server', () => {
    const { servers } = generateFleet({ count: 1000, seed: 7 });
    const clusters = groupClusters(scenarioInventory({ servers }).servers);
    const types = new Set(clusters.map((cluster) => cluster.nodes[0]?.cluster?.type));
    expect(types).toEqual(new Set(['CCR', 'SCC']));
    for (const cluster of clusters) {
      const active = cluster.nodes.filter((node) => node.cluster?.role === 'active');
      expect(active).toHaveLength(1);
      expect(active[0]?.cluster?.cms).toMatch(/-CMS\d+$/);
      expect(cluster.nodes.length).toBe(cluster.nodes[0]?.cluster?.type === 'CCR' ? 2 : 3);
    }
    const nodes = clusters.reduce((sum, cluster) => sum + cluster.nodes.length, 0);
    expect(nodes / 900).toBeGreaterThan(0.15);
  });

  it('puts most servers on Exchange 2007 SP1 RU1-RU5, the builds RU6 replaces', () => {
    const { servers } = generateFleet({ count: 2000, seed: 3 });
    const [ru1, ru5] = [parseBuild('8.1.263.1'), parseBuild('8.1.336.1')];
    const onRu1ToRu5 = servers.filter((server) => {
      const build = parseBuild(server.build);
      return compareBuilds(build, ru1) >= 0 && compareBuilds(build, ru5) <= 0;
    });
    expect(onRu1ToRu5.length / servers.length).toBeGreaterThan(0.75);
  });

  it('gives failure modes only when asked, to about the share asked', () => {
    expect(generateFleet({ count: 500 }).servers.some((server) => server.behaviour)).toBe(false);
    const failing = generateFleet({ count: 2000, failureRate: 0.1 }).servers.filter(
      (server) => server.behaviour,
    );
    expect(failing.length).toBeGreaterThan(150);
    expect(failing.length).toBeLessThan(250);
  });

  it('refuses a count out of range', () => {
    expect(() => generateFleet({ count: 0 })).toThrow(RangeError);
    expect(() => generateFleet({ count: 1.5 })).toThrow(/integer/);
  });
});
