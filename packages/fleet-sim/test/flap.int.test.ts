import { createInstantClock, silentLogger } from '@exrollout/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { type Peer, startPeer, waitUntil } from '../../agent/test/peer.js';
import { type FlapOptions, type Fleet, generateFleet, startFlapping, startFleet } from '../src/index.js';

let peer: Peer | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await peer?.close();
  fleet = undefined;
  peer = undefined;
});

const OPTIONS: FlapOptions = { count: 4, seed: 11, awayMs: [20, 60], upMs: [40, 120] };

async function connectedFleet(): Promise<Fleet> {
  peer = await startPeer({ tokens: { 'fleet-token': 8 }, heartbeatIntervalMs: 200 });
  fleet = await startFleet({
    serverUrl: peer.url,
    scenario: generateFleet({ count: 8, seed: 3 }),
    enrolToken: 'fleet-token',
    logger: silentLogger,
    reconnect: { baseMs: 10, maxMs: 50 },
    clock: createInstantClock(),
  });
  await fleet.waitConnected(5000);
  return fleet;
}

describe('startFlapping', () => {
  it('takes only the chosen agents down, both ways, and brings every one back when stopped', async () => {
    const running = await connectedFleet();
    const flapper = startFlapping(running, OPTIONS);
    await waitUntil(() => flapper.counts().flaps >= 24, 10_000);
    await flapper.stop();
    await running.waitConnected(5000);

    const counts = flapper.counts();
    expect(counts.returns).toBe(counts.flaps);
    expect(counts.abrupt).toBeGreaterThan(0);
    expect(counts.abrupt).toBeLessThan(counts.flaps);
    const reconnected = running.agents.filter((agent) => agent.connections > 1).map((agent) => agent.name);
    expect(reconnected.sort()).toEqual([...flapper.names].sort());
    expect(running.states()).toEqual({ ready: 8 });
  });

  it('picks the same agents for the same seed, others for another', async () => {
    const running = await connectedFleet();
    const pick = async (seed: number) => {
      const flapper = startFlapping(running, { ...OPTIONS, seed });
      await flapper.stop();
      return flapper.names;
    };
    const first = await pick(11);
    expect(first).toHaveLength(4);
    expect(await pick(11)).toEqual(first);
    expect(await pick(12)).not.toEqual(first);
  });

  it('refuses a count larger than the fleet and a range upside down', async () => {
    const running = await connectedFleet();
    expect(() => startFlapping(running, { ...OPTIONS, count: 9 })).toThrow(RangeError);
    expect(() => startFlapping(running, { ...OPTIONS, awayMs: [60, 20] })).toThrow(/awayMs/);
  });
});
