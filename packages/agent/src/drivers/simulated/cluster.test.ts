import { describe, expect, it } from 'vitest';
import { DriverError } from '../../errors.js';
import { SimulatedCluster } from './cluster.js';
import type { SimulatedDriver } from './driver.js';
import type { SimulatedClusterEvents } from './events.js';
import { ccrNode, failure, INSTALL_ARGS, RU6, recordingContext, run, simulate } from './test-fixtures.js';

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

  it('refuses a move when neither this node nor the target hosts the CMS, or to a node outside the cluster', async () => {
    const cluster = new SimulatedCluster('SEA-CLU01');
    const a = simulate(ccrNode('SEA-MBX01', 'passive'), { cluster }).driver;
    simulate(ccrNode('SEA-MBX02', 'passive'), { cluster });
    const neither = await failure(run(a, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-MBX02' }));
    expect(neither).toMatchObject({
      code: 'CMS_MOVE_FAILED',
      message:
        'cannot move SEA-CMS01 from SEA-MBX01 to SEA-MBX02: SEA-MBX01 does not host SEA-CMS01, and SEA-MBX02 ' +
        'does not either; Get-ClusteredMailboxServerStatus -Identity SEA-CMS01 shows which node runs it: move ' +
        'it from there, or plan again',
    });
    const pair = ccrPair();
    const stranger = await failure(run(pair.a, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'LON-MBX01' }));
    expect(stranger.message).toContain(
      'LON-MBX01 is not a node of cluster SEA-CLU01 (nodes: SEA-MBX01, SEA-MBX02)',
    );
    const group = await failure(run(pair.a, 'move-cluster-group', { targetNode: 'SEA-MBX01' }));
    expect(group).toMatchObject({ code: 'CLUSTER_GROUP_MOVE_FAILED' });
    expect(pair.a.state().server.cluster?.role).toBe('active');
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

describe('cluster moves run again (a replayed command after an agent restart)', () => {
  /** Records every cluster event and state change of both nodes from now on. */
  function watch(a: SimulatedDriver, b: SimulatedDriver) {
    const seen: string[] = [];
    a.clusterEvents.on('cms-moved', (event) => seen.push(`cms-moved to ${event.to}`));
    a.clusterEvents.on('cluster-group-moved', (event) => seen.push(`group-moved to ${event.to}`));
    a.onChange(() => seen.push('SEA-MBX01 changed'));
    b.onChange(() => seen.push('SEA-MBX02 changed'));
    return seen;
  }

  it('move-cms succeeds again with the same movedTo once the target hosts the CMS, and moves nothing', async () => {
    const { a, b } = ccrPair();
    const args = { cms: 'SEA-CMS01', targetNode: 'sea-mbx02' };
    const first = await run(a, 'move-cms', args);
    const states = [a.state(), b.state()];
    const seen = watch(a, b);
    const context = recordingContext('rollout-1:SEA-MBX01:move-cms');
    await expect(a.runStep('move-cms', args, context)).resolves.toEqual(first);
    expect(first).toEqual({ movedTo: 'SEA-MBX02' });
    expect(context.reported.at(-1)?.message).toBe('SEA-CMS01 already runs on SEA-MBX02: nothing to move');
    expect([a.state(), b.state()]).toEqual(states);
    expect(seen).toEqual([]);
  });

  it('move-cms from the passive node succeeds when the target already hosts the CMS, as the PowerShell script does', async () => {
    const { a, b } = ccrPair();
    const seen = watch(a, b);
    await expect(run(b, 'move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-MBX01' })).resolves.toEqual({
      movedTo: 'SEA-MBX01',
    });
    expect(seen).toEqual([]);
  });

  it('move-cms without a shared cluster remembers where this node moved the CMS', async () => {
    const { driver } = simulate(ccrNode('SEA-MBX01', 'active'));
    const moves: string[] = [];
    driver.clusterEvents.on('cms-moved', (event) => moves.push(event.to));
    const args = { cms: 'SEA-CMS01', targetNode: 'SEA-MBX02' };
    await expect(run(driver, 'move-cms', args)).resolves.toEqual({ movedTo: 'SEA-MBX02' });
    await expect(run(driver, 'move-cms', { ...args, targetNode: 'sea-mbx02' })).resolves.toEqual({
      movedTo: 'SEA-MBX02',
    });
    expect(moves).toEqual(['SEA-MBX02']);
    const elsewhere = await failure(run(driver, 'move-cms', { ...args, targetNode: 'SEA-MBX03' }));
    expect(elsewhere.message).toContain('SEA-MBX01 does not host SEA-CMS01, and SEA-MBX03 does not either');
  });

  it('move-cluster-group succeeds again with the same movedTo once the target owns the group, and moves nothing', async () => {
    const { cluster, a, b } = ccrPair();
    const first = await run(a, 'move-cluster-group', { targetNode: 'SEA-MBX02' });
    const states = [a.state(), b.state()];
    const seen = watch(a, b);
    await expect(run(a, 'move-cluster-group', { targetNode: 'sea-mbx02' })).resolves.toEqual(first);
    expect(first).toEqual({ movedTo: 'SEA-MBX02' });
    expect([a.state(), b.state()]).toEqual(states);
    expect(cluster.groupOwner).toBe('SEA-MBX02');
    expect(seen).toEqual([]);
  });

  it('move-cluster-group without a shared cluster succeeds again and moves nothing', async () => {
    const { driver } = simulate(ccrNode('SEA-MBX01', 'active'));
    const moves: string[] = [];
    driver.clusterEvents.on('cluster-group-moved', (event) => moves.push(event.to));
    await run(driver, 'move-cluster-group', { targetNode: 'SEA-MBX02' });
    await expect(run(driver, 'move-cluster-group', { targetNode: 'SEA-MBX02' })).resolves.toEqual({
      movedTo: 'SEA-MBX02',
    });
    expect(moves).toEqual(['SEA-MBX02']);
    expect(driver.state().clusterGroupOwner).toBe('SEA-MBX02');
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
