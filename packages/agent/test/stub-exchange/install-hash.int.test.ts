import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PowerShellDriver } from '../../src/drivers/windows/driver.js';
import { StepFailedError } from '../../src/errors.js';
import { PACKAGE, RU4, RU6, SCENARIOS } from '../conformance/scenarios.js';
import { createStubHost, readStubState, stubBuild } from './host.js';
import { StubHostRunner, StubPowerShellPool } from './runner.js';

const MISMATCH = SCENARIOS.find((entry) => entry.name === 'the staged package has another SHA-256');
const CLEAN = SCENARIOS.find((entry) => entry.name === 'installed, then rolled back');

/** Runs the install script, as the agent sends it, through pwsh on a fresh stub host. */
async function install(scenario: NonNullable<typeof MISMATCH>, pool: StubPowerShellPool) {
  const root = createStubHost(mkdtempSync(join(tmpdir(), 'exr-hash-')), scenario.host, scenario.stub);
  const driver = new PowerShellDriver({ runner: new StubHostRunner(pool, root) });
  const context = { commandId: 'hash', signal: new AbortController().signal, progress: () => undefined };
  const outcome = await driver
    .runStep('install', { package: { ...PACKAGE }, targetBuild: RU6 }, context)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  const msiexecRuns = readStubState(root).history.filter((entry) => entry.what === 'msiexec');
  return { outcome, msiexecRuns, build: stubBuild(root) };
}

// The SHA-256 check is the last guard between a tampered or truncated download and msiexec on an Exchange
// server: it must stop the install before msiexec starts, not merely report the hash it saw.
describe('install refuses a staged package whose SHA-256 is not the one the server sent (pwsh, stub host)', () => {
  const pool = new StubPowerShellPool();
  afterAll(() => pool.close());

  it('fails PACKAGE_HASH_MISMATCH, never calls msiexec, and leaves the build as it was', {
    timeout: 60_000,
  }, async () => {
    if (!MISMATCH) throw new Error('no hash-mismatch scenario');
    const { outcome, msiexecRuns, build } = await install(MISMATCH, pool);
    expect(outcome).toBeInstanceOf(StepFailedError);
    expect((outcome as StepFailedError).code).toBe('PACKAGE_HASH_MISMATCH');
    expect((outcome as StepFailedError).message).toContain(`expected ${PACKAGE.sha256}`);
    expect(msiexecRuns).toEqual([]);
    expect(build).toBe(RU4);
  });

  it('runs msiexec once for the same server when the staged bytes are the right ones (the control)', {
    timeout: 60_000,
  }, async () => {
    if (!CLEAN) throw new Error('no clean install scenario');
    const { outcome, msiexecRuns, build } = await install(CLEAN, pool);
    expect(outcome).toBeUndefined();
    expect(msiexecRuns.map((entry) => entry.detail.split(' ')[0])).toEqual(['/update']);
    expect(build).toBe(RU6);
  });
});
