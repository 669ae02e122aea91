import {
  COMPLIANCE_STATUSES,
  eligibility,
  InternetFacingPin,
  identifyBuild,
  normalizeBuild,
  releaseLabel,
  type UpdateRollup,
} from '@exrollout/core';
import Type, { type Static } from 'typebox';
import type { ServerRecord } from './stores/inventory-store.js';

/** Where a server stands against an update. */
export const ComplianceStatus = Type.Enum(COMPLIANCE_STATUSES);
export type ComplianceStatus = Static<typeof ComplianceStatus>;

/** A server's compliance with one update, with the planner's code and reason when it is excluded. */
export const Compliance = Type.Object({
  update: Type.String(),
  status: ComplianceStatus,
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});
export type Compliance = Static<typeof Compliance>;

/** A server as the API shows it. */
export const ServerView = Type.Object({
  name: Type.String(),
  fqdn: Type.Optional(Type.String()),
  site: Type.Optional(Type.String()),
  build: Type.String(),
  rollup: Type.Union([Type.String(), Type.Null()], {
    description: 'Release label such as "SP1 RU4"; null when the build is unknown.',
  }),
  roles: Type.Array(Type.String()),
  internetFacing: Type.Optional(
    Type.Boolean({
      description:
        "Client Access only: Internet-facing as the planner sees it: the operator's pin when there is one, else the agent's report (OWA ExternalUrl set).",
    }),
  ),
  internetFacingPin: Type.Optional(InternetFacingPin),
  reportedInternetFacing: Type.Optional(
    Type.Boolean({ description: "When pinned: what the server's agent reports, which the pin overrides." }),
  ),
  cluster: Type.Optional(
    Type.Object({
      type: Type.String(),
      name: Type.String(),
      role: Type.String(),
      cms: Type.Optional(Type.String()),
    }),
  ),
  interimUpdates: Type.Optional(Type.Array(Type.String())),
  owaCustomized: Type.Optional(Type.Boolean()),
  online: Type.Boolean(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  compliance: Compliance,
});
export type ServerView = Static<typeof ServerView>;

/** The release label of a build (`SP1 RU4`), or null when the catalog does not know it. */
export function rollupLabel(build: string): string | null {
  const identity = identifyBuild(build);
  return identity.kind === 'release' ? releaseLabel(identity.release) : null;
}

/** Where a server stands against an update, judged from its own report (build, PowerShell version) alone. */
export function complianceOf(record: ServerRecord, update: UpdateRollup): Compliance {
  const verdict = eligibility(record.report, update);
  if (verdict.kind === 'current') return { update: update.id, status: 'current' };
  if (verdict.kind === 'update') return { update: update.id, status: 'needs-update' };
  return { update: update.id, status: 'excluded', code: verdict.code, reason: verdict.reason };
}

/** The API view of a stored server, with its operator's Internet-facing pin if it has one. */
export function serverView(record: ServerRecord, update: UpdateRollup, pin?: InternetFacingPin): ServerView {
  const { report } = record;
  return {
    name: report.name,
    ...(report.fqdn ? { fqdn: report.fqdn } : {}),
    ...(report.site ? { site: report.site } : {}),
    build: normalizeBuild(report.build),
    rollup: rollupLabel(report.build),
    roles: [...report.roles],
    ...internetFacingView(report.internetFacing, pin),
    ...(report.cluster ? { cluster: { ...report.cluster } } : {}),
    ...(report.interimUpdates ? { interimUpdates: [...report.interimUpdates] } : {}),
    ...(report.owaCustomized !== undefined ? { owaCustomized: report.owaCustomized } : {}),
    online: record.online,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
    compliance: complianceOf(record, update),
  };
}

function internetFacingView(reported: boolean | undefined, pin: InternetFacingPin | undefined) {
  if (!pin) return reported === undefined ? {} : { internetFacing: reported };
  return {
    internetFacing: pin.internetFacing,
    internetFacingPin: pin,
    ...(reported === undefined ? {} : { reportedInternetFacing: reported }),
  };
}
