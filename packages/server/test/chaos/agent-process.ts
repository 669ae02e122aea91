import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const AGENT_BIN = join(import.meta.dirname, '..', '..', '..', 'agent', 'bin', 'exrollout-agent.mjs');

/** A real `exrollout-agent` process (the bundled agent, run by Node.js as an administrator would). */
export interface AgentProcess {
  readonly child: ChildProcess;
  /** Its log lines (JSON, parsed), as they come. */
  readonly logs: Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGKILL: no shutdown, no journal write finished on the way out. */
  kill9(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `exrollout-agent` with these flags; stderr goes into the error if it exits at once. */
export function startAgentProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): AgentProcess {
  const child = spawn(process.execPath, [AGENT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = once(child, 'exit').then(([code]) => {
    if (code !== null && code !== 0) logs.push({ msg: `exited ${code}`, stderr });
    return code as number | null;
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, logs, exited, kill9: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** The agent's command journal on disk (`<state-dir>/journal/*.json`), by command id. */
export async function readJournal(stateDir: string): Promise<Map<string, Record<string, unknown>>> {
  const dir = join(stateDir, 'journal');
  const entries = new Map<string, Record<string, unknown>>();
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.json'))) {
    const entry = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;
    entries.set(String(entry.commandId), entry);
  }
  return entries;
}
