/** One problem found in an inventory: which server, which field, and what is wrong with it. */
export interface InventoryIssue {
  /** Position of the server in `servers`, when the problem belongs to one record. */
  readonly index?: number;
  /** The server's name, when the record has a readable one. */
  readonly server?: string;
  /** The field at fault, as a path inside the server record (`build`, `cluster.role`), or `servers`. */
  readonly field: string;
  /** What is wrong, in words a person can act on. */
  readonly message: string;
}

/** Base class of every error thrown by `@exrollout/core`; match on `code`, never on the message. */
export abstract class CoreError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A build string that is not a four-part version such as `8.1.340.1` or `08.01.0340.001`. */
export class InvalidBuildError extends CoreError {
  readonly code = 'CORE_ERR_BUILD_INVALID';

  constructor(readonly input: string) {
    super(`"${input}" is not a build number: expected four dot-separated numbers such as 8.1.340.1`);
  }
}

/** An update identifier that the update catalog does not hold. */
export class UnknownUpdateError extends CoreError {
  readonly code = 'CORE_ERR_UPDATE_UNKNOWN';

  constructor(
    readonly input: string,
    readonly known: readonly string[],
  ) {
    super(`unknown update "${input}"; known updates: ${known.join(', ')}`);
  }
}

/** An inventory that breaks its schema or its consistency rules; `issues` lists every problem found. */
export class InventoryError extends CoreError {
  readonly code = 'CORE_ERR_INVENTORY_INVALID';

  constructor(readonly issues: readonly InventoryIssue[]) {
    super(
      `invalid inventory (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map(formatInventoryIssue).join('\n')}`,
    );
  }
}

/** A selection that names servers the inventory does not hold: a typo would otherwise patch nothing, silently. */
export class SelectionError extends CoreError {
  readonly code = 'CORE_ERR_SELECTION_UNKNOWN_SERVER';

  constructor(readonly unknownNames: readonly string[]) {
    super(`the selection names servers that are not in the inventory: ${unknownNames.join(', ')}`);
  }
}

/** Renders an inventory issue as one line: `servers[3] "CAS01": build: must be ...`. */
export function formatInventoryIssue(issue: InventoryIssue): string {
  const where = issue.index === undefined ? '' : `servers[${issue.index}]`;
  const who = issue.server === undefined ? '' : ` "${issue.server}"`;
  const prefix = where || who ? `${where}${who}: ` : '';
  return `${prefix}${issue.field}: ${issue.message}`;
}

/** Compile-time proof that a `switch` handled every case; throws if reached at run time. */
export function assertExhaustive(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
