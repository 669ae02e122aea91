import { describe, expect, it } from 'vitest';
import {
  casOnRu4,
  failure,
  INSTALL_ARGS,
  precheckArgs,
  recordingContext,
  run,
  simulate,
} from './test-fixtures.js';

// Issue 15: the simulated driver models staging: its duration from size and bandwidth, a cut, a full disk.

const SIZE = 50_000_000;
const STAGE = { package: INSTALL_ARGS.package, size: SIZE, fromStore: true } as const;
/** A CAS whose package directory holds nothing yet. */
const bare = (staging: Record<string, unknown> = {}, freeDiskMb?: number) =>
  casOnRu4({ packages: {}, staging, ...(freeDiskMb === undefined ? {} : { freeDiskMb }) });

describe('the simulated stage step', () => {
  it('takes size over bandwidth, reports bytes and percent, and leaves the package for precheck', async () => {
    const { driver, clock } = simulate(bare({ mbps: 40 }));
    const context = recordingContext();
    const details = await driver.runStep('stage', STAGE, context);
    expect(details).toEqual({ staged: { bytes: SIZE, skipped: false, resumedFrom: 0 } });
    // 50 MB at 40 Mbit/s: 10 s of simulated time.
    expect(clock.elapsedMs).toBeCloseTo(10_000, 0);
    expect(context.reported.at(-1)).toEqual({
      message: 'Staging Exchange2007-KB959241-x64-EN.msp: 100% (50.0 MB of 50.0 MB)',
      percent: 100,
    });
    await expect(run(driver, 'precheck', precheckArgs())).resolves.toMatchObject({ build: '8.1.311.3' });
    expect(await run(driver, 'stage', STAGE)).toEqual({
      staged: { bytes: SIZE, skipped: true, resumedFrom: 0 },
    });
  });

  it('resumes a download cut halfway from where it stopped', async () => {
    const { driver } = simulate(bare({ cutHalfway: true }));
    const context = recordingContext();
    expect(await driver.runStep('stage', STAGE, context)).toEqual({
      staged: { bytes: SIZE, skipped: false, resumedFrom: SIZE / 2 },
    });
    expect(context.reported.map((r) => r.message)).toContain(
      'Staging Exchange2007-KB959241-x64-EN.msp: the connection was cut at 50%; resuming from 25.0 MB',
    );
  });

  it('fails with the reason: a full disk, an unreachable server, a bad hash; precheck then finds no package', async () => {
    const full = simulate(bare({}, 100)).driver;
    expect((await failure(run(full, 'stage', STAGE))).code).toBe('STAGE_DISK_FULL');
    const away = simulate(bare({ failure: 'unreachable' })).driver;
    expect((await failure(run(away, 'stage', STAGE))).code).toBe('STAGE_SERVER_UNREACHABLE');
    const bad = simulate(bare({ failure: 'hash-mismatch' })).driver;
    expect((await failure(run(bad, 'stage', STAGE))).code).toBe('PACKAGE_HASH_MISMATCH');
    expect((await failure(run(bad, 'precheck', precheckArgs(undefined, 0)))).code).toBe('PACKAGE_MISSING');
  });
});
