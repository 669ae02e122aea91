import { describe, expect, it } from 'vitest';
import { KB959241 } from './catalog.js';
import { installFreeMb, MSP_SIGNATURE, packageProblem, stageFreeBytes } from './packages.js';

const HEAD = [...MSP_SIGNATURE];

describe('packageProblem', () => {
  it('accepts a package of the update by its catalog name, in any case', () => {
    expect(packageProblem(KB959241, 'Exchange2007-KB959241-x64-EN.msp', 1000, HEAD)).toBeUndefined();
    expect(packageProblem(KB959241, 'exchange2007-kb959241-x86-en.MSP', 1000, HEAD)).toBeUndefined();
  });

  it('names what is wrong: another file, empty, too large for Windows Installer, not an OLE file', () => {
    expect(packageProblem(KB959241, 'Exchange2007-KB959241-ia64-EN.msp', 1000, HEAD)).toMatch(
      /its packages are Exchange2007-KB959241-x64-EN\.msp, Exchange2007-KB959241-x86-EN\.msp/,
    );
    const file = 'Exchange2007-KB959241-x64-EN.msp';
    expect(packageProblem(KB959241, file, 0, [])).toMatch(/is empty/);
    expect(packageProblem(KB959241, file, 2 ** 31, HEAD)).toMatch(/over the 2147483647/);
    expect(packageProblem(KB959241, file, 1000, [0x50, 0x4b, 3, 4])).toMatch(/not a Windows Installer patch/);
  });
});

describe('free space for a package', () => {
  it('asks for the margin plus twice the package to install, and the rest of the file too to stage', () => {
    expect(installFreeMb(1024, undefined)).toBe(1024);
    expect(installFreeMb(1024, 400 * 1_048_576)).toBe(1824);
    expect(installFreeMb(0, 1)).toBe(2);
    expect(stageFreeBytes(300, 100)).toBe(800);
  });
});
