import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ExchangeRole, identifyBuild, KB959241, type UpdateRollup } from '@exrollout/core';
import type { SimulatedHost } from '../../src/drivers/simulated/schema.js';
import { managedServices } from '../../src/drivers/simulated/steps/services.js';
import { packGuid } from '../../src/drivers/windows/guid.js';

/** Where the stub puts Exchange, as MsiInstallPath says on a default install. */
export const STUB_INSTALL_PATH = 'C:\\Program Files\\Microsoft\\Exchange Server';
const EXSETUP = `${STUB_INSTALL_PATH}\\Bin\\ExSetup.exe`;
const OWA_ROOT = `${STUB_INSTALL_PATH}\\ClientAccess\\Owa`;
const USERDATA = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\UserData\\S-1-5-18';
// Shipped files carry their build-time stamps; an administrator's edit is a month later.
const SHIPPED_AT = new Date('2008-11-20T00:00:00Z');
const BOOTED_AT = new Date('2009-01-10T04:00:00Z');
const EDITED_AT = new Date('2008-12-20T00:00:00Z');
const SHIPPED_OWA = [
  'auth\\logon.aspx',
  '{build}\\themes\\base\\logo.gif',
  '{build}\\scripts\\premium\\uglobal.js',
];

// OWA's versioned folder is not always ExSetup.exe's build: plain SP1 is ExSetup.exe 8.1.240.6 serving Owa\8.1.240.5.
const OWA_FOLDER_OF: Readonly<Record<string, string>> = { '8.1.240.6': '8.1.240.5' };

/** The versioned OWA folder a build serves its files from. */
export function owaFolderOf(build: string): string {
  return OWA_FOLDER_OF[build] ?? build;
}

/** The cluster nodes share: who hosts the clustered mailbox server, who owns the cluster group. */
export interface StubCluster {
  readonly name: string;
  readonly type: 'CCR' | 'SCC';
  readonly cms: string;
  readonly nodes: readonly string[];
  readonly active: string;
  readonly cmsMoveFails?: boolean;
  /** CCR: the first storage group's copy is Failed, 212 logs behind. */
  readonly replicationUnhealthy?: boolean;
  /** The core cluster group's name: "Cluster Group", or its name on a localized system. */
  readonly groupName?: string;
  /** SCC: the clustered mailbox server's database disk resource is Offline. */
  readonly resourceOffline?: boolean;
}

/** How to build one stub host beside its description. */
export interface StubHostOptions {
  /** The shared cluster file (createStubCluster) of a cluster node. */
  readonly clusterFile?: string;
  /** The bytes of each staged .msp by file name; other packages of the update get stubPackageBytes. */
  readonly packageContents?: Readonly<Record<string, Buffer>>;
  /** A cluster node's core cluster group name when the test builds no shared cluster file. */
  readonly clusterGroupName?: string;
  /** ExternalUrls of the other CAS virtual directories, by cmdlet (an internal CAS often has EWS's set). */
  readonly externalUrls?: Partial<
    Record<
      'Get-ActiveSyncVirtualDirectory' | 'Get-WebServicesVirtualDirectory' | 'Get-OabVirtualDirectory',
      string
    >
  >;
  /** shutdown.exe /r: refused ("Access is denied.") or ignored (Windows stays up); otherwise the host boots at once. */
  readonly restart?: 'refused' | 'ignored';
  /** The build a host described as already on the target went from (what its uninstall goes back to). */
  readonly installedFrom?: string;
  readonly update?: UpdateRollup;
}

/** The bytes the stub stages for a package no test gave: a fixed text per file name. */
export function stubPackageBytes(file: string): Buffer {
  return Buffer.from(`exrollout stub package ${file}\n`, 'utf8');
}

/** Hex SHA-256 of some bytes. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes the shared state of one cluster into `file`. */
export function createStubCluster(file: string, cluster: StubCluster): void {
  writeJson(file, {
    name: cluster.name,
    type: cluster.type,
    cms: cluster.cms,
    nodes: cluster.nodes,
    active: cluster.active,
    groupName: cluster.groupName ?? 'Cluster Group',
    groupOwner: cluster.active,
    cmsMoveFails: cluster.cmsMoveFails ?? false,
    copies: [
      {
        StorageGroupName: 'First Storage Group',
        SummaryCopyStatus: cluster.replicationUnhealthy ? 'Failed' : 'Healthy',
        CopyQueueLength: cluster.replicationUnhealthy ? 212 : 0,
        ReplayQueueLength: 0,
      },
      {
        StorageGroupName: 'Second Storage Group',
        SummaryCopyStatus: 'Healthy',
        CopyQueueLength: 1,
        ReplayQueueLength: 3,
      },
    ],
    resources: clusterResources(cluster),
    moves: [],
  });
}

// What cluster.exe res lists: the core group's resources, and (SCC) those of the clustered mailbox server's group.
function clusterResources(cluster: StubCluster) {
  const core = cluster.groupName ?? 'Cluster Group';
  const own =
    cluster.type === 'SCC' ? ['Network Name', 'IP Address', 'Database Disk', 'Information Store'] : [];
  return [
    { name: 'Cluster Name', group: core, status: 'Online' },
    { name: 'Cluster IP Address', group: core, status: 'Online' },
    ...own.map((name) => ({
      name: `${cluster.cms} ${name}`,
      group: cluster.cms,
      status: cluster.resourceOffline && name === 'Database Disk' ? 'Offline' : 'Online',
    })),
  ];
}

/** The stub's record of what it is and what happened to it, as state.json holds it. */
export interface StubState {
  readonly computerName: string;
  readonly fileVersions: Record<string, string>;
  readonly exsetup: string;
  readonly installed: Record<string, { displayName: string; previousBuild: string | null }>;
  readonly services: { Name: string; State: string }[];
  readonly history: { at: string; what: string; detail: string }[];
  readonly clusterFile: string | null;
}

/** Reads a stub host's state. */
export function readStubState(root: string): StubState {
  return JSON.parse(readFileSync(join(root, 'state.json'), 'utf8').replace(/^\uFEFF/, '')) as StubState;
}

/** The build ExSetup.exe of a stub host has now. */
export function stubBuild(root: string): string {
  const state = readStubState(root);
  return state.fileVersions[state.exsetup.toLowerCase()] ?? '';
}

/**
 * Lays out a stub Exchange 2007 server in `root` from a simulated host description: drive C: (`root/C`: Exchange
 * files, OWA, staged packages, the Windows Installer cache) and state.json (registry, file versions, Exchange
 * objects, services, msiexec behaviour) that StubExchange.ps1 reads and changes.
 */
export function createStubHost(
  root: string,
  description: SimulatedHost,
  options: StubHostOptions = {},
): string {
  const update = options.update ?? KB959241;
  const { server } = description;
  const behaviour = description.behaviour ?? {};
  const facts = description.host ?? {};
  const drive = (path: string) => join(root, 'C', ...path.replace(/^C:\\/i, '').split('\\'));
  const file = (path: string, content: string | Buffer, stamp = SHIPPED_AT) => {
    mkdirSync(dirname(drive(path)), { recursive: true });
    writeFileSync(drive(path), content);
    utimesSync(drive(path), stamp, stamp);
  };
  file(EXSETUP, 'MZ stub ExSetup.exe');
  mkdirSync(drive('C:\\Windows\\Installer'), { recursive: true });
  const registry = new Registry();
  registry.set('HKLM:\\SOFTWARE\\Microsoft\\Exchange\\Setup', { MsiInstallPath: `${STUB_INSTALL_PATH}\\` });
  const pendingReboot = behaviour.pendingReboot ?? facts.pendingReboot ?? false;
  registry.set('HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager', {
    PendingFileRenameOperations: pendingReboot ? ['\\??\\C:\\Windows\\Temp\\exr.tmp', ''] : null,
  });
  registry.set('HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v2.0.50727', {
    SP: facts.dotNet20Sp1 === false ? 0 : 2,
  });
  const powershell = server.powershellVersion;
  if (powershell !== undefined) {
    const legacy = Number.parseInt(powershell, 10) >= 3 ? '2.0' : powershell;
    registry.set('HKLM:\\SOFTWARE\\Microsoft\\PowerShell\\1\\PowerShellEngine', {
      PowerShellVersion: legacy,
    });
    if (legacy !== powershell)
      registry.set('HKLM:\\SOFTWARE\\Microsoft\\PowerShell\\3\\PowerShellEngine', {
        PowerShellVersion: powershell,
      });
  }
  // WinTrust's publisher revocation check, in the hive of the account the agent runs as.
  registry.set(
    'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\WinTrust\\Trust Providers\\Software Publishing',
    { State: Number.parseInt(behaviour.crlCheckState ?? '0x23c00', 16) },
  );
  for (const [name, outcome] of Object.entries(behaviour.hooks ?? {}))
    file(
      `C:\\exrollout\\hooks\\${name}.ps1`,
      outcome === 'succeeds'
        ? `Write-Output 'hook ${name}: done'\nexit 0\n`
        : `Write-Output 'hook ${name}: fscutility returned 1'\nexit 1\n`,
    );
  const isEdge = server.roles.includes('Edge');
  if (isEdge)
    registry.set('HKLM:\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\EdgeTransportRole', {
      ConfiguredVersion: server.build,
    });
  const productKey = `${USERDATA}\\Products\\${packGuid(update.productCode)}\\Patches`;
  const installed: Record<string, unknown> = {};
  const register = (name: string, interim: boolean, previousBuild: string | null, cached: boolean) => {
    const code = patchCodeOf(name);
    const packed = packGuid(code);
    registry.set(`${productKey}\\${packed}`, { DisplayName: name });
    const cache = `C:\\Windows\\Installer\\${packed.slice(0, 8).toLowerCase()}.msp`;
    registry.set(`${USERDATA}\\Patches\\${packed}`, { LocalPackage: cache });
    if (cached) file(cache, `cached ${name}`);
    installed[code] = { packed, previousBuild, displayName: name, isInterimUpdate: interim };
  };
  const rollupName = rollupDisplayName(server.build);
  const blocked = behaviour.uninstallBlocked;
  if (rollupName && blocked !== 'patch-not-registered')
    register(rollupName, false, options.installedFrom ?? null, blocked !== 'cache-missing');
  for (const name of server.interimUpdates ?? []) register(name, true, null, true);
  const cluster = server.cluster;
  const clusterFile = cluster ? (options.clusterFile ?? join(root, 'cluster.json')) : null;
  const exchange = exchangeObjects(description, clusterFile, options.externalUrls ?? {});
  if (cluster) {
    // The cluster name resource lives in the core cluster group, which the registry names.
    const nameResource = '{7a9e0a4e-0c5a-4d6e-9b1f-3f0c2b1a5e01}';
    registry.set('HKLM:\\Cluster', { ClusterName: cluster.name, ClusterNameResource: nameResource });
    registry.set('HKLM:\\Cluster\\Groups\\{1d2c3b4a-0000-4000-8000-000000000001}', {
      Name: options.clusterGroupName ?? readCluster(clusterFile).groupName ?? 'Cluster Group',
      Contains: ['{7a9e0a4e-0c5a-4d6e-9b1f-3f0c2b1a5e02}', nameResource],
    });
    registry.set('HKLM:\\Cluster\\Groups\\{1d2c3b4a-0000-4000-8000-000000000002}', {
      Name: 'Available Storage',
      Contains: ['{7a9e0a4e-0c5a-4d6e-9b1f-3f0c2b1a5e03}'],
    });
  }
  if (cluster && options.clusterFile === undefined)
    createStubCluster(clusterFile as string, {
      name: cluster.name,
      type: cluster.type,
      cms: cluster.cms ?? `${cluster.name}-CMS`,
      nodes:
        cluster.role === 'active' ? [server.name, peerOf(server.name)] : [peerOf(server.name), server.name],
      active: cluster.role === 'active' ? server.name : peerOf(server.name),
      ...(behaviour.cmsMoveFails ? { cmsMoveFails: true } : {}),
      ...(behaviour.replicationUnhealthy ? { replicationUnhealthy: true } : {}),
      ...(behaviour.sccResourceOffline ? { resourceOffline: true } : {}),
      ...(options.clusterGroupName ? { groupName: options.clusterGroupName } : {}),
    });
  // Edge keeps its configuration in ADAM (the ADAM_MSExchange service), which KB 944752 does not hold up.
  const services = [
    ...servicesOf(server.roles),
    ...(isEdge
      ? [
          {
            ...servicesOf(['Edge'])[0],
            Name: 'ADAM_MSExchange',
            DisplayName: 'Microsoft Exchange ADAM',
            PathName: '"C:\\Windows\\ADAM\\dsamain.exe"',
            native: true,
          },
        ]
      : []),
  ];
  for (const service of services) file(service.PathName.replace(/"/g, ''), `MZ stub ${service.Name}`);
  const isCas = server.roles.includes('ClientAccess');
  if (isCas) {
    for (const relative of SHIPPED_OWA) {
      const path = `${OWA_ROOT}\\${relative.replace('{build}', owaFolderOf(server.build))}`;
      file(path, `shipped ${relative} of ${server.build}`);
    }
    if (server.owaCustomized) {
      file(`${OWA_ROOT}\\auth\\logon.aspx`, 'customised logon.aspx', EDITED_AT);
      file(`${OWA_ROOT}\\${owaFolderOf(server.build)}\\themes\\base\\logo.gif`, 'contoso logo', EDITED_AT);
    }
  }
  const packages: Record<string, unknown> = {};
  for (const pkg of update.packages) {
    const bytes = options.packageContents?.[pkg.file] ?? stubPackageBytes(pkg.file);
    const expected = behaviour.packages?.[pkg.file];
    if (behaviour.packages && expected === undefined) continue;
    if (
      expected !== undefined &&
      expected !== sha256(bytes) &&
      options.packageContents?.[pkg.file] === undefined
    )
      throw new Error(
        `${pkg.file}: the description's SHA-256 is not that of the stub's bytes; give packageContents`,
      );
    file(`C:\\exrollout\\packages\\${pkg.file}`, bytes);
    const name = `${update.title} (KB${update.kb})`;
    const code = patchCodeOf(`${name} ${pkg.architecture}`);
    packages[pkg.file.toLowerCase()] = {
      build: update.targetBuild,
      line: `${update.targetBuild.split('.').slice(0, 2).join('.')}.`,
      owaFolder: owaFolderOf(update.targetBuild),
      displayName: name,
      patchCode: code,
      packed: packGuid(code),
    };
  }
  const freeMb = behaviour.freeDiskMb ?? facts.systemDriveFreeMb ?? 20_480;
  writeJson(join(root, 'state.json'), {
    computerName: server.name,
    fqdn: server.fqdn ?? server.name,
    env: {
      COMPUTERNAME: server.name,
      SystemDrive: 'C:',
      SystemRoot: 'C:\\Windows',
      PROCESSOR_ARCHITECTURE: (facts.architecture ?? 'x64') === 'x64' ? 'AMD64' : 'x86',
    },
    registry: registry.entries,
    exsetup: EXSETUP,
    fileVersions: { [EXSETUP.toLowerCase()]: server.build },
    freeBytes: freeMb * 1_048_576,
    elevated: facts.elevated ?? true,
    osCaption: facts.os ?? '',
    osServicePack: '',
    exchange,
    services,
    packages,
    installed,
    patchesKey: productKey,
    patchDataKey: `${USERDATA}\\Patches`,
    owa: isCas ? { root: OWA_ROOT, shipped: SHIPPED_OWA, shippedAt: SHIPPED_AT.toISOString() } : null,
    msi: {
      installFails: behaviour.installFails ?? null,
      servicesFailToStart: behaviour.servicesFailToStart ?? false,
      iuRemovalFails: behaviour.iuRemovalFails ?? false,
      restartExitCode: behaviour.restartExitCode ?? null,
      busyRuns: behaviour.msiBusyRuns ?? 0,
    },
    clusterFile,
    bootTime: BOOTED_AT.toISOString(),
    reboots: 0,
    restart: { refused: options.restart === 'refused', ignored: options.restart === 'ignored' },
    history: [],
  });
  return root;
}

/** Get-ExchangeServer and Get-MailboxServer answers: the server itself, or its clustered mailbox server. */
function exchangeObjects(
  description: SimulatedHost,
  clusterFile: string | null,
  externalUrls: NonNullable<StubHostOptions['externalUrls']>,
) {
  const { server } = description;
  const roles = (name: string, list: readonly string[]) => ({
    Name: name,
    Site: server.site ?? 'Default-First-Site-Name',
    IsMailboxServer: list.includes('Mailbox'),
    IsClientAccessServer: list.includes('ClientAccess'),
    IsHubTransportServer: list.includes('HubTransport'),
    IsUnifiedMessagingServer: list.includes('UnifiedMessaging'),
    IsEdgeServer: list.includes('Edge'),
  });
  const cluster = server.cluster;
  const shared = readCluster(clusterFile);
  const cms = cluster ? (shared.cms ?? cluster.cms ?? `${cluster.name}-CMS`) : undefined;
  const nodes = cluster ? (shared.nodes ?? [server.name]) : [];
  const externalUrl = server.internetFacing ? 'https://mail.contoso.com/owa' : null;
  return {
    shellInstalled: !server.roles.includes('Edge'),
    servers: cms ? [roles(cms, server.roles)] : [roles(server.name, server.roles)],
    mailboxServers: cms
      ? [
          {
            Name: cms,
            ClusteredStorageType: cluster?.type === 'SCC' ? 'Shared' : 'NonShared',
            RedundantMachines: nodes,
          },
        ]
      : [],
    virtualDirectories: server.roles.includes('ClientAccess')
      ? {
          'Get-OwaVirtualDirectory': [{ Name: 'owa (Default Web Site)', ExternalUrl: externalUrl }],
          'Get-ActiveSyncVirtualDirectory': [
            {
              Name: 'Microsoft-Server-ActiveSync (Default Web Site)',
              ExternalUrl: externalUrls['Get-ActiveSyncVirtualDirectory'] ?? null,
            },
          ],
          'Get-WebServicesVirtualDirectory': [
            {
              Name: 'EWS (Default Web Site)',
              ExternalUrl: externalUrls['Get-WebServicesVirtualDirectory'] ?? null,
            },
          ],
          'Get-OabVirtualDirectory': [
            { Name: 'OAB (Default Web Site)', ExternalUrl: externalUrls['Get-OabVirtualDirectory'] ?? null },
          ],
        }
      : {},
  };
}

/** What a shared cluster file already says (a node built after its peers reads the same cluster), if any. */
function readCluster(file: string | null): { cms?: string; nodes?: string[]; groupName?: string } {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { cms?: string; nodes?: string[]; groupName?: string };
  } catch {
    return {};
  }
}

/** The managed Exchange services of a server's roles (as the simulated driver has them), each with its .exe. */
function servicesOf(roles: readonly ExchangeRole[]) {
  return managedServices(roles).map((Name) => ({
    Name,
    DisplayName: `Microsoft Exchange ${Name.replace(/^MSExchange/, '')}`,
    State: 'Running',
    StartMode: 'Auto',
    PathName: `"${STUB_INSTALL_PATH}\\Bin\\${Name}.exe"`,
    crlTimeout: false,
  }));
}

/** The Add/Remove Programs name of the rollup a build is on, if it is an SP1 rollup. */
function rollupDisplayName(build: string): string | undefined {
  const identity = identifyBuild(build);
  if (identity.kind !== 'release' || identity.release.rollup === 0 || !identity.release.kb) return undefined;
  const pack = identity.release.line === 'RTM' ? '' : ` Service Pack ${identity.release.line.slice(2)}`;
  return `Update Rollup ${identity.release.rollup} for Exchange Server 2007${pack} (KB${identity.release.kb})`;
}

/** The other node of a two-node cluster a test did not build: `...N1` and `...N2` pair up. */
export function peerOf(name: string): string {
  return name.endsWith('1') ? `${name.slice(0, -1)}2` : `${name.slice(0, -1)}1`;
}

/** A patch code per patch name, stable from run to run. */
function patchCodeOf(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex').toUpperCase();
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}}`;
}

class Registry {
  readonly entries: Record<string, { path: string; values: Record<string, unknown> }> = {};
  set(path: string, values: Record<string, unknown>): void {
    this.entries[path.toLowerCase()] = { path, values };
  }
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
