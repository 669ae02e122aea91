import type { InventoryServer } from '../inventory/schema.js';
import type { PlanPin, PlanStep, WaveName } from './schema.js';

/**
 * The steps one server runs, in order. The node is emptied (clustered mailbox server and cluster group moved
 * off) before interim updates are removed, because removing one stops Exchange services; OWA files are backed
 * up before anything touches them. `restart` is always planned; the engine passes over it when the policy and
 * the installer say no restart is needed.
 */
export function stepsFor(server: InventoryServer): PlanStep[] {
  const backupOwa = server.owaCustomized === true && server.roles.includes('ClientAccess');
  const steps: (PlanStep | false)[] = [
    'precheck',
    backupOwa && 'backup-owa',
    server.cluster?.role === 'active' && 'move-cms',
    server.cluster !== undefined && 'move-cluster-group',
    (server.interimUpdates?.length ?? 0) > 0 && 'remove-interim-updates',
    'install',
    'restart',
    'verify',
    backupOwa && 'restore-owa',
  ];
  return steps.filter((step): step is PlanStep => step !== false);
}

/**
 * The earliest wave a server belongs to: Internet-facing CAS, internal CAS, or the rest. An operator's pin, when
 * given, decides whether a CAS is Internet-facing; otherwise the inventory's `internetFacing` does.
 */
export function waveOf(server: InventoryServer, pin?: PlanPin): WaveName {
  if (!server.roles.includes('ClientAccess')) return 'remaining';
  return (pin?.internetFacing ?? server.internetFacing) === true ? 'cas-internet-facing' : 'cas-internal';
}

/** Why a Client Access server is in its wave (the pin, or its OWA ExternalUrl); undefined for other servers. */
export function waveReason(server: InventoryServer, pin?: PlanPin): string | undefined {
  if (!server.roles.includes('ClientAccess')) return undefined;
  if (pin) return `${pin.internetFacing ? 'Internet-facing' : 'internal'}: pinned by ${pin.pinnedBy}`;
  return server.internetFacing === true
    ? 'Internet-facing: OWA ExternalUrl set'
    : 'internal: no OWA ExternalUrl';
}
