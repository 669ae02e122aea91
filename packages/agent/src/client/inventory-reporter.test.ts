import type { AgentMessage } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import type { HostDriver, HostSnapshot } from '../drivers/types.js';
import { InventoryReporter } from './inventory-reporter.js';
import { silentLogger } from './logger.js';

function setUp(debounceMs = 10) {
  let build = '8.1.311.3';
  const collects: string[] = [];
  const driver: HostDriver = {
    kind: 'simulated',
    collect: async (): Promise<HostSnapshot> => {
      collects.push(build);
      return { server: { name: 'SEA-HUB01', build, roles: ['HubTransport'] }, host: {} };
    },
    runStep: () => Promise.reject(new Error('unused')),
  };
  const sent: AgentMessage<'INVENTORY'>[] = [];
  const reporter = new InventoryReporter({
    driver,
    logger: silentLogger,
    debounceMs,
    signal: new AbortController().signal,
    send: (message) => sent.push(message) > 0,
  });
  const builds = () => sent.map((message) => message.payload.server.build);
  return { reporter, sent, collects, builds, setBuild: (next: string) => (build = next) };
}

describe('InventoryReporter', () => {
  it('resolves refresh once an inventory collected after the call went out', async () => {
    const { reporter, builds, setBuild } = setUp();
    await reporter.start();
    setBuild('8.1.340.1');
    await reporter.refresh();
    expect(builds()).toEqual(['8.1.311.3', '8.1.340.1']);
  });

  it('runs one collection at a time and lets requests join the one waiting', async () => {
    const { reporter, collects } = setUp();
    // Asked for before the first collection began: they join it.
    await Promise.all([reporter.start(), reporter.refresh(), reporter.refresh()]);
    expect(collects).toHaveLength(1);
    // Asked for while one runs: one more collection, after it.
    const running = reporter.refresh();
    await Promise.resolve();
    expect(collects).toHaveLength(2);
    await Promise.all([running, reporter.refresh(), reporter.refresh()]);
    expect(collects).toHaveLength(3);
  });

  it('sends one inventory for a burst of changes, none before start or after stop', async () => {
    const { reporter, sent } = setUp(20);
    reporter.changed();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(sent).toHaveLength(0);
    await reporter.start();
    reporter.changed();
    reporter.changed();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sent).toHaveLength(2);
    reporter.changed();
    reporter.stop();
    await new Promise((resolve) => setTimeout(resolve, 40));
    await reporter.refresh();
    expect(sent).toHaveLength(2);
  });
});
