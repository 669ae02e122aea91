import { findUpdate, type PackageList, type RolloutPackages, type StoredPackage } from '@exrollout/core';
import type { ApiClient } from '../api/client.js';
import { CliError } from '../errors.js';

/**
 * The `packages` of a rollout's body: the stored packages named by `--package`, or with `--from-store` the newest
 * stored package of the update for each architecture; undefined when neither flag is given.
 */
export async function rolloutPackages(
  api: ApiClient,
  options: { package?: string[]; fromStore?: boolean; update?: string },
): Promise<RolloutPackages | undefined> {
  const named = options.package ?? [];
  if (named.length === 0 && options.fromStore !== true) return undefined;
  const update = findUpdate(options.update ?? 'KB959241');
  const chosen: RolloutPackages = {};
  if (named.length > 0) {
    for (const sha256 of named) {
      const stored = (await api.get(
        `/api/v1/packages/${encodeURIComponent(sha256.toLowerCase())}`,
      )) as StoredPackage;
      if (chosen[stored.architecture])
        throw new CliError('CLI_ERR_USAGE', `--package: two ${stored.architecture} packages given`);
      chosen[stored.architecture] = stored.sha256;
    }
    return chosen;
  }
  const { packages } = (await api.get('/api/v1/packages')) as PackageList;
  for (const stored of packages)
    if (stored.update === update.id && !chosen[stored.architecture])
      chosen[stored.architecture] = stored.sha256;
  if (!chosen.x64 && !chosen.x86)
    throw new CliError(
      'CLI_ERR_USAGE',
      `--from-store: the store holds no package of ${update.id}; upload one with exrollout packages add FILE`,
    );
  return chosen;
}
