/** Exit codes of the `exrollout` command, documented in docs/cli.md. */
export const EXIT = Object.freeze({
  /** The command did what was asked. */
  OK: 0,
  /** Something unexpected went wrong inside exrollout (a bug): the message says what. */
  INTERNAL: 1,
  /** Bad usage or bad input (flags, files, inventory): nothing was done. */
  USAGE: 2,
});

/** Base class of the CLI's own errors; each carries a stable code and the exit code it maps to. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT.USAGE,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A file named on the command line could not be read. */
export class InputFileError extends CliError {
  constructor(path: string, cause: unknown) {
    super('CLI_ERR_INPUT_READ', `cannot read ${path}: ${describeFsError(cause)}`, EXIT.USAGE, { cause });
  }
}

/** A file named on the command line is not valid JSON. */
export class InputJsonError extends CliError {
  constructor(path: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('CLI_ERR_INPUT_JSON', `${path} is not valid JSON: ${detail}`, EXIT.USAGE, { cause });
  }
}

function describeFsError(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return cause instanceof Error ? cause.message : String(cause);
}
