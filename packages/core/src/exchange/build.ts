import { InvalidBuildError } from '../errors.js';

/** A four-part Exchange file version, e.g. 8.1.340.1 (ExSetup.exe's FileVersion). */
export interface Build {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  readonly revision: number;
}

const BUILD_PATTERN = /^(\d{1,5})\.(\d{1,5})\.(\d{1,5})\.(\d{1,5})$/;
// Windows file versions are four 16-bit numbers.
const MAX_PART = 65535;

/** Parses `8.1.340.1` or the zero-padded `08.01.0340.001`; returns undefined for anything else. */
export function tryParseBuild(text: string): Build | undefined {
  const match = BUILD_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const parts = match.slice(1, 5).map(Number);
  if (parts.some((part) => part > MAX_PART)) return undefined;
  const [major = 0, minor = 0, build = 0, revision = 0] = parts;
  return { major, minor, build, revision };
}

/** Parses a build string; throws InvalidBuildError if it is not a four-part version. */
export function parseBuild(text: string): Build {
  const parsed = tryParseBuild(text);
  if (!parsed) throw new InvalidBuildError(text);
  return parsed;
}

/** The short form, `8.1.340.1`. */
export function formatBuild(build: Build): string {
  return `${build.major}.${build.minor}.${build.build}.${build.revision}`;
}

/** The zero-padded form Exchange tools print, `08.01.0340.001`. */
export function formatBuildLong(build: Build): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(build.major, 2)}.${pad(build.minor, 2)}.${pad(build.build, 4)}.${pad(build.revision, 3)}`;
}

/** Orders two builds: negative if a is older, positive if newer, 0 if equal. */
export function compareBuilds(a: Build, b: Build): number {
  return a.major - b.major || a.minor - b.minor || a.build - b.build || a.revision - b.revision;
}

/** True when two build strings name the same version, whatever their padding. */
export function sameBuild(a: string, b: string): boolean {
  const left = tryParseBuild(a);
  const right = tryParseBuild(b);
  return left !== undefined && right !== undefined && compareBuilds(left, right) === 0;
}

/** The one form a build is stored and shown in, `8.1.340.1`; text that is not a build comes back trimmed. */
export function canonicalBuild(text: string): string {
  const parsed = tryParseBuild(text);
  return parsed ? formatBuild(parsed) : text.trim();
}

/** Normalises a build string to its short form; throws InvalidBuildError if it is not a build. */
export function normalizeBuild(text: string): string {
  return formatBuild(parseBuild(text));
}
