import { HostFacts, InventoryServer } from '@exrollout/core';
import { DriverError } from '../../../errors.js';
import type { HostSnapshot } from '../../types.js';
import { type ExrOutput, outputError } from '../exr-format.js';
import { checkAgainst, clip, readValues, type ValueReader } from './read.js';

/** Every key the inventory script emits. */
export const INVENTORY_KEYS: ReadonlySet<string> = new Set([
  'server.name',
  'server.fqdn',
  'server.build',
  'server.site',
  'role',
  'cluster.name',
  'cluster.storage',
  'cluster.cms',
  'cluster.machine',
  'cas.externalUrl',
  'cas.owaExternalUrl',
  'owa.method',
  'owa.changedCount',
  'owa.changed',
  'patch',
  'reboot.fileRenames',
  'reboot.cbs',
  'reboot.windowsUpdate',
  'host.freeMb',
  'host.architecture',
  'host.os',
  'host.powershellVersion',
  'host.elevated',
  'host.dotNet20Sp1',
]);

// A rollup's DisplayName starts "Update Rollup N for Exchange Server 2007"; an IU's often names the rollup it
// is built on ("Interim Update for Exchange Server 2007 SP1 Update Rollup 4 (KB957019)"), so only the start counts.
const ROLLUP = /^update rollup \d+ for exchange server 2007\b/i;
const INTERIM = /\binterim update\b/i;

/** Interim updates among the DisplayNames of the Exchange 2007 product's patches: every patch but a rollup. */
export function interimUpdatesOf(patchNames: readonly string[]): string[] {
  return patchNames
    .map((name) => name.trim())
    .filter((name) => name !== '' && (INTERIM.test(name) || !ROLLUP.test(name)));
}

/** Turns the inventory script's output into a HostSnapshot checked against the core schemas. */
export function toHostSnapshot(output: ExrOutput): HostSnapshot {
  if (output.status === 'error')
    throw new DriverError(
      'AGENT_ERR_DRIVER_INVENTORY',
      `the inventory script failed with ${output.error?.code}: ${output.error?.message}`,
    );
  const values = readValues(output);
  const server = checkAgainst(InventoryServer, serverRecord(values), 'inventory record');
  const host = checkAgainst(HostFacts, hostFacts(values), 'host facts');
  return { server, host };
}

function serverRecord(values: ValueReader): InventoryServer {
  const name = values.one('server.name');
  const build = values.one('server.build');
  if (name === undefined || build === undefined)
    throw outputError('the inventory has no server.name or server.build');
  const roles = [...new Set(values.all('role'))] as InventoryServer['roles'];
  const fqdn = values.one('server.fqdn')?.toLowerCase();
  const site = values.one('server.site');
  const cluster = clusterMembership(values, name);
  return {
    name,
    ...(fqdn ? { fqdn } : {}),
    ...(site ? { site } : {}),
    build,
    roles,
    ...(roles.includes('ClientAccess') ? clientAccessFacts(values) : {}),
    ...(cluster ? { cluster } : {}),
    interimUpdates: interimUpdatesOf(values.all('patch')),
    ...powershellOf(values),
  };
}

/** The installed PowerShell engine's version (`2.0`), when the registry names one. */
export function powershellOf(values: ValueReader): Pick<InventoryServer, 'powershellVersion'> {
  const version = values.one('host.powershellVersion');
  return version ? { powershellVersion: version } : {};
}

function clientAccessFacts(values: ValueReader): Pick<InventoryServer, 'internetFacing' | 'owaCustomized'> {
  return {
    internetFacing: values.all('cas.owaExternalUrl').length > 0,
    owaCustomized: (values.int('owa.changedCount') ?? 0) > 0,
  };
}

const STORAGE_TYPES: Readonly<Record<string, 'CCR' | 'SCC'>> = { nonshared: 'CCR', shared: 'SCC' };

function clusterMembership(values: ValueReader, node: string): InventoryServer['cluster'] {
  const storage = values.one('cluster.storage');
  if (storage === undefined) return undefined;
  const type = STORAGE_TYPES[storage.toLowerCase()];
  const name = values.one('cluster.name');
  const cms = values.one('cluster.cms');
  if (!type || !name || !cms)
    throw outputError(`an incomplete cluster record: storage ${storage}, cluster ${name}, cms ${cms}`);
  const active = activeMachine(values.all('cluster.machine'));
  return active?.toLowerCase() === node.toLowerCase()
    ? { type, name, role: 'active', cms }
    : { type, name, role: 'passive' };
}

/** The node marked `<Active...>` in OperationalMachines (`SEA-CCR1-N1 <Active, Quorum Owner>`), if any. */
export function activeMachine(machines: readonly string[]): string | undefined {
  for (const machine of machines) {
    const match = /^\s*([^\s<]+)\s*<([^>]*)>/.exec(machine);
    if (match?.[2]?.split(',').some((flag) => flag.trim().toLowerCase() === 'active')) return match[1];
  }
  return undefined;
}

const ARCHITECTURES: Readonly<Record<string, 'x64' | 'x86'>> = { amd64: 'x64', x86: 'x86' };

/** `x64` for AMD64, `x86` for x86 (PROCESSOR_ARCHITECTURE), undefined for anything else. */
export function architectureOf(processor: string | undefined): 'x64' | 'x86' | undefined {
  return ARCHITECTURES[processor?.toLowerCase() ?? ''];
}

function hostFacts(values: ValueReader): HostFacts {
  const architecture = architectureOf(values.one('host.architecture'));
  const freeMb = values.int('host.freeMb');
  const os = values.one('host.os');
  const elevated = values.bool('host.elevated');
  const dotNet20Sp1 = values.bool('host.dotNet20Sp1');
  return {
    ...(architecture ? { architecture } : {}),
    pendingReboot: pendingReboot(values),
    ...(freeMb === undefined ? {} : { systemDriveFreeMb: freeMb }),
    ...(os ? { os: clip(os, 128) } : {}),
    ...(elevated === undefined ? {} : { elevated }),
    ...(dotNet20Sp1 === undefined ? {} : { dotNet20Sp1 }),
  };
}

/** True when any of the pending-reboot markers is set. */
export function pendingReboot(values: ValueReader): boolean {
  // Read all three first, so that a malformed flag is refused even when another one is set.
  const markers = [
    (values.int('reboot.fileRenames') ?? 0) > 0,
    values.bool('reboot.cbs') === true,
    values.bool('reboot.windowsUpdate') === true,
  ];
  return markers.includes(true);
}
