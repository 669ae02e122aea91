import { findUpdate, type RolloutPackages } from '@exrollout/core';
import { packageNotStored, packageStoreDisabled } from '../errors.js';
import type { PackageStore } from './store.js';

/**
 * The policy a rollout is created with once the packages it names from the store are checked (each a stored
 * package of this update and of the architecture it is named for) and written into its `packageSha256`.
 */
export async function withStoredPackages(
  store: PackageStore | undefined,
  updateId: string,
  packages: RolloutPackages | undefined,
  policy: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (packages === undefined) return policy;
  if (!store) throw packageStoreDisabled();
  if (policy.packageSha256 !== undefined)
    throw packageNotStored(
      'give the packages either from the store (packages) or by hash (policy.packageSha256), not both',
    );
  const update = findUpdate(updateId);
  const hashes: Record<string, string> = {};
  const sizes: Record<string, number> = {};
  for (const architecture of ['x64', 'x86'] as const) {
    const sha256 = packages[architecture];
    if (sha256 === undefined) continue;
    const found = await store.get(sha256);
    if (!found)
      throw packageNotStored(`packages.${architecture}: no package ${sha256} in the store; upload it first`);
    if (found.update !== update.id || found.architecture !== architecture)
      throw packageNotStored(
        `packages.${architecture}: ${sha256} is ${found.file} (${found.update}, ${found.architecture}), not the ${architecture} package of ${update.id}`,
      );
    hashes[architecture] = sha256;
    sizes[architecture] = found.size;
  }
  return { ...policy, packageSha256: hashes, packageBytes: sizes };
}
