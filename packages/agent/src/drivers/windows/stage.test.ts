import { describe, expect, it } from 'vitest';
import { stagingDirectory } from './stage.js';

describe('where the PowerShell driver stages a package', () => {
  it('writes the folder itself in local mode, and the admin share of the managed server in remote mode', () => {
    expect(stagingDirectory('local', 'C:\\exrollout\\packages', 'win32')).toBe('C:\\exrollout\\packages');
    expect(stagingDirectory('remote:SEA-MBX01.contoso.com', 'D:\\exr\\pkg', 'win32')).toBe(
      '\\\\SEA-MBX01.contoso.com\\D$\\exr\\pkg',
    );
  });

  it('says exactly why an agent off Windows cannot', () => {
    expect(() => stagingDirectory('remote:SEA-MBX01', 'C:\\exrollout\\packages', 'linux')).toThrow(
      /remote mode copies over \\\\SEA-MBX01\\C\$\\exrollout\\packages, an SMB path only an agent on Windows can write; this one runs on linux/,
    );
    expect(() => stagingDirectory('local', 'C:\\exrollout\\packages', 'linux')).toThrow(
      /STAGE|not on the Exchange server/,
    );
  });
});
