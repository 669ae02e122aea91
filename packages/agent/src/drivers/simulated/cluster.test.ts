import { describe, expect, it } from 'vitest';
import { DriverError } from '../../errors.js';
import { SimulatedCluster } from './cluster.js';
import type { SimulatedClusterEvents } from './events.js';
import { ccrNode, failure, INSTALL_ARGS, RU6, run, simulate } from './test-fixtures.js';

/** The CCR pair SEA-MBX01 (active, hosts SEA-CMS01) and SEA-MBX02 (passive), sharing one cluster. */
function ccrPair(behaviour: Parameters<typeof ccrNode>[2] = {}) {
  const cluster = new SimulatedCluster('SEA-CLU01');
  const a = simulate(ccrNode('SEA-MBX01', 'active', behaviour), { cluster }).driver;
  const b = simulate(ccrNode('SEA-MBX02', 'passive'), { cluster }).driver;
  return { cluster, a, b };
}

describe('CCR pair: moving the clustered mailbox server', () => {
  it('move-cms from the active node makes the other node active with the CMS, and this one passive', async () => {
    const { a, b } = ccrPair();
    const moves: SimulatedClusterEvents['cms-moved'][] = [];
    a.clusterEvents.on('cms-moved', (event) => moves.push(event));
    const changedB: string[] = [];
    b.onChange((state) => changedB.push(state.server.cluster?.role ?? 'none'));
    await expect(run(a, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'sea-mbx02' })).resolves.toEqual({
      movedTo: 'SEA-MBX02',
    });
    expect((await a.collect()).server.cluster).toEqual({ type: 'CCR', name: 'SEA-CLU01', role: 'passive' });
    expect((await b.collect()).server.cluster).toEqual({
      type: 'CCR',
      name: 'SEA-CLU01',
      role: 'active',
      cms: 'SEA-CMS01',
    });
    expect(changedB).toEqual(['active']);
    expect(moves).toEqual([{ cluster: 'SEA-CLU01', cms: 'SEA-CMS01', from: 'SEA-MBX01', to: 'SEA-MBX02' }]);
  });

  it('follows the article: passive node first, CMS moves to it, then the former active node', async () => {
    const { a, b } = ccrPair();
    await run(b, 'move-cluster-group', { targetNode: 'SEA-MBX01' });
    await run(b, 'install', INSTALL_ARGS);
    await run(a, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-MBX02' });
    await run(a, 'move-cluster-group', { targetNode: 'SEA-MBX02' });
    await run(a, 'install', INSTALL_ARGS);
    expect([a.state().server.build, b.state().server.build]).toEqual([RU6, RU6]);
    expect(a.state().clusterGroupOwner).toBe('SEA-MBX02');
    expect(b.state().server.cluster?.cms).toBe('SEA-CMS01');
  });

  it('records cluster group moves on every node', async () => {
    const { cluster, a, b } = ccrPair();
    expect(cluster.groupOwner).toBe('SEA-MBX01');
    await expect(run(a, 'move-cluster-group', { targetNode: 'SEA-MBX02' })).resolves.toEqual({
      movedTo: 'SEA-MBX02',
    });
    expect([cluster.groupOwner, a.state().clusterGroupOwner, b.state().clusterGroupOwner]).toEqual([
      'SEA-MBX02',
      'SEA-MBX02',
      'SEA-MBX02',
    ]);
  });

  it('refuses a move from a node that does not host the CMS, or to a node outside the cluster', async () => {
    const { a, b } = ccrPair();
    const fromPassive = await failure(run(b, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-MBX01' }));
    expect(fromPassive).toMatchObject({
      code: 'CMS_MOVE_FAILED',
      message: 'cannot move SEA-CMS01 from SEA-MBX02 to SEA-MBX01: SEA-MBX02 does not host SEA-CMS01',
    });
    const stranger = await failure(run(a, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'LON-MBX01' }));
    expect(stranger.message).toContain(
      'LON-MBX01 is not a node of cluster SEA-CLU01 (nodes: SEA-MBX01, SEA-MBX02)',
    );
    const group = await failure(run(a, 'move-cluster-group', { targetNode: 'SEA-MBX01' }));
    expect(group).toMatchObject({ code: 'CLUSTER_GROUP_MOVE_FAILED' });
    expect(a.state().server.cluster?.role).toBe('active');
  });

  it('fails CMS_MOVE_FAILED when replication is unhealthy (cmsMoveFails), and nothing moves', async () => {
    const { a, b } = ccrPair({ cmsMoveFails: true });
    const error = await failure(run(a, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-MBX02' }));
    expect(error.code).toBe('CMS_MOVE_FAILED');
    expect([a.state().server.cluster?.role, b.state().server.cluster?.role]).toEqual(['active', 'passive']);
  });

  it('without a shared cluster, makes this node passive and leaves the target to the clusterEvents listener', async () => {
    const { driver } = simulate(ccrNode('SEA-MBX01', 'active'));
    const targets: string[] = [];
    driver.clusterEvents.on('cms-moved', (event) => targets.push(event.to));
    await run(driver, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-MBX02' });
    expect(driver.state().server.cluster?.role).toBe('passive');
    expect(targets).toEqual(['SEA-MBX02']);
  });
});

describe('SimulatedCluster: who may join', () => {
  it('refuses a second active node, another cluster, a standalone server, and a duplicate name', () => {
    const { cluster } = ccrPair();
    const join = (host: Parameters<typeof simulate>[0]) => () => simulate(host, { cluster });
    const secondActive = ccrNode('SEA-MBX03', 'active');
    expect(join(secondActive)).toThrow(
      'SEA-MBX03 cannot join SEA-CLU01: SEA-MBX01 already hosts the clustered',
    );
    const other = ccrNode('LON-MBX01', 'passive');
    if (other.server.cluster) other.server.cluster.name = 'LON-CLU01';
    expect(join(other)).toThrow('it belongs to cluster LON-CLU01');
    const standalone = ccrNode('SEA-MBX09', 'passive');
    delete standalone.server.cluster;
    expect(join(standalone)).toThrow(DriverError);
    expect(join(ccrNode('sea-mbx02', 'passive'))).toThrow('another node of that name already joined');
  });
});
