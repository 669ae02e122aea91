import { type AgentMessage, decodeAgentMessage, encodeMessage, PROTOCOL_VERSION } from '@exrollout/core';
import type { HostDriver } from '../drivers/types.js';
import type { AgentLogger } from './logger.js';

/** What an inventory reporter needs from its session. @internal */
export interface InventoryReporterDeps {
  readonly driver: HostDriver;
  readonly logger: AgentLogger;
  /** Changes within this window are sent as one inventory, in milliseconds. */
  readonly debounceMs: number;
  /** Aborts a collection in flight when the session ends. */
  readonly signal: AbortSignal;
  readonly send: (message: AgentMessage<'INVENTORY'>) => boolean;
}

/**
 * Sends one connection's INVENTORY messages: on demand, and once per burst of host changes. At most one
 * collection runs and one waits; a request joins the waiting one, which starts after it was made. @internal
 */
export class InventoryReporter {
  readonly #deps: InventoryReporterDeps;
  #chain: Promise<void> = Promise.resolve();
  #waiting = false;
  #debounce: NodeJS.Timeout | undefined;
  #active = false;

  constructor(deps: InventoryReporterDeps) {
    this.#deps = deps;
  }

  /** Starts reporting (after WELCOME) with an inventory at once; resolves once it went out or failed. */
  start(): Promise<void> {
    this.#active = true;
    return this.refresh();
  }

  /** Stops reporting: a pending change is dropped, a collection in flight is not sent. */
  stop(): void {
    this.#active = false;
    clearTimeout(this.#debounce);
    this.#debounce = undefined;
  }

  /** The host changed: a fresh inventory follows within `debounceMs`, one for any number of changes. */
  changed(): void {
    if (!this.#active || this.#debounce) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.refresh();
    }, this.#deps.debounceMs);
  }

  /** Collects the inventory now and sends it; resolves once a collection begun after this call is done. */
  refresh(): Promise<void> {
    // The collection below starts after any change already seen, so a pending debounce is covered by it.
    clearTimeout(this.#debounce);
    this.#debounce = undefined;
    if (this.#waiting) return this.#chain;
    this.#waiting = true;
    this.#chain = this.#chain.then(() => {
      this.#waiting = false;
      return this.#active ? this.#collectAndSend() : undefined;
    });
    return this.#chain;
  }

  async #collectAndSend(): Promise<void> {
    const { driver, logger } = this.#deps;
    try {
      const snapshot = await driver.collect(this.#deps.signal);
      if (!this.#active) return;
      const message: AgentMessage<'INVENTORY'> = {
        version: PROTOCOL_VERSION,
        type: 'INVENTORY',
        payload: { server: snapshot.server, host: snapshot.host, collectedAt: new Date().toISOString() },
      };
      // Checked here so that a driver bug is reported where it can be fixed, not as a server ERROR.
      const checked = decodeAgentMessage(encodeMessage(message));
      if (!checked.ok)
        logger.error({ error: checked.error }, 'the driver reported an invalid inventory; not sent');
      else this.#deps.send(message);
    } catch (error) {
      if (this.#active)
        logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'inventory collection failed',
        );
    }
  }
}
