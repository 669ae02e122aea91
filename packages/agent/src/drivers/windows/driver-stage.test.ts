import type { StepArgs } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import type { PackageSource } from '../../staging/source.js';
import { PowerShellDriver } from './driver.js';
import { FakeRunner } from './fixtures/fake-runner.js';

// Issue 15: the PowerShell driver's stage step: a verified package is kept, a missing one downloaded (on Windows).

const SHA = '5e1f0b0c9b3a1d7e4c2f8a6b0d9e3c7a1f5b2d8e6c4a0f9b3d7e1c5a2f8b6d04';
const FILE = 'Exchange2007-KB959241-x64-EN.msp';
const STAGE: StepArgs['stage'] = { package: { file: FILE, sha256: SHA }, size: 1000, fromStore: true };
const present = `EXR|package.path|C:\\\\exrollout\\\\packages\\\\${FILE}\nEXR|package.sha256|${SHA.toUpperCase()}\nEXR|status|ok\n`;
const missing = `EXR|package.missing|C:\\\\exrollout\\\\packages\\\\${FILE}\nEXR|status|ok\n`;

const context = (packages?: PackageSource) => ({
  commandId: 'r-1:SEA-CAS01:0:stage:1',
  signal: new AbortController().signal,
  progress: () => {},
  ...(packages ? { packages } : {}),
});

describe('the PowerShell driver stages a package', () => {
  it('keeps a package already there with its SHA-256, downloading nothing', async () => {
    const runner = new FakeRunner({ stdout: present });
    const details = await new PowerShellDriver({ runner }).runStep('stage', STAGE, context());
    expect(details).toEqual({ staged: { bytes: 1000, skipped: true, resumedFrom: 0 } });
    expect(runner.scripts[0]).toContain('Get-ExrSha256 $msp');
  });

  it('says exactly why it cannot download one here: the agent is not on Windows', async () => {
    const runner = new FakeRunner({ stdout: missing });
    const asked: string[] = [];
    const source: PackageSource = {
      download: async (request) => {
        asked.push(request.directory);
        throw new Error('not reached');
      },
    };
    const error = await new PowerShellDriver({ runner })
      .runStep('stage', STAGE, context(source))
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'STAGE_UNSUPPORTED' });
    expect(String(error.message)).toContain(
      `the agent runs on ${process.platform}, not on the Exchange server`,
    );
    expect(asked).toEqual([]);
  });

  it('fails a package staged by other means that is missing, with what to do', async () => {
    const runner = new FakeRunner({ stdout: missing });
    const error = await new PowerShellDriver({ runner })
      .runStep('stage', { ...STAGE, fromStore: false }, context())
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'PACKAGE_MISSING' });
    expect(String(error.message)).toContain("upload it to the server's store");
  });
});
