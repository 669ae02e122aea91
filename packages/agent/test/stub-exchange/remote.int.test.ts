import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PowerShellDriver } from '../../src/drivers/windows/driver.js';
import { LocalPowerShellRunner } from '../../src/drivers/windows/local-runner.js';
import { RemotePowerShellRunner } from '../../src/drivers/windows/remote-runner.js';
import { DriverError } from '../../src/errors.js';
import { findPwsh } from '../pwsh.js';
import { createStubHost } from './host.js';
import { STUB_POWERSHELL } from './runner.js';

const SERVER = { name: 'SEA-CAS01', site: 'HQ', build: '8.1.311.3', roles: ['ClientAccess'] as const };
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** A driver whose scripts go through the remote runner's Invoke-Command wrapper, then the stub's powershell.exe. */
function remoteDriver(root: string, credential?: { user: string; passwordFile: string }) {
  process.env.EXR_STUB_ROOT = root;
  process.env.EXR_PWSH = findPwsh();
  const local = new LocalPowerShellRunner({ executable: STUB_POWERSHELL });
  const target = { computerName: 'SEA-CAS01', ...(credential ? { credential } : {}) };
  return new PowerShellDriver({ runner: new RemotePowerShellRunner(target, local) });
}

describe('remote mode: the Invoke-Command wrapper, run by a real PowerShell', () => {
  it('runs the wrapped inventory script where Invoke-Command lands, with the same answer as local mode', {
    timeout: 60_000,
  }, async () => {
    const root = createStubHost(mkdtempSync(join(tmpdir(), 'exr-remote-')), {
      server: { ...SERVER, roles: [...SERVER.roles] },
    });
    process.env.EXR_STUB_INVOKE_LOCALLY = '1';
    const remote = await remoteDriver(root).collect();
    const local = await new PowerShellDriver({
      runner: new LocalPowerShellRunner({ executable: STUB_POWERSHELL }),
    }).collect();
    expect(remote).toEqual(local);
    expect(remote.server).toMatchObject({ name: 'SEA-CAS01', build: '8.1.311.3', roles: ['ClientAccess'] });
  });

  it('reads the password file and builds the credential, then reports a refused connection as AGENT_ERR_DRIVER_REMOTE', {
    timeout: 60_000,
  }, async () => {
    const root = createStubHost(mkdtempSync(join(tmpdir(), 'exr-remote-')), {
      server: { ...SERVER, roles: [...SERVER.roles] },
    });
    const passwordFile = join(root, 'C', 'exrollout', 'sea-cas01.pwd');
    // PowerShell 7 on Linux writes ConvertFrom-SecureString output without DPAPI; on Windows it is DPAPI-bound.
    const secure = spawnSync(
      findPwsh(),
      [
        '-NoProfile',
        '-Command',
        'ConvertTo-SecureString "s3cret" -AsPlainText -Force | ConvertFrom-SecureString',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(passwordFile, secure.stdout);
    const driver = remoteDriver(root, {
      user: 'CONTOSO\\svc-exrollout',
      passwordFile: 'C:\\exrollout\\sea-cas01.pwd',
    });
    const error = await driver.collect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'AGENT_ERR_DRIVER_REMOTE' });
    expect((error as Error).message).toMatch(/^Invoke-Command failed: .*WSMan/);
  });
});
