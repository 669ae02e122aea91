import { describe, expect, it } from 'vitest';
import {
  canonicalBuild,
  compareBuilds,
  formatBuild,
  formatBuildLong,
  normalizeBuild,
  parseBuild,
  sameBuild,
  tryParseBuild,
} from './build.js';

describe('builds', () => {
  it('reads the short and the zero-padded form as the same build', () => {
    expect(sameBuild('08.01.0340.001', '8.1.340.1')).toBe(true);
    expect(normalizeBuild('08.01.0340.001')).toBe('8.1.340.1');
    expect(formatBuildLong(parseBuild('8.1.340.1'))).toBe('08.01.0340.001');
  });

  it('gives every build one canonical form, and leaves text that is not a build as it is (trimmed)', () => {
    expect(canonicalBuild('08.01.0278.002')).toBe('8.1.278.2');
    expect(canonicalBuild(' 8.1.340.1 ')).toBe('8.1.340.1');
    expect(canonicalBuild('8.1.340.1')).toBe('8.1.340.1');
    expect(canonicalBuild(' 8.1.x ')).toBe('8.1.x');
  });

  it('orders builds part by part, numerically', () => {
    expect(compareBuilds(parseBuild('8.1.336.1'), parseBuild('8.1.340.1'))).toBeLessThan(0);
    expect(compareBuilds(parseBuild('8.1.1000.0'), parseBuild('8.1.999.9'))).toBeGreaterThan(0);
    expect(compareBuilds(parseBuild('8.2.0.0'), parseBuild('8.1.999.999'))).toBeGreaterThan(0);
  });

  it('refuses anything that is not four numbers of at most 65535', () => {
    for (const text of ['8.1.340', '8.1.340.1.0', 'v8.1.340.1', '8.1.340.x', '', '8.1.65536.0'])
      expect(tryParseBuild(text)).toBeUndefined();
    expect(() => parseBuild('8.1')).toThrow(expect.objectContaining({ code: 'CORE_ERR_BUILD_INVALID' }));
    expect(formatBuild(parseBuild(' 8.1.340.1 '))).toBe('8.1.340.1');
  });
});
