import { CliError } from '../errors.js';
import { readJsonFile } from '../io.js';
import { toRole } from '../options.js';

/** Flags of `rollouts create`. */
export interface CreateOptions {
  readonly policy?: string;
  readonly concurrency?: number;
  readonly sha256?: string;
  /** SHA-256 of stored packages (`packages list`), one per architecture. */
  readonly package?: string[];
  /** Take the newest stored package of the update per architecture. */
  readonly fromStore?: boolean;
  readonly approval?: boolean;
  readonly soak?: number;
  readonly budget?: number;
  readonly update?: string;
  readonly servers?: string[];
  readonly sites?: string[];
  readonly roles?: string[];
}

/** The body of POST /api/v1/rollouts: the policy file (if any) overridden by the flags, and the selection. */
export async function createBody(options: CreateOptions): Promise<Record<string, unknown>> {
  const base = options.policy ? await policyFile(options.policy) : {};
  const fromStore = options.fromStore === true || (options.package?.length ?? 0) > 0;
  if (!options.policy && options.sha256 === undefined && !fromStore)
    throw new CliError(
      'CLI_ERR_USAGE',
      'give --from-store, --package SHA256, --policy FILE or --sha256 HEX (the rollout needs its package)',
    );
  if (fromStore && options.sha256 !== undefined)
    throw new CliError(
      'CLI_ERR_USAGE',
      '--sha256 names a package staged by other means: not with --from-store or --package',
    );
  if (options.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(options.sha256))
    throw new CliError('CLI_ERR_USAGE', '--sha256 must be 64 hexadecimal digits');
  const policy: Record<string, unknown> = {
    ...base,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.sha256 !== undefined ? { packageSha256: { x64: options.sha256.toLowerCase() } } : {}),
    ...(options.approval !== undefined ? { approvalRequired: options.approval } : {}),
    ...(options.soak !== undefined ? { soakSeconds: options.soak } : {}),
    ...(options.budget !== undefined ? { failureBudget: { overall: { count: options.budget } } } : {}),
  };
  const selection = {
    ...(options.servers ? { names: options.servers } : {}),
    ...(options.sites ? { sites: options.sites } : {}),
    ...(options.roles ? { roles: options.roles.map(toRole) } : {}),
  };
  return {
    ...(options.update ? { update: options.update } : {}),
    ...(Object.keys(selection).length > 0 ? { selection } : {}),
    policy,
  };
}

async function policyFile(path: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(path);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError('CLI_ERR_USAGE', `${path} must hold a JSON object (the rollout policy)`);
  return value as Record<string, unknown>;
}
