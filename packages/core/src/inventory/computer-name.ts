// The rules Windows applies to a computer name, from Microsoft's "Naming conventions in Active Directory for
// computers, domains, sites, and OUs" (KB 909264): a NetBIOS name of 1-15 characters that is also the DNS host
// name, so letters, digits and hyphens only, not starting or ending with a hyphen, not all digits, and none of
// the reserved words; and from "Naming Files, Paths, and Namespaces": the reserved device names.

/** Words KB 909264 reserves for names, and RFC 952's (the multi-word ones cannot pass the character rule). */
export const RESERVED_COMPUTER_NAMES: readonly string[] = [
  'ANONYMOUS',
  'BATCH',
  'BUILTIN',
  'DIALUP',
  'DOMAIN',
  'ENTERPRISE',
  'INTERACTIVE',
  'INTERNET',
  'LOCAL',
  'NETWORK',
  'NULL',
  'PROXY',
  'RESTRICTED',
  'SELF',
  'SERVER',
  'SERVICE',
  'SYSTEM',
  'USERS',
  'WORLD',
  'GATEWAY',
  'GW',
  'TAC',
];

const digits = Array.from({ length: 9 }, (_, i) => i + 1);

/** The device names Windows reserves in every path, so `\\CON\c$` names no computer. */
export const RESERVED_DEVICE_NAMES: readonly string[] = [
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...digits.map((n) => `COM${n}`),
  ...digits.map((n) => `LPT${n}`),
];

// JSON Schema patterns carry no flags: each letter of a reserved word matches both cases.
const anyCase = (word: string) =>
  [...word].map((c) => (/[A-Z]/.test(c) ? `[${c}${c.toLowerCase()}]` : c)).join('');
const RESERVED = [...RESERVED_COMPUTER_NAMES, ...RESERVED_DEVICE_NAMES].map(anyCase).join('|');

/**
 * The pattern of a Windows computer name: 1-15 letters, digits or hyphens, not starting or ending with a
 * hyphen, not all digits, not a reserved word or device name (compared case-insensitively).
 */
export const NETBIOS_NAME_PATTERN = `^(?![0-9]+$)(?!(?:${RESERVED})$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$`;

const SHAPE = /^[A-Za-z0-9-]{1,15}$/;

/** Why Windows would refuse `name` as a computer name, in words; undefined if it is a good one. */
export function computerNameProblem(name: string): string | undefined {
  const rule = 'must be a Windows computer name: 1-15 letters, digits or hyphens';
  if (!SHAPE.test(name)) return `${rule}${name.length > 15 ? ` (it has ${name.length} characters)` : ''}`;
  if (name.startsWith('-') || name.endsWith('-'))
    return `${rule}, not starting or ending with a hyphen (a DNS host name rule)`;
  if (/^[0-9]+$/.test(name)) return `${rule}, not all digits: Windows refuses a numeric computer name`;
  const upper = name.toUpperCase();
  if (RESERVED_DEVICE_NAMES.includes(upper))
    return `${rule}; ${upper} is a device name Windows reserves in every path`;
  if (RESERVED_COMPUTER_NAMES.includes(upper))
    return `${rule}; ${upper} is a word Windows reserves for names`;
  return undefined;
}

/** Explains why a value breaks `pattern` when the pattern is one of the named ones (a computer name). */
export function explainPattern(pattern: unknown, value: unknown): string | undefined {
  if (pattern !== NETBIOS_NAME_PATTERN || typeof value !== 'string') return undefined;
  return computerNameProblem(value);
}
