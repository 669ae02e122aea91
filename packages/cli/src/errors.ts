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

/** Exit codes of the commands that talk to the server, documented in docs/cli.md. */
export const API_EXIT = Object.freeze({
  /** The server refused the request (a 4xx answer): nothing was done. */
  REFUSED: 3,
  /** The server could not be reached. */
  UNREACHABLE: 4,
  /** A watched rollout completed, but some of its servers failed. */
  FAILURES: 5,
});

/** The server refused a request (4xx); the message is the API's own `CODE: message`. */
export class ApiRefusedError extends CliError {
  constructor(
    readonly status: number,
    readonly apiCode: string,
    readonly apiMessage: string,
  ) {
    super('CLI_ERR_API_REFUSED', `${apiCode}: ${apiMessage}`, API_EXIT.REFUSED);
  }
}

/** The server failed (5xx) or answered something that is not the API's JSON. */
export class ApiFailedError extends CliError {
  constructor(url: string, detail: string) {
    super('CLI_ERR_API_FAILED', `the exrollout server at ${url} failed: ${detail}`, EXIT.INTERNAL);
  }
}

/** The server could not be reached at all (refused connection, unknown host, timeout). */
export class ServerUnreachableError extends CliError {
  constructor(url: string, cause: unknown) {
    super(
      'CLI_ERR_SERVER_UNREACHABLE',
      `cannot reach the exrollout server at ${url}: ${reason(cause)}`,
      API_EXIT.UNREACHABLE,
      { cause },
    );
  }
}

/** `--server` or EXROLLOUT_SERVER is not an http(s) URL. */
export class ServerUrlError extends CliError {
  constructor(url: string) {
    super('CLI_ERR_SERVER_URL_INVALID', `server URL "${url}" is not an http:// or https:// URL`, EXIT.USAGE);
  }
}

/** A watched rollout stopped in a state other than completed or rolled-back. */
export class RolloutStoppedError extends CliError {
  constructor(id: string, state: string, why: string | null) {
    super(
      'CLI_ERR_ROLLOUT_STOPPED',
      `rollout ${id} stopped: ${state}${why ? ` (${why})` : ''}`,
      API_EXIT.REFUSED,
    );
  }
}

/** A watched rollout completed with failures: every wave finished, but some servers failed (within the budget). */
export class RolloutFailuresError extends CliError {
  constructor(id: string, reason: string | null) {
    super(
      'CLI_ERR_ROLLOUT_FAILURES',
      `rollout ${id} completed with failures${reason ? `: ${reason}` : ''}`,
      API_EXIT.FAILURES,
    );
  }
}

/** A process to start (`exrollout server`, `exrollout agent`) cannot be found. */
export class ProcessNotFoundError extends CliError {
  constructor(pkg: string, cause: unknown) {
    super('CLI_ERR_PROCESS_NOT_FOUND', `cannot find ${pkg}: ${reason(cause)}`, EXIT.INTERNAL, { cause });
  }
}

function reason(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (inner && typeof inner.code === 'string') return inner.code;
  if (inner && typeof inner.message === 'string') return inner.message;
  return cause instanceof Error ? cause.message : String(cause);
}

/** A program the demo or the tests need is missing and exrollout may not install it: the message is the one command. */
export class ToolMissingError extends CliError {
  constructor(code: 'CLI_ERR_REDIS_MISSING' | 'CLI_ERR_TOOL_MISSING', message: string) {
    super(code, message, EXIT.USAGE);
  }
}

/** Installing a missing program failed; the message gives the command to run by hand and why it failed. */
export class InstallFailedError extends CliError {
  constructor(what: string, command: string, why: string) {
    super(
      'CLI_ERR_INSTALL_FAILED',
      `installing ${what} failed (${why}); run it by hand: ${command}`,
      EXIT.USAGE,
    );
  }
}
