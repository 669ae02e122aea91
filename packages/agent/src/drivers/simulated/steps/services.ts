import type { ExchangeRole } from '@exrollout/core';

// Managed-code (.NET) services, which are the ones KB 944752 keeps from starting; the exact set per role is an
// approximation, but the Exchange Service Host is the one the field reports name (reference part 3, S17).
const BY_ROLE: Readonly<Record<ExchangeRole, readonly string[]>> = {
  Mailbox: ['MSExchangeMailSubmission', 'MSExchangeMailboxAssistants'],
  ClientAccess: ['MSExchangeFDS'],
  HubTransport: ['MSExchangeTransport', 'MSExchangeEdgeSync'],
  UnifiedMessaging: ['MSExchangeUM'],
  Edge: ['MSExchangeTransport'],
};

/** @internal The managed Exchange services of a server with these roles, Service Host first, no repeats. */
export function managedServices(roles: readonly ExchangeRole[]): string[] {
  return [...new Set(['MSExchangeServiceHost', ...roles.flatMap((role) => BY_ROLE[role])])];
}
