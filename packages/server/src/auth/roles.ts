/** Operator roles, least to most powerful; each may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;

/** An operator role. */
export type Role = (typeof ROLES)[number];

/** True when `held` is at least `needed`. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
