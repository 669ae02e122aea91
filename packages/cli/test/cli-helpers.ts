import { runCli } from '../src/run.js';

/** What one in-process run of the CLI printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process against a server, with captured streams and a fast poll interval. */
export async function cli(server: { url: string }, token: string, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    },
    { env: { EXROLLOUT_SERVER: server.url, EXROLLOUT_TOKEN: token }, isTTY: false, pollMs: 100 },
  );
  return { code, stdout, stderr };
}

/** Parses the JSON a `--json` run printed. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}
