import { CoreError, InventoryError } from '@exrollout/core';
import { type CliEnvironment, createContext } from './context.js';
import { ApiRefusedError, CliError, EXIT } from './errors.js';
import type { Output } from './io.js';
import { buildProgram, isCommanderExit } from './program.js';

/** Runs the CLI with arguments (without `node` and the script) and returns the exit code. */
export async function runCli(
  args: readonly string[],
  out: Output,
  environment: CliEnvironment = {},
): Promise<number> {
  const json = args.includes('--json');
  const context = createContext(out, environment);
  try {
    await buildProgram(context, json).parseAsync([...args], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (isCommanderExit(error)) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return reportError(error, out, json);
  }
}

function reportError(error: unknown, out: Output, json: boolean): number {
  const known = error instanceof CliError || error instanceof CoreError;
  const exitCode = error instanceof CliError ? error.exitCode : known ? EXIT.USAGE : EXIT.INTERNAL;
  const code = known ? error.code : 'CLI_ERR_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const issues = error instanceof InventoryError ? { issues: error.issues } : {};
    const api =
      error instanceof ApiRefusedError
        ? { status: error.status, api: { code: error.apiCode, message: error.apiMessage } }
        : {};
    out.stderr.write(`${JSON.stringify({ error: { code, message, ...issues, ...api } })}\n`);
  } else {
    const detail = known ? message : `internal error: ${error instanceof Error ? error.stack : message}`;
    out.stderr.write(`exrollout: ${detail}\n`);
  }
  return exitCode;
}
