import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { FromGenerator, ToGenerator } from './gateway-ipc.js';

const BENCH = join(import.meta.dirname, '..');
// Inside the repository, so that the built scripts resolve `ws` from its node_modules.
const OUT = join(BENCH, '..', 'node_modules', '.cache', 'exrollout-bench');

/** Paths of the plain-JS builds of the gateway bench's child scripts. */
export interface ChildScripts {
  readonly load: string;
  readonly bare: string;
  /** CommonJS, for `node --require` in NODE_OPTIONS. */
  readonly cpuProfilePreload: string;
}

/** Builds the gateway bench's child scripts with esbuild, so that they run on plain node without vite-node. */
export async function buildChildScripts(): Promise<ChildScripts> {
  const common = {
    outdir: OUT,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  } as const;
  await build({
    ...common,
    entryPoints: [join(BENCH, 'gateway-load.ts'), join(BENCH, 'gateway-bare.ts')],
    outExtension: { '.js': '.mjs' },
    format: 'esm',
  });
  await build({
    ...common,
    entryPoints: [join(BENCH, 'lib', 'cpu-profile-preload.ts')],
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
  });
  return {
    load: join(OUT, 'gateway-load.mjs'),
    bare: join(OUT, 'gateway-bare.mjs'),
    cpuProfilePreload: join(OUT, 'cpu-profile-preload.cjs'),
  };
}

/** A child process spoken to over IPC, whose messages are awaited by type. */
export interface Child<To, From extends { type: string }> {
  readonly child: ChildProcess;
  readonly pid: number;
  send(message: To): void;
  /** Calls `listener` with every message, instead of keeping them for `next`. */
  listen(listener: (message: From) => void): void;
  /** The next message of `type` (or one that came before and was not taken yet). */
  next<T extends From['type']>(type: T, timeoutMs: number): Promise<Extract<From, { type: T }>>;
  /** Disconnects IPC (the child exits on it) and waits; SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Forks a built script on plain node with an IPC channel. */
export function forkChild<To, From extends { type: string }>(
  script: string,
  args: readonly string[] = [],
): Child<To, From> {
  const child = fork(script, [...args], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  const inbox: From[] = [];
  const waiters = new Set<(message: From) => boolean>();
  let listener: ((message: From) => void) | undefined;
  child.on('message', (message: From) => {
    for (const waiter of waiters) if (waiter(message)) return;
    if (listener) listener(message);
    else inbox.push(message);
  });
  if (child.pid === undefined) throw new Error(`${script} did not start`);
  const pid = child.pid;
  return {
    child,
    pid,
    send: (message) => child.send(message as object),
    listen: (to) => {
      listener = to;
    },
    next: <T extends From['type']>(type: T, timeoutMs: number) => {
      type Wanted = Extract<From, { type: T }>;
      const index = inbox.findIndex((message) => message.type === type);
      if (index >= 0) return Promise.resolve(inbox.splice(index, 1)[0] as Wanted);
      return new Promise<Wanted>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`child ${pid}: no ${type} within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        const waiter = (message: From) => {
          if (message.type !== type) return false;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(message as Wanted);
          return true;
        };
        waiters.add(waiter);
      });
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A load generator process. */
export type Generator = Child<ToGenerator, FromGenerator>;
