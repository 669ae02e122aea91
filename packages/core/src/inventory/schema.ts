import Type, { type Static } from 'typebox';
import { NETBIOS_NAME_PATTERN } from './computer-name.js';
import { EXCHANGE_ROLES } from './roles.js';

/** An Exchange 2007 server role. */
export const ExchangeRole = Type.Enum(EXCHANGE_ROLES, { description: 'An Exchange 2007 server role.' });
export type ExchangeRole = Static<typeof ExchangeRole>;

/** A NetBIOS name schema with its own description. */
export const netbiosName = (description: string) =>
  Type.String({ pattern: NETBIOS_NAME_PATTERN, description });

/** A four-part file version, short (8.1.340.1) or zero-padded (08.01.0340.001). */
export const BuildString = Type.String({
  pattern: '^\\s*\\d{1,5}\\.\\d{1,5}\\.\\d{1,5}\\.\\d{1,5}\\s*$',
  description: 'ExSetup.exe file version, e.g. 8.1.340.1 or 08.01.0340.001.',
});

/** Clustered mailbox server membership of a node. */
export const ClusterMembership = Type.Object(
  {
    type: Type.Enum(['CCR', 'SCC'], {
      description: 'Cluster continuous replication or single copy cluster.',
    }),
    name: netbiosName('The Windows failover cluster name.'),
    role: Type.Enum(['active', 'passive'], {
      description: 'Whether this node hosts the clustered mailbox server now.',
    }),
    cms: Type.Optional(netbiosName('The clustered mailbox server this node hosts (active node only).')),
  },
  { additionalProperties: false },
);
export type ClusterMembership = Static<typeof ClusterMembership>;

/** One Exchange server as an agent reports it or an administrator writes it. */
export const InventoryServer = Type.Object(
  {
    name: netbiosName('NetBIOS name; unique in the inventory, compared case-insensitively.'),
    fqdn: Type.Optional(
      Type.String({
        maxLength: 255,
        pattern: '^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$',
      }),
    ),
    site: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Active Directory site.' })),
    build: BuildString,
    roles: Type.Array(ExchangeRole, { minItems: 1, maxItems: 5, uniqueItems: true }),
    internetFacing: Type.Optional(
      Type.Boolean({ description: 'Client Access only: an ExternalUrl is set on its virtual directories.' }),
    ),
    cluster: Type.Optional(ClusterMembership),
    interimUpdates: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        maxItems: 100,
        description: 'Interim updates installed; each must be removed before a rollup.',
      }),
    ),
    owaCustomized: Type.Optional(
      Type.Boolean({ description: 'Client Access only: OWA files differ from the shipped ones.' }),
    ),
    powershellVersion: Type.Optional(
      Type.String({
        pattern: '^\\d{1,2}\\.\\d{1,2}$',
        description:
          'Windows PowerShell engine version, major.minor (1.0, 2.0, 3.0, ...): the registry PowerShellEngine keys.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type InventoryServer = Static<typeof InventoryServer>;

/** An inventory file: `{ "servers": [ ... ] }`. */
export const Inventory = Type.Object(
  { servers: Type.Array(InventoryServer, { maxItems: 200_000 }) },
  { additionalProperties: false },
);
export type Inventory = Static<typeof Inventory>;
