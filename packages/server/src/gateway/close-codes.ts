/** WebSocket close codes the gateway uses; the agent acts on them (docs/protocol.md). */
export const CLOSE = Object.freeze({
  /** Normal closure. */
  NORMAL: 1000,
  /** The server is shutting down: reconnect (to any instance). */
  GOING_AWAY: 1001,
  /** Too many invalid messages, or no HELLO in time. */
  PROTOCOL_VIOLATION: 4002,
  /** HELLO or INVENTORY named another server than the credential's. */
  NAME_MISMATCH: 4003,
  /** The credential was revoked or replaced: do not reconnect. */
  REVOKED: 4004,
  /** A newer connection of the same agent took over: reconnect normally. */
  SUPERSEDED: 4005,
});
