import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDriver } from '../src/cli/drivers.js';
import { UsageError } from '../src/cli/exit.js';
import { silentLogger } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-drivers-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const host = { server: { name: 'SEA-CAS01', build: '8.1.311.3', roles: ['ClientAccess'] } };

async function simFile(content: unknown): Promise<string> {
  const file = join(dir, 'host.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function usageMessage(promise: Promise<unknown>): Promise<string> {
  const error = await promise.catch((caught: unknown) => caught);
  if (!(error instanceof UsageError)) throw new Error(`expected a UsageError, got ${String(error)}`);
  return error.message;
}

describe('createDriver', () => {
  it('builds a simulated driver from a host file that names the enrolled server', async () => {
    const driver = await createDriver(
      { kind: 'simulated', simFile: await simFile(host) },
      'sea-cas01',
      silentLogger,
    );
    expect(driver.kind).toBe('simulated');
    expect((await driver.collect()).server.name).toBe('SEA-CAS01');
  });

  it('turns a missing, unreadable, invalid or foreign host file into a usage error', async () => {
    const simulated = async (content: unknown) =>
      createDriver({ kind: 'simulated', simFile: await simFile(content) }, 'SEA-CAS01', silentLogger);
    expect(
      await usageMessage(
        createDriver({ kind: 'simulated', simFile: join(dir, 'none.json') }, 'X', silentLogger),
      ),
    ).toBe(`cannot read ${join(dir, 'none.json')}: no such file`);
    expect(await usageMessage(simulated('{ nope'))).toMatch(/host\.json is not valid JSON/);
    expect(await usageMessage(simulated({ ...host, behaviour: { installSeconds: 'slow' } }))).toMatch(
      /behaviour\.installSeconds/,
    );
    expect(await usageMessage(simulated({ server: { ...host.server, name: 'SEA-CAS02' } }))).toBe(
      `${join(dir, 'host.json')} describes SEA-CAS02, but this agent is enrolled as SEA-CAS01`,
    );
  });

  it('builds the PowerShell driver for local mode without running anything yet', async () => {
    const driver = await createDriver({ kind: 'powershell', mode: 'local' }, 'SEA-CAS01', silentLogger);
    expect(driver.kind).toBe('powershell');
  });
});
