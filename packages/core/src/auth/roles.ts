/** Operator roles, least to most powerful; each may do everything the ones before it may. */
export const OPERATOR_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;

/** An operator role. */
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** True when a token of role `held` may do what needs `needed`; an unknown role may do nothing. */
export function roleAllows(held: string, needed: OperatorRole): boolean {
  const rank = OPERATOR_ROLES.indexOf(held as OperatorRole);
  return rank >= 0 && rank >= OPERATOR_ROLES.indexOf(needed);
}
