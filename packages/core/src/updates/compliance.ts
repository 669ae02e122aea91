/** How a server stands with an update: on it or later, in need of it, or unable to take it. */
export const COMPLIANCE_STATUSES = ['current', 'needs-update', 'excluded'] as const;

/** A server's compliance status with an update. */
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];
