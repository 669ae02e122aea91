import Type, { type Static } from 'typebox';
import type { UpdatePackage, UpdateRollup } from './catalog.js';

const SHA256 = { pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256 of the file.' } as const;

/** A package kept in the server's package store: an update's .msp, named by its SHA-256. */
export const StoredPackage = Type.Object(
  {
    sha256: Type.String(SHA256),
    file: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'The .msp file name, as the catalog names it.',
    }),
    size: Type.Integer({ minimum: 1, description: 'Size in bytes.' }),
    update: Type.String({
      minLength: 1,
      maxLength: 32,
      description: 'The update it belongs to, `KB959241`.',
    }),
    architecture: Type.Enum(['x64', 'x86']),
    uploadedAt: Type.String({ format: 'date-time' }),
    uploadedBy: Type.String({ maxLength: 128, description: 'The name of the admin token that uploaded it.' }),
  },
  { additionalProperties: false },
);
export type StoredPackage = Static<typeof StoredPackage>;

/** The package store's content, newest upload first. */
export const PackageList = Type.Object(
  { packages: Type.Array(StoredPackage) },
  { additionalProperties: false },
);
export type PackageList = Static<typeof PackageList>;

/** Packages a rollout takes from the store, by architecture: the SHA-256 of a stored package each. */
export const RolloutPackages = Type.Object(
  { x64: Type.Optional(Type.String(SHA256)), x86: Type.Optional(Type.String(SHA256)) },
  { additionalProperties: false },
);
export type RolloutPackages = Static<typeof RolloutPackages>;

/** The first eight bytes of an OLE compound file, which every Windows Installer package (.msi, .msp) is. */
export const MSP_SIGNATURE: readonly number[] = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** The catalog package of `update` a file name stands for (case-insensitive, as Windows compares), if any. */
export function catalogPackage(update: UpdateRollup, file: string): UpdatePackage | undefined {
  return update.packages.find((pkg) => pkg.file.toLowerCase() === file.toLowerCase());
}

/** Why an uploaded file is not a package of `update` (name, size, signature), or undefined if it is one. */
export function packageProblem(
  update: UpdateRollup,
  file: string,
  size: number,
  head: readonly number[],
): string | undefined {
  const pkg = catalogPackage(update, file);
  if (!pkg)
    return `${file} is not a package of ${update.id}; its packages are ${update.packages.map((p) => p.file).join(', ')}`;
  if (size === 0) return `${file} is empty`;
  if (size > pkg.maxBytes)
    return `${file} is ${size} bytes, over the ${pkg.maxBytes} a Windows Installer package can be`;
  if (!MSP_SIGNATURE.every((byte, index) => head[index] === byte))
    return `${file} is not a Windows Installer patch: it does not begin with the OLE compound file signature D0 CF 11 E0 A1 B1 1A E1`;
  return undefined;
}

const MIB = 1_048_576;

/**
 * Free space (MB) the system drive needs before an install: the policy's margin, plus about twice the package's
 * size, which the rollup's installer needs while it runs (it unpacks and caches the patch).
 */
export function installFreeMb(minFreeMb: number, packageBytes: number | undefined): number {
  return packageBytes === undefined ? minFreeMb : minFreeMb + 2 * Math.ceil(packageBytes / MIB);
}

/** Free space (bytes) the package folder needs to stage a package: the rest of the file, plus the install's twice. */
export function stageFreeBytes(packageBytes: number, alreadyStaged: number): number {
  return packageBytes - alreadyStaged + 2 * packageBytes;
}
