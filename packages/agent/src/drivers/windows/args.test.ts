import { describe, expect, it } from 'vitest';
import { validateStepArgs } from './args.js';

const SHA = 'a'.repeat(64);
const refusal = (step: Parameters<typeof validateStepArgs>[0], args: unknown) => {
  try {
    validateStepArgs(step, args);
  } catch (error) {
    return error as { name: string; code: string; message: string };
  }
  throw new Error('expected a refusal');
};

describe('validateStepArgs', () => {
  it('accepts arguments that match the step schema', () => {
    expect(validateStepArgs('move-cms', { cms: 'SEA-MBX1', targetNode: 'SEA-CCR1-N2' })).toEqual({
      step: 'move-cms',
      args: { cms: 'SEA-MBX1', targetNode: 'SEA-CCR1-N2' },
    });
    expect(
      validateStepArgs('install', {
        package: { file: 'Exchange2007-KB959241-x64-EN.msp', sha256: SHA },
        targetBuild: '8.1.340.1',
      }).step,
    ).toBe('install');
  });

  it("refuses a node name carrying '; Remove-Item, before any script exists", () => {
    const error = refusal('move-cluster-group', { targetNode: "N2'; Remove-Item C:\\ -Recurse; '" });
    expect(error).toMatchObject({ name: 'StepFailedError', code: 'INVALID_ARGUMENTS' });
    expect(error.message).toContain('targetNode');
  });

  it('refuses a package file name that is not a plain .msp name', () => {
    for (const file of ['..\\..\\evil.msp', 'a b.msp', 'x.msp" /qn', 'setup.exe'])
      expect(
        refusal('install', { package: { file, sha256: SHA }, targetBuild: '8.1.340.1' }).code,
        file,
      ).toBe('INVALID_ARGUMENTS');
  });

  it('refuses unknown fields, missing fields, bad hashes and bad product codes', () => {
    expect(refusal('verify', { targetBuild: '8.1.340.1' }).code).toBe('INVALID_ARGUMENTS');
    expect(refusal('verify', { targetBuild: '8.1.340.1', remedyKb944752: true, extra: 1 }).code).toBe(
      'INVALID_ARGUMENTS',
    );
    expect(
      refusal('install', { package: { file: 'a.msp', sha256: 'A'.repeat(64) }, targetBuild: '8.1.340.1' })
        .code,
    ).toBe('INVALID_ARGUMENTS');
    expect(
      refusal('uninstall', { productCode: "{x}'; exit", kb: '959241', expectedBuild: '8.1.311.3' }).code,
    ).toBe('INVALID_ARGUMENTS');
  });

  it('refuses control characters in free-text arguments such as interim update names', () => {
    expect(
      refusal('remove-interim-updates', { interimUpdates: ['IU for KB957019\nRemove-Item C:\\'] }).code,
    ).toBe('INVALID_ARGUMENTS');
  });

  it('refuses a step that is not in the catalog', () => {
    expect(refusal('format-disk' as never, {}).code).toBe('INVALID_ARGUMENTS');
  });
});
