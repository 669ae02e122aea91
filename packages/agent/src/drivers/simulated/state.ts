import type { HostFacts, InventoryServer } from '@exrollout/core';
import type { HostSnapshot } from '../types.js';
import { BEHAVIOUR_DEFAULTS, type SimulatedFailure, type SimulatedHost } from './schema.js';

/** An update the simulated host installed, with the build it replaced (what an uninstall goes back to). */
export interface InstalledUpdate {
  readonly kb: string;
  readonly build: string;
  readonly previousBuild: string;
  /** Whether OWA was customised before the install: removing the update serves the old build's folder again. */
  readonly owaCustomizedBefore?: boolean;
}

/** Everything the simulated server is now: the inventory record and host facts, and what lies behind them. */
export interface SimulatedState extends HostSnapshot {
  readonly server: InventoryServer;
  /** Host facts with the defaults filled in: x64, no pending restart, 20480 MB free. */
  readonly host: HostFacts;
  /** Updates installed by this host's install steps. */
  readonly installedUpdates: readonly InstalledUpdate[];
  /** Exchange services that are stopped (after an install hit KB 944752). */
  readonly servicesStopped: readonly string[];
  /** True once verify applied the KB 944752 remedy (generatePublisherEvidence off). */
  readonly remedyKb944752Applied: boolean;
  /** The last OWA backup, and whether OWA was customised when it was taken. */
  readonly owaBackup?: { readonly path: string; readonly owaCustomized: boolean };
  /** The node that owns the cluster group ("Cluster Group"), for clustered nodes. */
  readonly clusterGroupOwner?: string;
  /** How many times the host restarted. */
  readonly reboots: number;
  /** When the host booted after each restart step, by command id: the same command run again does not restart. */
  readonly restartsByCommand: Readonly<Record<string, string>>;
  /** How many more msiexec runs answer 1618 (another installation is in progress). */
  readonly msiBusyRunsLeft: number;
  /** Packages the stage step put in the package directory: SHA-256 by file name. */
  readonly stagedPackages: Readonly<Record<string, string>>;
}

/** @internal The driver's own, mutable copy of the state. */
export type MutableState = {
  -readonly [Key in keyof SimulatedState]: SimulatedState[Key];
};

/** @internal The behaviour knobs with the defaults filled in, durations in milliseconds. */
export interface ResolvedBehaviour {
  readonly installMs: number;
  readonly stepMs: number;
  readonly failStep?: SimulatedFailure;
  readonly installFails?: 'msi-return-value-3' | 'services-did-not-stop';
  readonly restartExitCode?: 3010 | 1641;
  readonly servicesFailToStart: boolean;
  readonly disconnectDuringInstall: boolean;
  readonly rebootDuringInstall: boolean;
  readonly iuRemovalFails: boolean;
  readonly owaBackupFails: boolean;
  readonly cmsMoveFails: boolean;
  readonly replicationUnhealthy: boolean;
  readonly uninstallBlocked?: 'patch-not-registered' | 'cache-missing';
  readonly restartHangs: boolean;
  readonly hooks: Readonly<Record<string, 'succeeds' | 'fails'>>;
  readonly crlCheckState: string;
  readonly sccResourceOffline: boolean;
  /** SHA-256 by file name of the packages on the host; undefined: any package is there, with any hash. */
  readonly packages?: Readonly<Record<string, string>>;
  /** The stage step: download speed in bytes per simulated millisecond, a cut halfway, a failure. */
  readonly staging: {
    readonly bytesPerMs: number;
    readonly cutHalfway: boolean;
    readonly failure?: 'unreachable' | 'hash-mismatch';
  };
}

/** @internal Fills in the defaults of a (valid) description's behaviour. */
export function resolveBehaviour(description: SimulatedHost): ResolvedBehaviour {
  const knobs = description.behaviour ?? {};
  const scale = knobs.timeScale ?? BEHAVIOUR_DEFAULTS.timeScale;
  const ms = (seconds: number) => Math.round(seconds * 1000 * scale);
  return {
    installMs: ms(knobs.installSeconds ?? BEHAVIOUR_DEFAULTS.installSeconds),
    stepMs: ms(knobs.stepSeconds ?? BEHAVIOUR_DEFAULTS.stepSeconds),
    ...(knobs.failStep ? { failStep: knobs.failStep } : {}),
    ...(knobs.installFails ? { installFails: knobs.installFails } : {}),
    ...(knobs.restartExitCode ? { restartExitCode: knobs.restartExitCode } : {}),
    servicesFailToStart: knobs.servicesFailToStart === true,
    disconnectDuringInstall: knobs.disconnectDuringInstall === true,
    rebootDuringInstall: knobs.rebootDuringInstall === true,
    iuRemovalFails: knobs.iuRemovalFails === true,
    owaBackupFails: knobs.owaBackupFails === true,
    cmsMoveFails: knobs.cmsMoveFails === true,
    replicationUnhealthy: knobs.replicationUnhealthy === true,
    ...(knobs.uninstallBlocked ? { uninstallBlocked: knobs.uninstallBlocked } : {}),
    restartHangs: knobs.restartHangs === true,
    hooks: { ...(knobs.hooks ?? {}) },
    crlCheckState: knobs.crlCheckState ?? '0x23c00',
    sccResourceOffline: knobs.sccResourceOffline === true,
    ...(knobs.packages ? { packages: { ...knobs.packages } } : {}),
    staging: {
      // A time scale of 0 makes every step instant, staging too.
      bytesPerMs: scale === 0 ? Number.POSITIVE_INFINITY : ((knobs.staging?.mbps ?? 100) * 125) / scale,
      cutHalfway: knobs.staging?.cutHalfway === true,
      ...(knobs.staging?.failure ? { failure: knobs.staging.failure } : {}),
    },
  };
}

/** @internal The state a (valid) description starts in. */
export function initialState(description: SimulatedHost): MutableState {
  const knobs = description.behaviour ?? {};
  const facts = description.host ?? {};
  const server = structuredClone(description.server);
  return {
    server,
    host: {
      ...facts,
      architecture: facts.architecture ?? 'x64',
      pendingReboot: knobs.pendingReboot ?? facts.pendingReboot ?? false,
      systemDriveFreeMb: knobs.freeDiskMb ?? facts.systemDriveFreeMb ?? BEHAVIOUR_DEFAULTS.freeDiskMb,
      elevated: facts.elevated ?? true,
      dotNet20Sp1: facts.dotNet20Sp1 ?? true,
    },
    installedUpdates: [],
    servicesStopped: [],
    remedyKb944752Applied: false,
    ...(server.cluster?.role === 'active' ? { clusterGroupOwner: server.name } : {}),
    reboots: 0,
    restartsByCommand: {},
    msiBusyRunsLeft: knobs.msiBusyRuns ?? 0,
    stagedPackages: {},
  };
}

/** @internal Freezes a plain JSON value and everything in it. */
export function deepFreeze<Value>(value: Value): Value {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
