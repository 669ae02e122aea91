import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  readonly engines?: unknown;
}

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
};

// `npm ci` warns EBADENGINE for every installed package whose engines.node refuses the running Node: the
// promise in package.json (and README) holds only if each package admits every version the promise names.
const nodeRange = (entry: LockEntry): string | undefined => {
  const engines = entry.engines as { node?: unknown } | undefined;
  return typeof engines?.node === 'string' ? engines.node : undefined;
};

describe('the Node versions exrollout promises', () => {
  const promised = manifest.engines.node;

  it('start at Node 20, as the README says, and are the range the lock file records', () => {
    expect(semver.minVersion(promised)?.major).toBe(20);
    expect(nodeRange(lock.packages[''] ?? {})).toBe(promised);
  });

  it('are admitted by the engines.node of every package in package-lock.json (no EBADENGINE on npm ci)', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = nodeRange(entry);
      return path && range && !semver.subset(promised, range) ? [`${path}: node ${range}`] : [];
    });
    expect(refusing).toEqual([]);
  });
});
