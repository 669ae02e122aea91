import type { AgentClient } from '../client/agent-client.js';
import type { AgentLogger } from '../client/logger.js';
import { SimulatedDriver } from '../drivers/simulated/driver.js';
import type { HostDriver } from '../drivers/types.js';

/** How long a simulated Windows restart keeps the agent away, in milliseconds. */
export const SIMULATED_REBOOT_MS = 2000;

/**
 * Makes the agent live through what its simulated host does mid-install: a lost connection (the client
 * reconnects) and a restart (the connection dies and comes back after `rebootMs`). The step goes on in the
 * simulated host, and the executor reports its result from the journal after the next WELCOME. Returns a
 * function that stops following.
 */
export function followHostEvents(
  driver: HostDriver,
  client: AgentClient,
  logger: AgentLogger,
  options: { readonly rebootMs?: number } = {},
): () => void {
  if (!(driver instanceof SimulatedDriver)) return () => {};
  const rebootMs = options.rebootMs ?? SIMULATED_REBOOT_MS;
  let restart: NodeJS.Timeout | undefined;
  let following = true;
  const offDisconnect = driver.events.on('disconnect', (event) => {
    logger.warn({ ...event }, 'simulated host lost its connection');
    client.drop();
  });
  const offReboot = driver.events.on('reboot', (event) => {
    logger.warn({ ...event, downMs: rebootMs }, 'simulated host restarts; the agent goes down with it');
    void client.kill().then(() => {
      if (following) restart = setTimeout(() => client.start(), rebootMs);
    });
  });
  return () => {
    following = false;
    offDisconnect();
    offReboot();
    clearTimeout(restart);
  };
}
