/** One logging method: structured fields first, or a bare message (pino's calling convention). */
export interface LogFn {
  (fields: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

/** The logger the agent is handed: a pino logger fits it, and so does any object with these methods. */
export interface AgentLogger {
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
  child(bindings: Record<string, unknown>): AgentLogger;
}

const discard: LogFn = () => {};

/** A logger that drops everything: for tests and for callers that listen to events instead. */
export const silentLogger: AgentLogger = Object.freeze({
  error: discard,
  warn: discard,
  info: discard,
  debug: discard,
  child: () => silentLogger,
});
