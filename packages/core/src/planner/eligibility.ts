import { canonicalBuild } from '../exchange/build.js';
import { compareLines, identifyBuild, releaseLabel } from '../exchange/identify.js';
import type { InventoryServer } from '../inventory/schema.js';
import type { UpdateRollup } from '../updates/catalog.js';
import type { ExclusionCode } from './schema.js';

/** Whether one server, on its own, can take an update. */
export type Eligibility =
  | { readonly kind: 'update' }
  | { readonly kind: 'current'; readonly reason: string }
  | { readonly kind: 'exclude'; readonly code: ExclusionCode; readonly reason: string };

const DETECT_HINT =
  'Read the ExSetup.exe file version on the server (Get-Command ExSetup | ForEach {$_.FileVersionInfo}) and correct the inventory.';

/**
 * Decides from the build (and, for a server that needs the update, the PowerShell version) whether a server
 * needs the update, has it, or cannot take it.
 */
export function eligibility(server: InventoryServer, update: UpdateRollup): Eligibility {
  const verdict = byBuild(server, update);
  if (verdict.kind !== 'update') return verdict;
  return byPowerShell(server.powershellVersion) ?? verdict;
}

/**
 * The agent's scripts need PowerShell 2.0 (try/catch, WinRM); Windows Management Framework 3.0 or later on an
 * Exchange 2007 server makes rollup installs fail with 80070643 (reference part 2). No version: not known, let in.
 */
function byPowerShell(version: string | undefined): Eligibility | undefined {
  const major = version === undefined ? undefined : Number.parseInt(version, 10);
  if (major === undefined || major === 2) return undefined;
  if (major < 2)
    return {
      kind: 'exclude',
      code: 'POWERSHELL_1',
      reason: `Runs Windows PowerShell ${version}; the update's scripts need PowerShell 2.0. Install Windows Management Framework 2.0 (KB 968930), then plan again.`,
    };
  return {
    kind: 'exclude',
    code: 'POWERSHELL_3_OR_LATER',
    reason: `Runs Windows PowerShell ${version}: Windows Management Framework 3.0 or later on Exchange 2007 makes rollup installs fail (80070643, "Setup ended prematurely because of an error"). Remove it (back to PowerShell 2.0) first, then plan again.`,
  };
}

function byBuild(server: InventoryServer, update: UpdateRollup): Eligibility {
  const identity = identifyBuild(server.build);
  const build = canonicalBuild(server.build);
  switch (identity.kind) {
    case 'invalid':
    case 'not-exchange-2007':
      return {
        kind: 'exclude',
        code: 'UNKNOWN_BUILD',
        reason: `Build ${build} is not an Exchange Server 2007 build (those start with 8.). ${DETECT_HINT}`,
      };
    case 'unknown-in-line':
      return (
        byLine(identity.line, `${build} (Exchange 2007 ${identity.line})`, update) ??
        unknownInLine(build, identity.line)
      );
    case 'release': {
      const label = `${build} (Exchange 2007 ${releaseLabel(identity.release)})`;
      const other = byLine(identity.release.line, label, update);
      if (other) return other;
      if (identity.release.rollup >= update.rollup)
        return {
          kind: 'current',
          reason: `Already on ${label}, which includes ${update.id} (${update.targetBuild}): nothing to do.`,
        };
      return { kind: 'update' };
    }
  }
}

function byLine(line: UpdateRollup['line'], label: string, update: UpdateRollup): Eligibility | undefined {
  const order = compareLines(line, update.line);
  if (order < 0)
    return {
      kind: 'exclude',
      code: `NOT_${update.line}`,
      reason: `On ${label}. ${update.id} applies to ${update.line} only; the ${line} rollup series is separate. Install ${update.line} first, then this rollup.`,
    };
  if (order > 0)
    return {
      kind: 'exclude',
      code: 'NEWER_SERVICE_PACK',
      reason: `On ${label}, newer than ${update.line}. ${update.id} is for ${update.line} only; an ${line} server takes the rollups of ${line}.`,
    };
  return undefined;
}

function unknownInLine(build: string, line: string): Eligibility {
  return {
    kind: 'exclude',
    code: 'UNKNOWN_BUILD',
    reason: `Build ${build} looks like Exchange 2007 ${line} but matches no known release or rollup. ${DETECT_HINT}`,
  };
}
