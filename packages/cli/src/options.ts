import { EXCHANGE_ROLES, type ExchangeRole } from '@exrollout/core';
import { CliError } from './errors.js';

/** Parses a comma-separated flag value, appending to the values of earlier occurrences. */
export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
];

/** Parses a flag value that must be a whole number of at least `min`. */
export function integer(flag: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new CliError(
        'CLI_ERR_USAGE',
        `${flag} must be a whole number of at least ${min}, not "${value}"`,
      );
    return n;
  };
}

/** The Exchange role named by `text`, case-insensitively. */
export function toRole(text: string): ExchangeRole {
  const role = EXCHANGE_ROLES.find((known) => known.toLowerCase() === text.toLowerCase());
  if (!role)
    throw new CliError('CLI_ERR_USAGE', `unknown role "${text}"; roles are ${EXCHANGE_ROLES.join(', ')}`);
  return role;
}
