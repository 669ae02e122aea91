/** The five Exchange 2007 server roles, as the inventory, the API and the dashboard spell them. */
export const EXCHANGE_ROLES = [
  'Mailbox',
  'ClientAccess',
  'HubTransport',
  'UnifiedMessaging',
  'Edge',
] as const;
