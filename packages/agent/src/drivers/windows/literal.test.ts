import { KB959241 } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { PACKED_GUID_ORDER, packGuid } from './guid.js';
import { isWindowsPath, psArray, psBool, psLiteral } from './literal.js';

describe('psLiteral', () => {
  it('single-quotes a value so that $ and backticks stay literal', () => {
    expect(psLiteral('C:\\Program Files\\Microsoft\\Exchange Server')).toBe(
      "'C:\\Program Files\\Microsoft\\Exchange Server'",
    );
    expect(psLiteral('$(Remove-Item C:\\ -Recurse) `n')).toBe("'$(Remove-Item C:\\ -Recurse) `n'");
  });

  it('doubles every quote character PowerShell accepts, typographic ones included', () => {
    expect(psLiteral("'; Remove-Item C:\\ -Recurse; '")).toBe("'''; Remove-Item C:\\ -Recurse; '''");
    expect(psLiteral('it\u2019s \u2018quoted\u2019 \u201aa\u201b')).toBe(
      "'it\u2019\u2019s \u2018\u2018quoted\u2019\u2019 \u201a\u201aa\u201b\u201b'",
    );
  });

  it('refuses control characters, which could end the statement', () => {
    for (const value of ['a\nb', 'a\rb', 'a\u0000b', 'a\u001bb'])
      expect(() => psLiteral(value)).toThrow(expect.objectContaining({ code: 'AGENT_ERR_DRIVER_CONFIG' }));
  });

  it('builds arrays and booleans', () => {
    expect(psArray(['a', "b'c"])).toBe("@('a', 'b''c')");
    expect(psArray([])).toBe('@()');
    expect([psBool(true), psBool(false)]).toEqual(['$true', '$false']);
  });
});

describe('isWindowsPath', () => {
  it('accepts drive and UNC paths and refuses relative paths and forbidden characters', () => {
    expect(isWindowsPath('C:\\exrollout\\packages')).toBe(true);
    expect(isWindowsPath('\\\\fileserver\\share\\exrollout')).toBe(true);
    for (const bad of [
      'packages',
      'C:/exrollout',
      'C:\\a"b',
      'C:\\a|b',
      'C:\\a\nb',
      'C:\\a:b',
      '/etc/passwd',
    ])
      expect(isWindowsPath(bad), bad).toBe(false);
  });
});

describe('packGuid', () => {
  it('packs the Exchange 2007 product code to the registry key name the reference gives', () => {
    expect(packGuid(KB959241.productCode)).toBe('461C2B4266EDEF444B864AD6D9E5B613');
  });

  it('uses a permutation that is its own inverse, so the scripts unpack with the same table', () => {
    expect([...PACKED_GUID_ORDER].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    for (const [index, target] of PACKED_GUID_ORDER.entries()) expect(PACKED_GUID_ORDER[target]).toBe(index);
    const packed = packGuid('{0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9}');
    const repacked = packGuid(
      `{${packed.slice(0, 8)}-${packed.slice(8, 12)}-${packed.slice(12, 16)}-${packed.slice(16, 20)}-${packed.slice(20)}}`,
    );
    expect(repacked).toBe('0A1B2C3D4E5F60718293A4B5C6D7E8F9');
  });

  it('refuses anything that is not a braced GUID', () => {
    expect(() => packGuid('24B2C164-DE66-44FE-B468-A46D9D5E6B31')).toThrow(TypeError);
  });
});
