import { type AgentMessage, type AgentMessageType, type PlanStep, sameBuild } from '@exrollout/core';
import type { CommandChannel, CommandPayload } from '../client/command-handler.js';
import { type AgentLogger, type LogFn, silentLogger } from '../client/logger.js';
import type { SimulatedClock } from '../drivers/simulated/clock.js';
import type { SimulatedDriver } from '../drivers/simulated/driver.js';

/** @internal A channel that records what is sent, and can be cut off to imitate a dropped connection. */
export class RecordingChannel implements CommandChannel {
  readonly sent: AgentMessage[] = [];
  readonly logger = silentLogger;
  connected = true;
  /** How many messages had been sent at each inventory refresh. */
  readonly refreshes: number[] = [];

  /** Records when an inventory refresh was asked for, as the session would send INVENTORY then. */
  async refreshInventory(): Promise<void> {
    this.refreshes.push(this.sent.length);
  }

  /** Records the message when connected; false otherwise, as a closed socket would. */
  send(message: AgentMessage): boolean {
    if (!this.connected) return false;
    this.sent.push(message);
    return true;
  }

  /** The messages of one type, in order. */
  of<Type extends AgentMessageType>(type: Type): AgentMessage<Type>[] {
    return this.sent.filter((message): message is AgentMessage<Type> => message.type === type);
  }

  /** The types sent, in order. */
  types(): string[] {
    return this.sent.map((message) => message.type);
  }
}

/** @internal A COMMAND payload for a test. */
export function command<Step extends PlanStep>(
  commandId: string,
  step: Step,
  args: Record<string, unknown>,
): CommandPayload {
  return { commandId, rolloutId: 'r-test', step, args: structuredClone(args) };
}

/** @internal Counts the installs a simulated host went through: changes of its build to `targetBuild`. */
export function countInstalls(driver: SimulatedDriver, targetBuild: string): () => number {
  let build = driver.state().server.build;
  let installs = 0;
  driver.onChange((state) => {
    if (state.server.build !== build && sameBuild(state.server.build, targetBuild)) installs += 1;
    build = state.server.build;
  });
  return () => installs;
}

/** @internal A clock whose sleeps wait until the test releases them (or the step is aborted). */
export interface GatedClock extends SimulatedClock {
  /** How many sleeps wait now. */
  readonly waiting: number;
  /** Lets every waiting sleep end. */
  release(): void;
}

/** @internal Creates a gated clock: steps on it stay in progress until released. */
export function createGatedClock(): GatedClock {
  const gates: (() => void)[] = [];
  return {
    get waiting() {
      return gates.length;
    },
    release() {
      for (const open of gates.splice(0)) open();
    },
    sleep(_ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        gates.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    },
  };
}

/** @internal Waits until a condition holds, letting promises and timers run in between. */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** @internal One logged line: its level and message. */
export interface LoggedLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** @internal A logger that keeps every line in `lines`, children included. */
export function recordingLogger(lines: LoggedLine[] = []): AgentLogger & { readonly lines: LoggedLine[] } {
  const method = (level: string): LogFn =>
    ((first: Record<string, unknown> | string, message?: string) => {
      const fields = typeof first === 'string' ? {} : first;
      lines.push({ level, message: typeof first === 'string' ? first : (message ?? ''), fields });
    }) as LogFn;
  return {
    lines,
    error: method('error'),
    warn: method('warn'),
    info: method('info'),
    debug: method('debug'),
    child: () => recordingLogger(lines),
  };
}
