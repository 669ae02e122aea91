import type { AgentMessage, ServerMessage } from '@exrollout/core';
import type { AgentLogger } from './logger.js';

/** A COMMAND's payload: which step of which rollout to run, with its arguments (not yet validated). */
export type CommandPayload = ServerMessage<'COMMAND'>['payload'];
/** A CANCEL's payload: which command to stop, and why. */
export type CancelPayload = ServerMessage<'CANCEL'>['payload'];

/** What a command handler may use on the connection the command arrived on. */
export interface CommandChannel {
  /** Sends a message to the server; false when the connection is gone. */
  send(message: AgentMessage): boolean;
  /**
   * Collects the host's inventory now and sends it; resolves once it went out (or could not be collected), so
   * that a result can follow the inventory that shows its effect.
   */
  refreshInventory?(): Promise<void>;
  /** The connection's logger. */
  readonly logger: AgentLogger;
}

/** Runs the commands the server sends. The agent client only routes COMMAND and CANCEL here. */
export interface CommandHandler {
  /** Called for each valid COMMAND; must not throw, and acknowledges and reports through the channel. */
  onCommand(command: CommandPayload, channel: CommandChannel): void;
  /** Called for each valid CANCEL. */
  onCancel(cancel: CancelPayload, channel: CommandChannel): void;
  /**
   * Called after each WELCOME with the new connection's channel, so that results finished while the agent was
   * disconnected can be sent, and later ones go to the live connection.
   */
  onReady?(channel: CommandChannel): void;
  /** The id of the command running now, reported in every heartbeat. */
  runningCommandId?(): string | undefined;
}

/** A handler that logs each command and runs nothing: AgentClient's default, for clients that run no steps. */
export class LoggingCommandHandler implements CommandHandler {
  /** Logs the command; no step runs and no result is sent. */
  onCommand(command: CommandPayload, channel: CommandChannel): void {
    channel.logger.warn(
      { commandId: command.commandId, rolloutId: command.rolloutId, step: command.step },
      'command received; this agent build does not run steps yet, so it is ignored',
    );
  }

  /** Logs the cancellation. */
  onCancel(cancel: CancelPayload, channel: CommandChannel): void {
    channel.logger.warn({ commandId: cancel.commandId, reason: cancel.reason }, 'cancel received; ignored');
  }
}
