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

/** Decides from the build alone whether a server needs the update, has it, or cannot take it. */
export function eligibility(server: InventoryServer, update: UpdateRollup): Eligibility {
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
