import { type Build, compareBuilds, parseBuild, tryParseBuild } from './build.js';
import {
  EXCHANGE_2007_LINES,
  EXCHANGE_2007_MAJOR,
  EXCHANGE_2007_RELEASES,
  type ExchangeLine,
  type ExchangeRelease,
} from './releases.js';

/** What the catalog knows of a build a server reported. */
export type BuildIdentity =
  /** A catalogued release; `exact` is false when only the revision differs (KB 947168 shows 8.0.685.24 for RTM). */
  | { readonly kind: 'release'; readonly release: ExchangeRelease; readonly exact: boolean }
  /** An Exchange 2007 build on a known line that matches no catalogued release. */
  | { readonly kind: 'unknown-in-line'; readonly line: ExchangeLine }
  /** A valid version that is not Exchange 2007 (another major version, or an unknown minor). */
  | { readonly kind: 'not-exchange-2007' }
  /** A string that is not a four-part version at all. */
  | { readonly kind: 'invalid' };

const releaseBuilds = EXCHANGE_2007_RELEASES.map((release) => ({
  release,
  build: parseBuild(release.build),
}));

/** The line (RTM, SP1, SP2, SP3) a build belongs to, or undefined if it is not Exchange 2007. */
export function lineOfBuild(build: Build): ExchangeLine | undefined {
  if (build.major !== EXCHANGE_2007_MAJOR) return undefined;
  return EXCHANGE_2007_LINES.find((entry) => entry.minor === build.minor)?.line;
}

/** Looks a build string up in the Exchange 2007 release catalog. */
export function identifyBuild(text: string): BuildIdentity {
  const build = tryParseBuild(text);
  if (!build) return { kind: 'invalid' };
  const line = lineOfBuild(build);
  if (!line) return { kind: 'not-exchange-2007' };
  const sameThreeParts = releaseBuilds.filter(
    (entry) => entry.build.minor === build.minor && entry.build.build === build.build,
  );
  const exact = sameThreeParts.find((entry) => compareBuilds(entry.build, build) === 0);
  if (exact) return { kind: 'release', release: exact.release, exact: true };
  // Nearest catalogued revision at or below the reported one, else the first: v2/v3 re-releases share a build.
  const nearest =
    sameThreeParts.filter((entry) => entry.build.revision <= build.revision).at(-1) ?? sameThreeParts[0];
  if (nearest) return { kind: 'release', release: nearest.release, exact: false };
  return { kind: 'unknown-in-line', line };
}

/** A short human label for a release: `RTM`, `SP1`, `SP1 RU6`, `SP3 RU8 v2`. */
export function releaseLabel(release: ExchangeRelease): string {
  const base = release.rollup === 0 ? release.line : `${release.line} RU${release.rollup}`;
  return release.revision > 1 ? `${base} v${release.revision}` : base;
}

/** The catalogued release of a line with a given rollup number (its first revision), if any. */
export function findRelease(line: ExchangeLine, rollup: number): ExchangeRelease | undefined {
  return EXCHANGE_2007_RELEASES.find((release) => release.line === line && release.rollup === rollup);
}

/** Orders two lines: negative if a came before b. */
export function compareLines(a: ExchangeLine, b: ExchangeLine): number {
  const order = (line: ExchangeLine) => EXCHANGE_2007_LINES.findIndex((entry) => entry.line === line);
  return order(a) - order(b);
}
