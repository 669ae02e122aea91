import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PowerShellRunner, RunOptions, RunResult } from '../../src/drivers/windows/runner.js';
import { DriverError } from '../../src/errors.js';
import { findPwsh } from '../pwsh.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The stub host's powershell.exe, for EXROLLOUT_POWERSHELL: one pwsh process per script, as the agent runs it. */
export const STUB_POWERSHELL = join(HERE, 'stub-powershell');

interface Pending {
  readonly resolve: (result: RunResult) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One pwsh process that runs scripts on stub hosts one after another (serve.ps1), each in a runspace of its own:
 * a second of start-up paid once instead of once per script.
 */
export class StubPowerShellPool {
  #child: ChildProcessWithoutNullStreams | undefined;
  #waiting: Pending[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  /** Runs one script on the stub host in `root`; scripts run in the order they were given. */
  run(root: string, script: string, options: RunOptions): Promise<RunResult> {
    const result = this.#queue.then(() => this.#runNow(root, script, options));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the pwsh process. */
  async close(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    child.stdin.end();
    await new Promise((resolve) => child.once('close', resolve));
  }

  #runNow(root: string, script: string, options: RunOptions): Promise<RunResult> {
    if (options.signal.aborted) return Promise.reject(new DriverError('AGENT_ERR_DRIVER_ABORTED', 'aborted'));
    const child = this.#start();
    return new Promise<RunResult>((resolve, reject) => {
      const stop = (error: DriverError) => {
        this.#child = undefined;
        child.kill('SIGKILL');
        reject(error);
      };
      const timer = setTimeout(
        () =>
          stop(
            new DriverError('AGENT_ERR_DRIVER_TIMEOUT', `the script ran longer than ${options.timeoutMs} ms`),
          ),
        options.timeoutMs,
      );
      const onAbort = () => stop(new DriverError('AGENT_ERR_DRIVER_ABORTED', 'the script was aborted'));
      options.signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push({
        resolve: (result) => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', onAbort);
          for (const line of result.stdout.split('\n')) if (line) options.onLine?.(line);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const request = { root, script: Buffer.from(script, 'utf8').toString('base64') };
      child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  #start(): ChildProcessWithoutNullStreams {
    if (this.#child) return this.#child;
    const pwsh = findPwsh();
    // The stub runs a hook as powershell.exe -File runs it on a server: in a PowerShell process of its own.
    const child = spawn(pwsh, ['-NoProfile', '-NonInteractive', '-File', join(HERE, 'serve.ps1')], {
      stdio: 'pipe',
      env: { ...process.env, EXR_PWSH: pwsh },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as { stdout: string; stderr: string };
      this.#waiting.shift()?.resolve({ stdout: answer.stdout, stderr: answer.stderr, exitCode: 0 });
    });
    child.on('close', (code) => {
      if (this.#child === child) this.#child = undefined;
      for (const pending of this.#waiting.splice(0))
        pending.reject(new Error(`the stub's pwsh exited with ${code}: ${stderr.slice(0, 2000)}`));
    });
    this.#child = child;
    return child;
  }
}

/** A PowerShellRunner whose scripts run on one stub host through a shared pool. */
export class StubHostRunner implements PowerShellRunner {
  readonly target = 'local';
  constructor(
    readonly pool: StubPowerShellPool,
    readonly root: string,
  ) {}

  run(script: string, options: RunOptions): Promise<RunResult> {
    return this.pool.run(this.root, script, options);
  }
}
