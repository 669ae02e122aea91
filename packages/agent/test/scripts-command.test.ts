import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type PlanStep, STEP_NAMES } from '@exrollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { powershellDriverOptions } from '../src/cli/drivers.js';
import { SAMPLE_STEP_ARGS, sampleCommandId } from '../src/cli/sample-args.js';
import { PowerShellDriver } from '../src/drivers/windows/driver.js';
import type { PowerShellRunner } from '../src/drivers/windows/runner.js';
import { checkPowerShell2 } from './ps2-check.js';

const BIN = fileURLToPath(new URL('../bin/exrollout-agent.mjs', import.meta.url));
const FILES = ['inventory.ps1', ...STEP_NAMES.map((step) => `${step}.ps1`)];
const SHA = 'ab'.repeat(32);

/** Runs the built agent command as a user would; resolves with its exit code and output, never rejects. */
async function agent(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** What the PowerShell driver hands its runner for the inventory and each step with the sample arguments. */
async function scriptsTheDriverRuns(): Promise<Map<string, string>> {
  let last = '';
  const runner: PowerShellRunner = {
    target: 'recording',
    run: async (script) => {
      last = script;
      return { stdout: '', stderr: '', exitCode: 0 };
    },
  };
  const driver = new PowerShellDriver(powershellDriverOptions(runner));
  const seen = new Map<string, string>();
  await driver.collect().catch(() => undefined);
  seen.set('inventory.ps1', last);
  for (const [index, step] of STEP_NAMES.entries()) {
    const context = {
      commandId: sampleCommandId(step, index),
      signal: new AbortController().signal,
      progress: () => {},
    };
    await driver.runStep(step as PlanStep, SAMPLE_STEP_ARGS[step], context).catch(() => undefined);
    seen.set(`${step}.ps1`, last);
  }
  return seen;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exr-scripts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('exrollout-agent scripts', () => {
  it('writes every script the driver runs, byte for byte, and none uses anything newer than PowerShell 2.0', async () => {
    const out = join(dir, 'out');
    const result = await agent('scripts', '--out', out);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim().split('\n')).toEqual(FILES.map((file) => join(out, file)));
    expect((await readdir(out)).sort()).toEqual([...FILES].sort());
    for (const [file, script] of await scriptsTheDriverRuns())
      expect(await readFile(join(out, file), 'utf8'), file).toBe(script);
    expect(await checkPowerShell2(FILES.map((file) => join(out, file)))).toEqual([]);
  }, 120_000);

  it('writes one step with the arguments of a file, checked against the step schema', async () => {
    const args = join(dir, 'install.json');
    await writeFile(
      args,
      JSON.stringify({
        package: { file: 'Exchange2007-KB959241-x86-EN.msp', sha256: SHA },
        targetBuild: '8.1.340.1',
      }),
    );
    const result = await agent('scripts', '--out', dir, '--step', 'install', '--args', args);
    expect(result).toMatchObject({ code: 0, stdout: `${join(dir, 'install.ps1')}\n` });
    const script = await readFile(join(dir, 'install.ps1'), 'utf8');
    expect(script).toContain(`$expected = '${SHA}'`);
    expect(script).toContain("'Exchange2007-KB959241-x86-EN.msp'");
    expect((await readdir(dir)).sort()).toEqual(['install.json', 'install.ps1']);
  });

  it.each([
    [
      'a hash that is not SHA-256',
      { package: { file: 'x.msp', sha256: 'abc' }, targetBuild: '8.1.340.1' },
      'package.sha256',
    ],
    [
      'an unknown field',
      { package: { file: 'x.msp', sha256: SHA }, targetBuild: '8.1.340.1', extra: 1 },
      'invalid arguments for step install',
    ],
    [
      'a control character',
      { package: { file: 'x.msp', sha256: SHA }, targetBuild: "8.1.340.1'\n" },
      'targetBuild',
    ],
  ])('refuses %s with exit code 2 and writes nothing', async (_, value, message) => {
    const args = join(dir, 'bad.json');
    await writeFile(args, JSON.stringify(value));
    const result = await agent('scripts', '--out', join(dir, 'out'), '--step', 'install', '--args', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(await readdir(dir)).toEqual(['bad.json']);
  });

  it('exits 1 when a script cannot be written', async () => {
    await writeFile(join(dir, 'file'), '');
    const result = await agent('scripts', '--out', join(dir, 'file', 'out'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write ${join(dir, 'file', 'out', 'inventory.ps1')}`);
  });

  it.each([
    [['scripts'], '--out DIR is required'],
    [['scripts', '--out', 'x', '--step', 'reboot'], '--step must be one of inventory, stage, precheck'],
    [['scripts', '--out', 'x', '--args', 'a.json'], '--args FILE needs --step STEP'],
    [['scripts', '--out', 'x', '--step', 'install', '--args', 'missing.json'], 'cannot read missing.json'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await agent(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
