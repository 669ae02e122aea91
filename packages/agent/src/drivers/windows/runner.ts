/** How one script run may be bounded and observed. */
export interface RunOptions {
  /** Stops the script (the process is killed) when aborted. */
  readonly signal: AbortSignal;
  /** Kills the script after this many milliseconds. */
  readonly timeoutMs: number;
  /** Called with each complete stdout line as it arrives, for progress. */
  readonly onLine?: (line: string) => void;
}

/** What a finished script left: its output streams and the exit code of the PowerShell process. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/** Runs one PowerShell script somewhere (this machine, or a managed server over WinRM). */
export interface PowerShellRunner {
  /** Where scripts run, for messages: `local` or `remote:<computer>`. */
  readonly target: string;
  run(script: string, options: RunOptions): Promise<RunResult>;
}
