import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run.js';

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe("the argument parser's errors", () => {
  it('carry the exrollout: prefix like every other error, and exit 2', async () => {
    const missing = await run('plan');
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "exrollout: required option '-i, --inventory <file>' not specified\n(run with --help for usage)\n",
    });
    const unknown = await run('rollouts', 'list', '--nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^exrollout: unknown option '--nope'\n/);
    expect((await run('nope')).stderr).toMatch(/^exrollout: unknown command 'nope'\n/);
  });

  it('with --json are one JSON object on stderr, code CLI_ERR_USAGE', async () => {
    const result = await run('servers', 'list', '--json', '--frobnicate');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'CLI_ERR_USAGE', message: "unknown option '--frobnicate'" },
    });
  });

  it('list the valid waves for a wrong --wave, before calling the server', async () => {
    const result = await run('rollouts', 'rollback', 'r-1', '--reason', 'x', '--wave', 'nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^exrollout: option '--wave <name>' argument 'nope' is invalid\. Allowed choices are cas-internet-facing, cas-internal, remaining\.\n/,
    );
  });

  it('leave help and the version on stdout, exit 0', async () => {
    expect(await run('--version')).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    expect((await run('rollouts', '--help')).stdout).toMatch(/^Usage: exrollout rollouts/);
  });
});
