import { describe, expect, it } from 'vitest';
import { createPowerShellRunner } from './create.js';
import { FakeRunner } from './fixtures/fake-runner.js';
import { RemotePowerShellRunner, remoteTargetFromEnv, wrapRemote } from './remote-runner.js';

const SCRIPT = "Write-Exr 'status' 'ok'";

describe('wrapRemote', () => {
  it('wraps the script in Invoke-Command -ComputerName -ScriptBlock', () => {
    const wrapped = wrapRemote(SCRIPT, { computerName: 'SEA-CAS01' });
    expect(wrapped).toContain(
      `  Invoke-Command -ComputerName 'SEA-CAS01' -ErrorAction Stop -ScriptBlock {\n${SCRIPT}\n  }`,
    );
    expect(wrapped).not.toContain('-Credential');
    expect(wrapped).toContain(
      "Write-Output ('EXR|transport.error|' + (ConvertTo-ExrValue $_.Exception.Message))",
    );
  });

  it('builds a PSCredential from the user and the DPAPI password file', () => {
    const wrapped = wrapRemote(SCRIPT, {
      computerName: 'sea-cas01.sea.contoso.com',
      credential: {
        user: 'CONTOSO\\svc-exr-cas01',
        passwordFile: 'C:\\exrollout\\agents\\SEA-CAS01\\password.txt',
      },
    });
    expect(wrapped).toContain(
      "$exrPassword = Get-Content -LiteralPath 'C:\\exrollout\\agents\\SEA-CAS01\\password.txt' | Select-Object -First 1 | ConvertTo-SecureString",
    );
    expect(wrapped).toContain(
      "$exrCredential = New-Object System.Management.Automation.PSCredential('CONTOSO\\svc-exr-cas01', $exrPassword)",
    );
    expect(wrapped).toContain(
      "Invoke-Command -ComputerName 'sea-cas01.sea.contoso.com' -Credential $exrCredential",
    );
  });
});

describe('remote targets', () => {
  it('reads the credential from EXROLLOUT_PS_USER and EXROLLOUT_PS_PASSWORD_FILE', () => {
    expect(
      remoteTargetFromEnv('SEA-CAS01', {
        EXROLLOUT_PS_USER: 'svc-exr@contoso.com',
        EXROLLOUT_PS_PASSWORD_FILE: 'C:\\exrollout\\password.txt',
      }),
    ).toEqual({
      computerName: 'SEA-CAS01',
      credential: { user: 'svc-exr@contoso.com', passwordFile: 'C:\\exrollout\\password.txt' },
    });
    expect(remoteTargetFromEnv('SEA-CAS01', {})).toEqual({ computerName: 'SEA-CAS01' });
  });

  it('refuses half a credential, odd names and relative password files', () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => remoteTargetFromEnv('SEA-CAS01', { EXROLLOUT_PS_USER: 'a@b.c' }))).toBe(
      'AGENT_ERR_DRIVER_CONFIG',
    );
    expect(code(() => remoteTargetFromEnv("SEA'; Remove-Item", {}))).toBe('AGENT_ERR_DRIVER_CONFIG');
    const env = (user: string, file = 'C:\\p.txt') => ({
      EXROLLOUT_PS_USER: user,
      EXROLLOUT_PS_PASSWORD_FILE: file,
    });
    expect(code(() => remoteTargetFromEnv('SEA-CAS01', env("CONTOSO\\x'y")))).toBe('AGENT_ERR_DRIVER_CONFIG');
    expect(code(() => remoteTargetFromEnv('SEA-CAS01', env('CONTOSO\\x\ny')))).toBe(
      'AGENT_ERR_DRIVER_CONFIG',
    );
    expect(code(() => remoteTargetFromEnv('SEA-CAS01', env('CONTOSO\\x', 'password.txt')))).toBe(
      'AGENT_ERR_DRIVER_CONFIG',
    );
  });
});

describe('RemotePowerShellRunner', () => {
  it('hands the wrapped script to the local runner and names its target', async () => {
    const local = new FakeRunner({ stdout: 'EXR|status|ok\n' });
    const runner = new RemotePowerShellRunner({ computerName: 'SEA-CAS01' }, local);
    expect(runner.target).toBe('remote:SEA-CAS01');
    await runner.run(SCRIPT, { signal: new AbortController().signal, timeoutMs: 1000 });
    expect(local.scripts).toEqual([wrapRemote(SCRIPT, { computerName: 'SEA-CAS01' })]);
  });
});

describe('createPowerShellRunner', () => {
  it('builds a local runner, or a remote one with the credential from the environment', () => {
    expect(createPowerShellRunner({ mode: 'local' }, {}).target).toBe('local');
    const remote = createPowerShellRunner(
      { mode: 'remote', target: 'SEA-CAS01' },
      { EXROLLOUT_PS_USER: 'CONTOSO\\svc-exr', EXROLLOUT_PS_PASSWORD_FILE: 'C:\\exrollout\\p.txt' },
    );
    expect(remote.target).toBe('remote:SEA-CAS01');
  });
});
