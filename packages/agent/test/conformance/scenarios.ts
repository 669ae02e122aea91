import { KB959241, type PlanStep, type StepArgs } from '@exrollout/core';
import type { SimulatedBehaviour, SimulatedHost } from '../../src/drivers/simulated/schema.js';
import { type StubHostOptions, sha256, stubPackageBytes } from '../stub-exchange/host.js';

/** One step of a scenario, with the arguments the engine would send. */
export type ScenarioStep = {
  [Step in PlanStep]: { readonly step: Step; readonly args: StepArgs[Step] };
}[PlanStep];

/** What a step must end with, through either driver. */
export type Expected = 'ok' | { readonly code: string };

/** A server, what is done to it, and what each step must end with. */
export interface Scenario {
  readonly name: string;
  readonly host: SimulatedHost;
  /** What only the stub host needs (a shared cluster is built by the test). */
  readonly stub?: StubHostOptions;
  readonly steps: readonly (ScenarioStep & { readonly expect: Expected })[];
}

export const RU4 = '8.1.311.3';
export const RU6 = KB959241.targetBuild;
const X64 = 'Exchange2007-KB959241-x64-EN.msp';
const X86 = 'Exchange2007-KB959241-x86-EN.msp';
/** The package every scenario stages, and its real SHA-256. */
export const PACKAGE = { file: X64, sha256: sha256(stubPackageBytes(X64)) } as const;
const OTHER_BYTES = Buffer.from('a different file under the same name\n');

const precheck = (
  expect: Expected,
  expectedBuild = RU4,
  minFreeMb = 1024,
): ScenarioStep & { expect: Expected } => ({
  step: 'precheck',
  args: { expectedBuild, targetBuild: RU6, package: { ...PACKAGE }, minFreeMb },
  expect,
});
const install = (expect: Expected) =>
  ({ step: 'install', args: { package: { ...PACKAGE }, targetBuild: RU6 }, expect }) as const;
const verify = (expect: Expected, remedyKb944752 = true) =>
  ({ step: 'verify', args: { targetBuild: RU6, remedyKb944752 }, expect }) as const;
const uninstall = (expect: Expected, expectedBuild = RU4) =>
  ({
    step: 'uninstall',
    args: { productCode: KB959241.productCode, kb: KB959241.kb, expectedBuild },
    expect,
  }) as const;
const restart = (expect: Expected) =>
  ({ step: 'restart', args: { reason: 'msiexec 3010: a restart finishes the install' }, expect }) as const;
const withHooks = (expect: Expected, before: string[], after: string[]) =>
  ({
    step: 'install',
    args: { package: { ...PACKAGE }, targetBuild: RU6, hooks: { before, after } },
    expect,
  }) as const;
/** stage: from the store (the agent may download), or staged by other means (only checked). */
const stage = (expect: Expected, fromStore: boolean) =>
  ({ step: 'stage', args: { package: { ...PACKAGE }, size: 1000, fromStore }, expect }) as const;
const step = <Step extends PlanStep>(name: Step, args: StepArgs[Step], expect: Expected) =>
  ({ step: name, args, expect }) as ScenarioStep & { expect: Expected };

const behaviour = (knobs: SimulatedBehaviour = {}): SimulatedBehaviour => ({
  timeScale: 0,
  packages: { [X64]: PACKAGE.sha256, [X86]: sha256(stubPackageBytes(X86)) },
  ...knobs,
});

const cas = (
  knobs: SimulatedBehaviour = {},
  extra: Partial<SimulatedHost['server']> = {},
): SimulatedHost => ({
  server: {
    name: 'SEA-CAS01',
    fqdn: 'sea-cas01.sea.contoso.com',
    site: 'HQ-Seattle',
    build: RU4,
    roles: ['ClientAccess', 'HubTransport'],
    internetFacing: true,
    owaCustomized: true,
    ...extra,
  },
  host: { architecture: 'x64', os: WINDOWS_2003 },
  behaviour: behaviour(knobs),
});

const mailbox = (
  knobs: SimulatedBehaviour = {},
  extra: Partial<SimulatedHost['server']> = {},
): SimulatedHost => ({
  server: {
    name: 'SEA-MBX01',
    site: 'HQ-Seattle',
    build: RU4,
    roles: ['Mailbox'],
    ...extra,
    fqdn: `${(extra.name ?? 'SEA-MBX01').toLowerCase()}.sea.contoso.com`,
  },
  host: { architecture: 'x64', os: WINDOWS_2003 },
  behaviour: behaviour(knobs),
});

const WINDOWS_2003 = 'Microsoft(R) Windows(R) Server 2003, Enterprise x64 Edition Service Pack 2';
const IU = 'Interim Update for Exchange Server 2007 SP1 Update Rollup 4 (KB957019)';

/** The driver conformance table: every failure mode of the simulated driver, and those it did not model. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'Internet-facing CAS with customised OWA: the whole install',
    host: cas(),
    steps: [
      // Already in the package directory with its SHA-256: kept, nothing downloaded.
      stage('ok', true),
      precheck('ok'),
      step('backup-owa', {}, 'ok'),
      install('ok'),
      verify('ok'),
      step('restore-owa', {}, 'ok'),
    ],
  },
  {
    name: 'an internal CAS with EWS, ActiveSync and OAB ExternalUrls is not Internet-facing',
    host: cas({}, { internetFacing: false, owaCustomized: false }),
    stub: {
      externalUrls: {
        'Get-WebServicesVirtualDirectory': 'https://mail.contoso.com/EWS/Exchange.asmx',
        'Get-ActiveSyncVirtualDirectory': 'https://mail.contoso.com/Microsoft-Server-ActiveSync',
        'Get-OabVirtualDirectory': 'https://mail.contoso.com/OAB',
      },
    },
    steps: [precheck('ok')],
  },
  {
    name: 'plain SP1 serves OWA from Owa\\8.1.240.5 though ExSetup.exe is 8.1.240.6: customisations come back',
    host: cas({}, { build: '8.1.240.6' }),
    steps: [
      precheck('ok', '8.1.240.6'),
      step('backup-owa', {}, 'ok'),
      install('ok'),
      verify('ok'),
      step('restore-owa', {}, 'ok'),
    ],
  },
  {
    name: 'msiexec fails with "Return Value 3"',
    host: cas({ installFails: 'msi-return-value-3' }),
    steps: [precheck('ok'), install({ code: 'INSTALL_FAILED' })],
  },
  {
    name: 'KB 944752: services do not start until the remedy',
    host: mailbox({ servicesFailToStart: true }),
    steps: [install('ok'), verify({ code: 'SERVICES_NOT_STARTED' }, false), verify('ok', true)],
  },
  {
    name: 'the staged package has another SHA-256',
    host: cas({ packages: { [X64]: sha256(OTHER_BYTES) } }),
    stub: { packageContents: { [X64]: OTHER_BYTES } },
    steps: [
      stage({ code: 'PACKAGE_HASH_MISMATCH' }, false),
      precheck({ code: 'PACKAGE_HASH_MISMATCH' }),
      install({ code: 'PACKAGE_HASH_MISMATCH' }),
    ],
  },
  {
    name: 'the package is not staged',
    host: cas({ packages: { [X86]: sha256(stubPackageBytes(X86)) } }),
    steps: [
      stage({ code: 'PACKAGE_MISSING' }, false),
      precheck({ code: 'PACKAGE_MISSING' }),
      install({ code: 'PACKAGE_MISSING' }),
    ],
  },
  {
    name: 'Windows PowerShell 3.0 (WMF 3.0) is installed',
    host: cas({}, { powershellVersion: '3.0' }),
    steps: [precheck({ code: 'PRECHECK_POWERSHELL_VERSION' })],
  },
  {
    name: 'PowerShell 2.0 is fine',
    host: cas({}, { powershellVersion: '2.0' }),
    steps: [precheck('ok')],
  },
  {
    name: "the agent's session is not elevated (UAC)",
    host: { ...cas(), host: { architecture: 'x64', os: WINDOWS_2003, elevated: false } },
    steps: [precheck({ code: 'PRECHECK_NOT_ELEVATED' })],
  },
  {
    name: 'KB 944752 without .NET Framework 2.0 SP1: the remedy cannot be applied',
    host: {
      ...mailbox({ servicesFailToStart: true }),
      host: { architecture: 'x64', os: WINDOWS_2003, dotNet20Sp1: false },
    },
    steps: [install('ok'), verify({ code: 'SERVICES_NOT_STARTED' }, true)],
  },
  {
    name: 'a restart is pending',
    host: cas({ pendingReboot: true }),
    steps: [precheck({ code: 'PRECHECK_PENDING_REBOOT' })],
  },
  {
    name: 'the system drive is nearly full',
    host: cas({ freeDiskMb: 300 }),
    steps: [precheck({ code: 'PRECHECK_DISK_SPACE' })],
  },
  {
    name: 'the build changed since the plan',
    host: cas({}, { build: '8.1.336.1' }),
    steps: [precheck({ code: 'PRECHECK_BUILD_CHANGED' })],
  },
  {
    name: 'Exchange 2007 RTM is not SP1',
    host: mailbox({}, { build: '8.0.685.25' }),
    steps: [precheck({ code: 'PRECHECK_NOT_SP1' }, '8.0.685.25'), install({ code: 'INSTALL_FAILED' })],
  },
  {
    name: 'installed, then rolled back',
    host: cas(),
    steps: [install('ok'), verify('ok'), uninstall('ok'), uninstall('ok')],
  },
  {
    name: 'rollback: the cached .msp is missing',
    host: mailbox({ uninstallBlocked: 'cache-missing' }, { build: RU6 }),
    stub: { installedFrom: RU4 },
    steps: [uninstall({ code: 'PATCH_CACHE_MISSING' })],
  },
  {
    name: 'rollback: the update is not registered though the build says so',
    host: mailbox({ uninstallBlocked: 'patch-not-registered' }, { build: RU6 }),
    steps: [uninstall({ code: 'PATCH_NOT_INSTALLED' })],
  },
  {
    name: 'interim updates are removed before the install',
    host: cas({}, { interimUpdates: [IU] }),
    steps: [
      step('remove-interim-updates', { interimUpdates: [IU] }, 'ok'),
      install('ok'),
      step('remove-interim-updates', { interimUpdates: [IU] }, 'ok'),
    ],
  },
  {
    name: 'an interim update cannot be removed',
    host: cas({ iuRemovalFails: true }, { interimUpdates: [IU] }),
    steps: [step('remove-interim-updates', { interimUpdates: [IU] }, { code: 'IU_REMOVAL_FAILED' })],
  },
  {
    name: 'CCR active node: the clustered mailbox server moves to the passive node',
    host: mailbox(
      {},
      { name: 'SEA-CCR1-N1', cluster: { type: 'CCR', name: 'SEA-CLU01', role: 'active', cms: 'SEA-CMS01' } },
    ),
    steps: [
      step('move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-CCR1-N2' }, 'ok'),
      step('move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-CCR1-N2' }, 'ok'),
      install('ok'),
      verify('ok'),
    ],
  },
  {
    name: 'CCR: the clustered mailbox server move fails',
    host: mailbox(
      { cmsMoveFails: true },
      { name: 'SEA-CCR1-N1', cluster: { type: 'CCR', name: 'SEA-CLU01', role: 'active', cms: 'SEA-CMS01' } },
    ),
    steps: [step('move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-CCR1-N2' }, { code: 'CMS_MOVE_FAILED' })],
  },
  {
    name: 'CCR: a storage group copy is not healthy, so the clustered mailbox server does not move',
    host: mailbox(
      { replicationUnhealthy: true },
      { name: 'SEA-CCR1-N1', cluster: { type: 'CCR', name: 'SEA-CLU01', role: 'active', cms: 'SEA-CMS01' } },
    ),
    steps: [
      step('move-cms', { cms: 'SEA-CMS01', targetNode: 'SEA-CCR1-N2' }, { code: 'REPLICATION_UNHEALTHY' }),
    ],
  },
  {
    name: 'CCR: copy and replay queues within the limits given, the move goes ahead',
    host: mailbox(
      {},
      { name: 'SEA-CCR1-N1', cluster: { type: 'CCR', name: 'SEA-CLU01', role: 'active', cms: 'SEA-CMS01' } },
    ),
    steps: [
      step(
        'move-cms',
        { cms: 'SEA-CMS01', targetNode: 'SEA-CCR1-N2', maxCopyQueueLength: 1, maxReplayQueueLength: 3 },
        'ok',
      ),
    ],
  },
  {
    name: 'SCC passive node: install, then take the cluster group',
    host: mailbox({}, { name: 'SEA-SCC-N2', cluster: { type: 'SCC', name: 'SEA-SCC', role: 'passive' } }),
    steps: [
      precheck('ok'),
      install('ok'),
      verify('ok'),
      step('move-cluster-group', { targetNode: 'SEA-SCC-N1' }, 'ok'),
    ],
  },
  {
    name: 'SCC on a localized Windows: the core cluster group is found by its cluster name resource',
    host: mailbox({}, { name: 'PAR-SCC-N2', cluster: { type: 'SCC', name: 'PAR-SCC', role: 'passive' } }),
    stub: { clusterGroupName: 'Groupe de cluster' },
    steps: [
      step('move-cluster-group', { targetNode: 'PAR-SCC-N1' }, 'ok'),
      step('move-cluster-group', { targetNode: 'PAR-SCC-N1' }, 'ok'),
    ],
  },
  {
    name: 'Edge Transport',
    host: {
      server: { name: 'DMZ-EDGE01', fqdn: 'dmz-edge01.dmz.contoso.com', build: RU4, roles: ['Edge'] },
      host: { architecture: 'x64', os: WINDOWS_2003 },
      behaviour: behaviour(),
    },
    steps: [precheck('ok'), install('ok'), verify('ok')],
  },
  {
    name: 'msiexec 1618: another installation is in progress',
    host: cas({ msiBusyRuns: 1 }),
    steps: [install({ code: 'INSTALLER_BUSY' }), install('ok')],
  },
  {
    name: 'rollback while another installation is in progress (1618)',
    host: mailbox({ msiBusyRuns: 1 }, { build: RU6 }),
    stub: { installedFrom: RU4 },
    steps: [uninstall({ code: 'INSTALLER_BUSY' }), uninstall('ok')],
  },
  {
    name: 'msiexec 3010: installed, a restart is required',
    host: cas({ restartExitCode: 3010 }),
    steps: [install('ok'), verify('ok')],
  },
  {
    name: 'msiexec 3010, then the restart step: Windows boots and the pending restart is gone',
    host: cas({ restartExitCode: 3010 }),
    steps: [install('ok'), restart('ok'), restart('ok'), verify('ok')],
  },
  {
    name: 'the revocation check is off for the install and put back afterwards',
    host: cas(),
    steps: [{ ...install('ok'), args: { ...install('ok').args, crlCheckOff: true } }],
  },
  {
    name: 'the revocation check is put back when msiexec fails',
    host: cas({ installFails: 'msi-return-value-3', crlCheckState: '0x23c00' }),
    steps: [{ ...install({ code: 'INSTALL_FAILED' }), args: { ...install('ok').args, crlCheckOff: true } }],
  },
  {
    name: 'hooks run before and after msiexec (Forefront: fscutility /disable, /enable)',
    host: cas({ hooks: { 'fscutility-disable': 'succeeds', 'fscutility-enable': 'succeeds' } }),
    steps: [withHooks('ok', ['fscutility-disable'], ['fscutility-enable'])],
  },
  {
    name: 'a hook that fails before msiexec stops the install',
    host: cas({ hooks: { 'fscutility-disable': 'fails', 'fscutility-enable': 'succeeds' } }),
    steps: [
      withHooks({ code: 'HOOK_FAILED' }, ['fscutility-disable'], ['fscutility-enable']),
      verify({ code: 'BUILD_MISMATCH' }),
    ],
  },
  {
    name: 'a hook that is not in the hooks folder stops the install',
    host: cas({ hooks: {} }),
    steps: [withHooks({ code: 'HOOK_NOT_FOUND' }, ['fscutility-disable'], [])],
  },
  {
    name: 'a hook that fails after msiexec fails the step, with the update installed',
    host: cas({ hooks: { 'fscutility-enable': 'fails' } }),
    steps: [withHooks({ code: 'HOOK_FAILED' }, [], ['fscutility-enable']), verify('ok')],
  },
  {
    name: 'SCC: a resource of the clustered mailbox server is offline, so it does not move',
    host: mailbox(
      { sccResourceOffline: true },
      { name: 'SEA-SCC-N1', cluster: { type: 'SCC', name: 'SEA-SCC', role: 'active', cms: 'SEA-SCC-CMS' } },
    ),
    steps: [
      step(
        'move-cms',
        { cms: 'SEA-SCC-CMS', targetNode: 'SEA-SCC-N2' },
        { code: 'CLUSTER_RESOURCES_OFFLINE' },
      ),
    ],
  },
  {
    name: 'SCC: every resource online, the clustered mailbox server moves',
    host: mailbox(
      {},
      { name: 'SEA-SCC-N1', cluster: { type: 'SCC', name: 'SEA-SCC', role: 'active', cms: 'SEA-SCC-CMS' } },
    ),
    steps: [step('move-cms', { cms: 'SEA-SCC-CMS', targetNode: 'SEA-SCC-N2' }, 'ok')],
  },
  {
    name: 'msiexec 1641: installed, the installer started a restart',
    host: cas({ restartExitCode: 1641 }),
    steps: [install('ok')],
  },
  {
    name: 'a service does not stop for the install',
    host: cas({ installFails: 'services-did-not-stop' }),
    steps: [install({ code: 'INSTALL_FAILED' }), verify({ code: 'BUILD_MISMATCH' })],
  },
];
