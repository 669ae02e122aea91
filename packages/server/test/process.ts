import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const SERVER_BIN = join(import.meta.dirname, '..', 'bin', 'exrollout-server.mjs');

/** A real `exrollout-server` process on 127.0.0.1, port 0, with its own key prefix. */
export interface ServerProcess {
  readonly url: string;
  readonly instanceId: string;
  readonly child: ChildProcess;
  /** Log lines it printed (JSON, parsed). */
  readonly logs: Record<string, unknown>[];
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown at all. */
  kill9(): Promise<void>;
}

/** Environment for a server process under test: its prefix, short heartbeats, Redis from the environment. */
export function serverEnv(prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    EXR_REDIS_PREFIX: prefix,
    EXR_HOST: '127.0.0.1',
    EXR_PORT: '0',
    EXR_LOG_LEVEL: 'info',
    EXR_HEARTBEAT_INTERVAL_MS: '300',
    EXR_OFFLINE_AFTER_MS: '1200',
    ...extra,
  };
}

/** Starts a server process and resolves once it logs the address it listens on. */
export async function startServerProcess(env: NodeJS.ProcessEnv, instanceId: string): Promise<ServerProcess> {
  // EXR_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the server of a test or bench.
  const nodeArgs = process.env.EXR_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, SERVER_BIN, 'start'], {
    env: { ...env, EXR_INSTANCE_ID: instanceId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const url = await new Promise<string>((resolve, reject) => {
    // A server that never says it listens is killed, so that a failed start leaves no process behind.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 10 s: ${stderr}`));
    }, 10_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = parseLine(line);
      logs.push(entry);
      if (entry.msg === 'exrollout server listening') {
        clearTimeout(timer);
        resolve(String(entry.address));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  const exited = once(child, 'exit');
  return {
    url,
    instanceId,
    child,
    logs,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill9: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs `exrollout-server token create` against the prefix and returns the token it printed. */
export async function createTokenWithCli(env: NodeJS.ProcessEnv, role: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [SERVER_BIN, 'token', 'create', '--role', role, '--name', `test-${role}`],
    { env },
  );
  return stdout.trim();
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { msg: line };
  }
}
