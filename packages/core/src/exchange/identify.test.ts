import { describe, expect, it } from 'vitest';
import { compareBuilds, parseBuild, tryParseBuild } from './build.js';
import { type BuildIdentity, findRelease, identifyBuild, releaseLabel } from './identify.js';
import { EXCHANGE_2007_LINES, EXCHANGE_2007_RELEASES, type ExchangeRelease } from './releases.js';

/** The release a build was identified as, or a failure naming what was found instead. */
function identified(text: string): { release: ExchangeRelease; exact: boolean } {
  const identity: BuildIdentity = identifyBuild(text);
  if (identity.kind !== 'release') throw new Error(`expected ${text} to be a release, got ${identity.kind}`);
  return { release: identity.release, exact: identity.exact };
}

/** The label of the release a build was identified as. */
const labelOf = (text: string): string => releaseLabel(identified(text).release);

const sp1Rollups = EXCHANGE_2007_RELEASES.filter((release) => release.line === 'SP1' && release.rollup > 0);

describe('identifyBuild', () => {
  it('recognises every catalogued release by its exact build', () => {
    expect(identified('8.1.340.1')).toEqual({
      release: expect.objectContaining({ line: 'SP1', rollup: 6, revision: 1, build: '8.1.340.1' }),
      exact: true,
    });
    expect(labelOf('8.0.685.25')).toBe('RTM');
    expect(labelOf('8.0.813.0')).toBe('RTM RU7');
    expect(labelOf('8.1.240.6')).toBe('SP1');
    expect(labelOf('8.1.336.1')).toBe('SP1 RU5');
    expect(labelOf('8.2.176.2')).toBe('SP2');
    expect(labelOf('8.3.83.6')).toBe('SP3');
    expect(labelOf('8.3.517.0')).toBe('SP3 RU23');
    for (const release of EXCHANGE_2007_RELEASES)
      expect(identifyBuild(release.build)).toEqual({ kind: 'release', release, exact: true });
  });

  it('reads the zero-padded form that Exchange tools print as the same release', () => {
    expect(identified('08.01.0340.001')).toEqual(identified('8.1.340.1'));
    expect(identified('08.01.0340.001').exact).toBe(true);
    expect(labelOf('08.00.0685.025')).toBe('RTM');
  });

  it('accepts surrounding whitespace, as pasted from a console', () => {
    expect(identified(' 8.1.340.1 ')).toEqual({ release: identified('8.1.340.1').release, exact: true });
  });

  it('treats RTM reported as 8.0.685.24 (KB 947168) as RTM, but not as an exact match', () => {
    const { release, exact } = identified('8.0.685.24');
    expect(release).toMatchObject({ line: 'RTM', rollup: 0, build: '8.0.685.25' });
    expect(exact).toBe(false);
  });

  it('tells the re-releases of SP3 RU8 apart: v1, v2 and v3', () => {
    expect(identified('8.3.279.3')).toEqual({
      release: expect.objectContaining({ line: 'SP3', rollup: 8, revision: 1 }),
      exact: true,
    });
    expect(identified('8.3.279.5')).toEqual({
      release: expect.objectContaining({ line: 'SP3', rollup: 8, revision: 2 }),
      exact: true,
    });
    expect(identified('8.3.279.6')).toEqual({
      release: expect.objectContaining({ line: 'SP3', rollup: 8, revision: 3 }),
      exact: true,
    });
    expect(labelOf('8.3.279.5')).toBe('SP3 RU8 v2');
    expect(labelOf('8.3.279.6')).toBe('SP3 RU8 v3');
    expect(labelOf('8.3.159.2')).toBe('SP3 RU3 v2');
  });

  it('matches a revision between two re-releases to the nearest earlier one, not exactly', () => {
    expect(identified('8.3.279.4')).toEqual({
      release: expect.objectContaining({ rollup: 8, revision: 1 }),
      exact: false,
    });
    expect(identified('8.3.279.9')).toEqual({
      release: expect.objectContaining({ rollup: 8, revision: 3 }),
      exact: false,
    });
  });

  it('reports an SP1 build that matches no release as unknown within SP1', () => {
    expect(identifyBuild('8.1.999.0')).toEqual({ kind: 'unknown-in-line', line: 'SP1' });
    expect(identifyBuild('8.1.300.0')).toEqual({ kind: 'unknown-in-line', line: 'SP1' });
  });

  it('does not take Exchange 2010 (14.0.639.21) or an unknown 8.x minor for Exchange 2007', () => {
    expect(identifyBuild('14.0.639.21')).toEqual({ kind: 'not-exchange-2007' });
    expect(identifyBuild('8.4.100.0')).toEqual({ kind: 'not-exchange-2007' });
  });

  it('calls anything that is not a four-part version invalid', () => {
    for (const text of ['', 'latest', '8.1.340', '8.1.340.1.0', 'v8.1.340.1', '8.1.340.x', '8.1.65536.0'])
      expect(identifyBuild(text), text).toEqual({ kind: 'invalid' });
  });
});

describe('releaseLabel', () => {
  it('names a service pack by its line and a rollup by line and number', () => {
    expect(
      releaseLabel({ line: 'SP1', rollup: 0, revision: 1, build: '8.1.240.6', released: '2007-11-29' }),
    ).toBe('SP1');
    expect(
      releaseLabel({ line: 'SP1', rollup: 6, revision: 1, build: '8.1.340.1', released: '2009-02-10' }),
    ).toBe('SP1 RU6');
  });

  it('adds the re-release number only from the second release on', () => {
    expect(
      releaseLabel({ line: 'SP3', rollup: 8, revision: 1, build: '8.3.279.3', released: '2012-08-13' }),
    ).toBe('SP3 RU8');
    expect(
      releaseLabel({ line: 'SP3', rollup: 8, revision: 3, build: '8.3.279.6', released: '2012-11-13' }),
    ).toBe('SP3 RU8 v3');
  });
});

describe('the Exchange 2007 release catalog', () => {
  it('lists SP1 Update Rollups 1 to 10, once each', () => {
    expect(sp1Rollups.map((release) => release.rollup)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('has SP1 RU6 as build 8.1.340.1, KB 959241, released 10 Feb 2009', () => {
    expect(findRelease('SP1', 6)).toEqual({
      line: 'SP1',
      rollup: 6,
      revision: 1,
      build: '8.1.340.1',
      released: '2009-02-10',
      kb: '959241',
    });
  });

  it('knows the KB numbers of SP1 RU1-RU5, the rollups RU6 supersedes', () => {
    expect([1, 2, 3, 4, 5].map((rollup) => findRelease('SP1', rollup)?.kb)).toEqual([
      '945684',
      '948016',
      '949870',
      '952580',
      '953467',
    ]);
  });

  it('holds only builds that parse', () => {
    for (const release of EXCHANGE_2007_RELEASES)
      expect(tryParseBuild(release.build), `${releaseLabel(release)} ${release.build}`).toBeDefined();
  });

  it('puts every build on its own line (8.0 RTM, 8.1 SP1, 8.2 SP2, 8.3 SP3)', () => {
    for (const release of EXCHANGE_2007_RELEASES) {
      const build = parseBuild(release.build);
      expect(build.major, release.build).toBe(8);
      expect(EXCHANGE_2007_LINES.find((entry) => entry.minor === build.minor)?.line, release.build).toBe(
        release.line,
      );
    }
  });

  it('lists builds in strictly increasing order within each line', () => {
    for (const { line } of EXCHANGE_2007_LINES) {
      const builds = EXCHANGE_2007_RELEASES.filter((release) => release.line === line).map((release) =>
        parseBuild(release.build),
      );
      expect(builds.length, line).toBeGreaterThan(0);
      builds.slice(1).forEach((build, i) => {
        const previous = builds[i];
        if (!previous) throw new Error('unreachable');
        expect(compareBuilds(previous, build), `${line} #${i + 1}`).toBeLessThan(0);
      });
    }
  });

  it('numbers rollups in order within each line, re-releases sharing their rollup number', () => {
    for (const { line } of EXCHANGE_2007_LINES) {
      const releases = EXCHANGE_2007_RELEASES.filter((release) => release.line === line);
      expect(releases[0]?.rollup, line).toBe(0);
      releases.slice(1).forEach((release, i) => {
        const previous = releases[i];
        if (!previous) throw new Error('unreachable');
        if (release.rollup === previous.rollup) expect(release.revision).toBe(previous.revision + 1);
        else expect([release.rollup, release.revision]).toEqual([previous.rollup + 1, 1]);
      });
    }
  });
});
