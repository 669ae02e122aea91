import { DriverError } from '../../errors.js';

// PowerShell's tokenizer takes the typographic single quotes as quote characters too.
const SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it must find.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** True when a string holds a control character (newline, NUL, escape...), which no script argument may. */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

/**
 * A single-quoted PowerShell string literal: no variable expansion or subexpressions happen inside one, and
 * every quote character is doubled. Throws on control characters, which no argument of ours needs.
 */
export function psLiteral(value: string): string {
  if (hasControlCharacter(value))
    throw new DriverError('AGENT_ERR_DRIVER_CONFIG', 'refusing a control character in a PowerShell literal');
  return `'${value.replace(SINGLE_QUOTES, (quote) => quote + quote)}'`;
}

/** A PowerShell array literal of single-quoted strings: `@('a', 'b')`. */
export function psArray(values: readonly string[]): string {
  return `@(${values.map(psLiteral).join(', ')})`;
}

/** A PowerShell boolean: `$true` or `$false`. */
export function psBool(value: boolean): string {
  return value ? '$true' : '$false';
}

const WINDOWS_PATH = /^(?:[A-Za-z]:\\|\\\\[A-Za-z0-9._-]+\\)[^<>:"/|?*]*$/;

/** True for an absolute Windows path (`C:\...` or `\\host\share\...`) without characters Windows forbids. */
export function isWindowsPath(value: string): boolean {
  return value.length <= 240 && !hasControlCharacter(value) && WINDOWS_PATH.test(value);
}
