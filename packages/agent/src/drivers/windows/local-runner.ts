import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { DriverError } from '../../errors.js';
import type { PowerShellRunner, RunOptions, RunResult } from './runner.js';

/** Options of the local runner; tests point `executable` and `args` at a stand-in. */
export interface LocalRunnerOptions {
  /** @default powershell.exe */
  readonly executable?: string;
  /** @default -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command - */
  readonly args?: readonly string[];
  /** Output past this many bytes (stdout and stderr together) kills the script. @default 8 MiB */
  readonly maxOutputBytes?: number;
}

/** The powershell.exe arguments: read the script from stdin, no profile, no prompts. */
export const POWERSHELL_ARGS: readonly string[] = Object.freeze([
  '-NoProfile',
  '-NonInteractive',
  '-ExecutionPolicy',
  'Bypass',
  '-Command',
  '-',
]);

/**
 * The one line written to powershell.exe's stdin. With `-Command -` PowerShell reads stdin line by line, as
 * if typed, so a multi-line script can stall on an incomplete statement; and stdin is decoded with the OEM
 * code page. One line carrying the script as base64 UTF-8 avoids both.
 */
export function stdinBootstrap(script: string): string {
  const encoded = Buffer.from(script, 'utf8').toString('base64');
  return `$exrScript = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${encoded}')); Invoke-Expression $exrScript\r\n`;
}

/** Runs scripts with a PowerShell process on this machine: spawned without a shell, script on stdin. */
export class LocalPowerShellRunner implements PowerShellRunner {
  readonly target = 'local';
  readonly #executable: string;
  readonly #args: readonly string[];
  readonly #maxOutputBytes: number;

  constructor(options: LocalRunnerOptions = {}) {
    this.#executable = options.executable ?? 'powershell.exe';
    this.#args = [...(options.args ?? POWERSHELL_ARGS)];
    this.#maxOutputBytes = options.maxOutputBytes ?? 8 * 1024 * 1024;
  }

  /** Spawns the executable, writes the script, and resolves when it exits; rejects with DriverError. */
  run(script: string, options: RunOptions): Promise<RunResult> {
    if (options.signal.aborted)
      return Promise.reject(new DriverError('AGENT_ERR_DRIVER_ABORTED', 'aborted before the script started'));
    return new Promise((resolve, reject) => {
      const child = spawn(this.#executable, this.#args, { stdio: 'pipe', windowsHide: true });
      const output = new OutputCollector(this.#maxOutputBytes, options.onLine);
      let failure: DriverError | undefined;
      const stop = (error: DriverError) => {
        failure ??= error;
        child.kill();
      };
      const onAbort = () => stop(new DriverError('AGENT_ERR_DRIVER_ABORTED', 'the script was aborted'));
      const timer = setTimeout(
        () =>
          stop(
            new DriverError('AGENT_ERR_DRIVER_TIMEOUT', `the script ran longer than ${options.timeoutMs} ms`),
          ),
        options.timeoutMs,
      );
      options.signal.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
      };
      child.stdout.on('data', (chunk: Buffer) => output.stdout(chunk) || stop(output.overflow()));
      child.stderr.on('data', (chunk: Buffer) => output.stderr(chunk) || stop(output.overflow()));
      // The process may exit before reading stdin; its exit tells the real story.
      child.stdin.on('error', () => undefined);
      child.on('error', (error) => {
        finish();
        reject(
          new DriverError('AGENT_ERR_DRIVER_SPAWN', `cannot start ${this.#executable}: ${error.message}`, {
            cause: error,
          }),
        );
      });
      child.on('close', (exitCode) => {
        finish();
        if (failure) reject(failure);
        else resolve(output.result(exitCode));
      });
      child.stdin.end(stdinBootstrap(script));
    });
  }
}

/** Collects both streams up to a byte limit and hands out complete stdout lines as they arrive. */
class OutputCollector {
  #bytes = 0;
  #pending = '';
  // A chunk can end inside a multibyte character; the decoder keeps the partial bytes for the next one.
  readonly #decoder = new StringDecoder('utf8');
  readonly #out: Buffer[] = [];
  readonly #err: Buffer[] = [];

  constructor(
    readonly max: number,
    readonly onLine: ((line: string) => void) | undefined,
  ) {}

  /** Adds stdout; false once the limit is passed. */
  stdout(chunk: Buffer): boolean {
    this.#out.push(chunk);
    if (this.onLine) this.#emitLines(this.#decoder.write(chunk));
    return this.#count(chunk);
  }

  /** Adds stderr; false once the limit is passed. */
  stderr(chunk: Buffer): boolean {
    this.#err.push(chunk);
    return this.#count(chunk);
  }

  overflow(): DriverError {
    return new DriverError('AGENT_ERR_DRIVER_OUTPUT', `the script wrote more than ${this.max} bytes`);
  }

  result(exitCode: number | null): RunResult {
    return {
      stdout: Buffer.concat(this.#out).toString('utf8'),
      stderr: Buffer.concat(this.#err).toString('utf8'),
      exitCode,
    };
  }

  #count(chunk: Buffer): boolean {
    this.#bytes += chunk.length;
    return this.#bytes <= this.max;
  }

  #emitLines(text: string): void {
    const lines = (this.#pending + text).split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines) this.onLine?.(line.replace(/\r$/, ''));
  }
}
