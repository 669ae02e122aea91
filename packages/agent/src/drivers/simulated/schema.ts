import { HostFacts, InventoryServer, PlanStep } from '@exrollout/core';
import Type, { type Static } from 'typebox';
import { STEP_ERROR_CODES } from '../step-errors.js';

const strict = { additionalProperties: false } as const;
const seconds = (description: string, fallback: number) =>
  Type.Optional(Type.Number({ minimum: 0, maximum: 86_400, default: fallback, description }));
const flag = (description: string) => Type.Optional(Type.Boolean({ default: false, description }));

/** A forced failure: every run of `step` (or its first `times` runs) fails with `code` and `message`. */
export const SimulatedFailure = Type.Object(
  {
    step: PlanStep,
    code: Type.Enum(STEP_ERROR_CODES, { description: 'The code the step fails with.' }),
    message: Type.String({ minLength: 1, maxLength: 2000 }),
    /** How many runs fail before the step succeeds again; every run when absent. */
    times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  strict,
);
export type SimulatedFailure = Static<typeof SimulatedFailure>;

/** How a simulated server behaves: durations and the failure modes of a real Exchange 2007 server. */
export const SimulatedBehaviour = Type.Object(
  {
    /** Simulated duration of `install`, in seconds. @default 2 */
    installSeconds: seconds('Duration of install, in seconds.', 2),
    /** Simulated duration of every other step, in seconds. @default 0.05 */
    stepSeconds: seconds('Duration of every step but install, in seconds.', 0.05),
    /** Multiplies every duration (0 makes every step instant). @default 1 */
    timeScale: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, default: 1 })),
    /** Forces one step to fail with a given code. @default undefined */
    failStep: Type.Optional(SimulatedFailure),
    /** msiexec fails halfway and rolls back: INSTALL_FAILED quoting "Return Value 3". @default undefined */
    /** ... or cannot stop a service it must replace (Error 1921), and fails the same way. */
    installFails: Type.Optional(Type.Enum(['msi-return-value-3', 'services-did-not-stop'])),
    /** The first N msiexec runs answer 1618: another installation is in progress. @default 0 */
    msiBusyRuns: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    /** msiexec succeeds with 3010 (restart required) or 1641 (restart started) instead of 0. @default undefined */
    restartExitCode: Type.Optional(Type.Union([Type.Literal(3010), Type.Literal(1641)])),
    /** KB 944752: managed services stay stopped after the install until the remedy is applied. @default false */
    servicesFailToStart: flag('Services do not start after the install (KB 944752).'),
    /** Emits `disconnect` halfway through the install, which still completes. @default false */
    disconnectDuringInstall: flag('The agent loses its connection during the install.'),
    /** Emits `reboot` halfway through the install, which still completes. @default false */
    rebootDuringInstall: flag('The host restarts during the install.'),
    /** The host never comes back from a restart (the server gives up with RESTART_TIMEOUT). @default false */
    restartHangs: flag('The host does not come back from a restart.'),
    /** The hooks in the agent's hooks folder, by name, and whether each succeeds; other names are missing. */
    hooks: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' }),
        Type.Enum(['succeeds', 'fails']),
      ),
    ),
    /** The publisher revocation check setting (WinTrust State) before an install turns it off. @default 0x23c00 */
    crlCheckState: Type.Optional(Type.String({ pattern: '^0x[0-9a-f]{1,8}$' })),
    /** SCC: a resource of the clustered mailbox server's group is offline, so move-cms refuses. @default false */
    sccResourceOffline: flag('An SCC cluster resource is offline.'),
    /** Windows has a restart pending (same as `host.pendingReboot`). @default false */
    pendingReboot: Type.Optional(Type.Boolean()),
    /** Free space on the system drive in MB (same as `host.systemDriveFreeMb`). @default 20480 */
    freeDiskMb: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Removing an interim update fails (msiexec 1603). @default false */
    iuRemovalFails: flag('Interim update removal fails.'),
    /** Copying the OWA files fails. @default false */
    owaBackupFails: flag('OWA backup fails.'),
    /** Move-ClusteredMailboxServer fails (replication unhealthy). @default false */
    cmsMoveFails: flag('The clustered mailbox server move fails.'),
    /** CCR: a storage group copy is not Healthy (Get-StorageGroupCopyStatus), so move-cms refuses. @default false */
    replicationUnhealthy: flag('A CCR storage group copy is not healthy.'),
    /** Why uninstall is refused even though the build says the rollup is installed. @default undefined */
    uninstallBlocked: Type.Optional(Type.Enum(['patch-not-registered', 'cache-missing'])),
    /** How the stage step behaves: its bandwidth, a download cut halfway (and resumed), a failure. */
    staging: Type.Optional(
      Type.Object(
        {
          mbps: Type.Optional(
            Type.Number({
              minimum: 0.001,
              maximum: 100_000,
              default: 100,
              description: 'Download speed, Mbit/s.',
            }),
          ),
          cutHalfway: flag('The download is cut at 50 % once, then resumed from there.'),
          failure: Type.Optional(
            Type.Enum(['unreachable', 'hash-mismatch'], {
              description:
                'unreachable: the server cannot be reached; hash-mismatch: the bytes received are not the package.',
            }),
          ),
        },
        strict,
      ),
    ),
    /** SHA-256 of each .msp on the host, by file name; other files are missing. No map: any file, any hash. */
    packages: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.msp$' }),
        Type.String({ pattern: '^[0-9a-f]{64}$' }),
        strict,
      ),
    ),
  },
  strict,
);
export type SimulatedBehaviour = Static<typeof SimulatedBehaviour>;

/** The JSON description of one simulated Exchange server: its inventory record, host facts and behaviour. */
export const SimulatedHost = Type.Object(
  {
    server: InventoryServer,
    host: Type.Optional(HostFacts),
    behaviour: Type.Optional(SimulatedBehaviour),
  },
  strict,
);
export type SimulatedHost = Static<typeof SimulatedHost>;

/** The behaviour of a server whose description leaves a knob out. */
export const BEHAVIOUR_DEFAULTS = Object.freeze({
  installSeconds: 2,
  stepSeconds: 0.05,
  timeScale: 1,
  freeDiskMb: 20_480,
});
