import type { OutstandingCommand, ServerRun } from './model.js';
import type { Work } from './work.js';

/** What happened to the connection of an agent that has a command outstanding. */
export type PresenceChange =
  | { readonly kind: 'connected' }
  | { readonly kind: 'disconnected'; readonly closeCode: number };

/**
 * Notes in the trail that the agent of a running server dropped or came back while its command was out: the
 * step itself goes on (or is sent again), so without this a dropped agent looks like one that never dropped.
 */
export function notePresence(
  work: Work,
  run: ServerRun | undefined,
  command: OutstandingCommand,
  change: PresenceChange,
): void {
  if (run?.state !== 'running' || run.commandId !== command.commandId) return;
  const { step } = command;
  if (change.kind === 'disconnected') {
    work.event(
      'exrollout',
      'server.agent-disconnected',
      `${run.name}: the agent's connection closed (code ${change.closeCode}) during ${step}; the step goes on on the server and its result is awaited`,
      run.name,
      { step, commandId: command.commandId, closeCode: change.closeCode },
    );
    return;
  }
  const message = run.acked
    ? `${run.name}: the agent reconnected during ${step}; the command was sent again (its journal keeps it from running twice)`
    : `${run.name}: the agent connected; ${step} was sent to it`;
  work.event(`agent:${run.name}`, 'server.agent-reconnected', message, run.name, {
    step,
    commandId: command.commandId,
  });
}
