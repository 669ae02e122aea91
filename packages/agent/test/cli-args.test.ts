import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from '../src/cli/args.js';
import { compileAgentConfig } from '../src/cli/config.js';
import { powershellDriverOptions } from '../src/cli/drivers.js';
import { validateStepArgs } from '../src/drivers/windows/args.js';
import { resolveDriverConfig } from '../src/drivers/windows/options.js';
import { stepScript } from '../src/drivers/windows/scripts/index.js';

const NO_RUNNER = { target: 'local', run: () => Promise.reject(new Error('not run')) };

function parse(...args: string[]) {
  const out = { stdout: '', stderr: '' };
  const result = parseAgentArgs(args, {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
  });
  return { ...out, result };
}

const enrolArgs = ['--server', 'https://exr.contoso.com:8443/', '--enrol', 'TOKEN', '--name', 'SEA-CAS01'];

describe('exrollout-agent flags', () => {
  it('accepts a first run that enrols, and freezes the result', () => {
    const { result, stderr } = parse(...enrolArgs, '--driver', 'simulated', '--sim-file', 'host.json');
    expect(stderr).toBe('');
    expect(result).toEqual({
      config: {
        serverUrl: 'https://exr.contoso.com:8443',
        enrolToken: 'TOKEN',
        name: 'SEA-CAS01',
        driver: { kind: 'simulated', simFile: 'host.json' },
        stateDir: './exrollout-agent-state',
        logLevel: 'info',
      },
    });
    if (!('config' in result)) throw new Error('expected a config');
    expect(Object.isFrozen(result.config)).toBe(true);
    expect(Object.isFrozen(result.config.driver)).toBe(true);
  });

  it('accepts later runs with the driver alone, and the powershell modes', () => {
    expect(parse('--driver', 'powershell', '--state-dir', '/var/lib/exr').result).toMatchObject({
      config: { driver: { kind: 'powershell', mode: 'local' }, stateDir: '/var/lib/exr' },
    });
    expect(parse('--driver', 'powershell', '--mode', 'remote', '--target', 'SEA-MBX01').result).toMatchObject(
      {
        config: { driver: { kind: 'powershell', mode: 'remote', target: 'SEA-MBX01' } },
      },
    );
  });

  it('takes the hooks folder of the PowerShell driver, and hands it to the driver', async () => {
    const { result } = parse('--driver', 'powershell', '--hooks-dir', 'D:\\ops\\exrollout-hooks');
    expect(result).toMatchObject({
      config: { driver: { kind: 'powershell', mode: 'local', hooksDirectory: 'D:\\ops\\exrollout-hooks' } },
    });
    if (!('config' in result) || result.config.driver.kind !== 'powershell')
      throw new Error('expected powershell');
    const options = powershellDriverOptions(NO_RUNNER, undefined, result.config.driver);
    const script = stepScript(
      validateStepArgs('install', {
        package: { file: 'Exchange2007-KB959241-x64-EN.msp', sha256: 'ab'.repeat(32) },
        targetBuild: '8.1.340.1',
        hooks: { before: ['fse-disable'], after: [] },
      }),
      resolveDriverConfig(options),
      'cmd-1',
    );
    expect(script).toContain("$hooks = 'D:\\ops\\exrollout-hooks'");
  });

  it.each([
    [['--driver', 'powershell', '--hooks-dir', 'hooks'], '--hooks-dir must be an absolute Windows path'],
    [
      ['--driver', 'simulated', '--sim-file', 'h.json', '--hooks-dir', 'C:\\h'],
      '--hooks-dir applies to --driver powershell only',
    ],
    [['--driver', 'simulated'], '--driver simulated needs --sim-file FILE'],
    [[], '--driver is required: powershell or simulated'],
    [['--driver', 'hyper-v'], '--driver must be powershell or simulated (got "hyper-v")'],
    [['--driver', 'powershell', '--mode', 'remote'], '--mode remote needs --target NAME'],
    [['--driver', 'powershell', '--target', 'X'], '--target applies to --mode remote only'],
    [['--driver', 'powershell', '--mode', 'psexec'], '--mode must be local or remote (got "psexec")'],
    [['--driver', 'powershell', '--sim-file', 'h.json'], '--sim-file applies to --driver simulated only'],
    [['--driver', 'simulated', '--sim-file', 'h.json', '--mode', 'local'], '--mode and --target apply to'],
    [['--enrol', 'T', '--name', 'N', '--driver', 'powershell'], '--enrol needs --server URL'],
    [['--enrol', 'T', '--server', 'http://h', '--driver', 'powershell'], '--enrol needs --name NAME'],
    [['--name', 'SEA_CAS01', '--driver', 'powershell'], '--name "SEA_CAS01" must be a Windows computer name'],
    [
      ['--name', 'con', '--driver', 'powershell'],
      '--name "con" must be a Windows computer name: 1-15 letters, digits or hyphens; CON is a device name',
    ],
    [
      ['--name', '2007', '--driver', 'powershell'],
      '--name "2007" must be a Windows computer name: 1-15 letters, digits or hyphens, not all digits',
    ],
    [
      ['--server', 'exr.contoso.com', '--driver', 'powershell'],
      '--server: server URL "exr.contoso.com" is not a URL',
    ],
    [['--driver', 'powershell', '--log-level', 'loud'], '--log-level must be one of fatal, error, warn'],
  ])('refuses %j with a clear message and exit code 2', (args, message) => {
    const { result, stderr } = parse(...args);
    expect(result).toEqual({ exitCode: 2 });
    expect(stderr).toContain(`exrollout-agent: ${message}`);
  });

  it('leaves unknown flags and stray arguments to the parser (exit code 2)', () => {
    expect(parse('--driver', 'powershell', '--colour').result).toEqual({ exitCode: 2 });
    expect(parse('--driver', 'powershell', 'extra').result).toEqual({ exitCode: 2 });
  });

  it('prints help and version with exit code 0', () => {
    const help = parse('--help');
    expect(help.result).toEqual({ exitCode: 0 });
    expect(help.stdout).toContain('--enrol <token>');
    const version = parse('--version');
    expect(version.result).toEqual({ exitCode: 0 });
    expect(version.stdout.trim()).toBe('0.1.0');
  });

  it('compiles flags given programmatically the same way', () => {
    expect(() => compileAgentConfig({ driver: 'simulated' })).toThrow(/needs --sim-file/);
  });
});
