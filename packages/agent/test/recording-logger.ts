// A logger for tests that keeps every entry, so that a test can check what was logged at which level.
import type { AgentLogger, LogFn } from '../src/index.js';

/** One logged entry. */
export interface LogEntry {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A logger that records into a shared array, children included. */
export class RecordingLogger implements AgentLogger {
  readonly error: LogFn = this.#method('error');
  readonly warn: LogFn = this.#method('warn');
  readonly info: LogFn = this.#method('info');
  readonly debug: LogFn = this.#method('debug');

  constructor(
    readonly entries: LogEntry[] = [],
    readonly bindings: Record<string, unknown> = {},
  ) {}

  child(bindings: Record<string, unknown>): AgentLogger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }

  /** The messages logged at a level. */
  at(level: LogEntry['level']): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.message);
  }

  #method(level: LogEntry['level']): LogFn {
    return ((first: Record<string, unknown> | string, message?: string) => {
      const fields = typeof first === 'string' ? {} : first;
      const text = typeof first === 'string' ? first : (message ?? '');
      this.entries.push({ level, message: text, fields: { ...this.bindings, ...fields } });
    }) as LogFn;
  }
}
