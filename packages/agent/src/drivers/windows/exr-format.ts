import { DriverError } from '../../errors.js';
import { isPowerShellStepErrorCode, type PowerShellStepErrorCode } from './codes.js';

/** What a script reported: its status, its error when it failed, and every value by key, in order. */
export interface ExrOutput {
  readonly status: 'ok' | 'error';
  readonly error?: { readonly code: PowerShellStepErrorCode; readonly message: string };
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** `EXR|` lines that could not be read (bad key, bad escape, wrong field count), for the log. */
  readonly malformed: readonly string[];
}

/** One `EXR|key|value` line, decoded. */
export interface ExrLine {
  readonly key: string;
  readonly value: string;
}

const PREFIX = 'EXR|';
const KEY = /^[a-z][A-Za-z0-9.]{0,63}$/;
const ESCAPE = /\\(u[0-9a-fA-F]{4}|.)/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', p: '|', n: '\n', r: '\r' };

/** Encodes a value the way the scripts' ConvertTo-ExrValue does: `\\`, `\p`, `\n`, `\r`, `\uXXXX`. */
export function escapeExrValue(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === '\\') out += '\\\\';
    else if (char === '|') out += '\\p';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code > 0x7e)
      // A code point past U+FFFF is two UTF-16 units, as PowerShell's [char] loop sees it.
      for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

/** Decodes a value; returns undefined when it holds an unknown escape or a lone trailing backslash. */
export function unescapeExrValue(text: string): string | undefined {
  if (/(^|[^\\])(\\\\)*\\$/.test(text)) return undefined;
  let bad = false;
  const value = text.replace(ESCAPE, (_, sequence: string) => {
    if (sequence.length === 5) return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    const simple = SIMPLE_ESCAPES[sequence];
    if (simple === undefined) bad = true;
    return simple ?? '';
  });
  return bad ? undefined : value;
}

/** Reads one stdout line: an ExrLine, `undefined` for a line outside the protocol, or 'malformed'. */
export function parseExrLine(line: string): ExrLine | 'malformed' | undefined {
  const text = line.replace(/\r$/, '').trimStart();
  if (!text.startsWith(PREFIX)) return undefined;
  const fields = text.slice(PREFIX.length).split('|');
  const [key, raw] = fields;
  if (fields.length !== 2 || key === undefined || raw === undefined || !KEY.test(key)) return 'malformed';
  const value = unescapeExrValue(raw);
  return value === undefined ? 'malformed' : { key, value };
}

/**
 * Parses a script's stdout. Lines outside the protocol are ignored (PowerShell warnings, banners); the
 * status line must appear exactly once, and a failure must carry a known `error.code` and a message.
 * Throws DriverError AGENT_ERR_DRIVER_OUTPUT otherwise.
 */
export function parseExrOutput(stdout: string): ExrOutput {
  const values = new Map<string, string[]>();
  const malformed: string[] = [];
  for (const line of stdout.split('\n')) {
    const parsed = parseExrLine(line);
    if (parsed === 'malformed') malformed.push(line.trim().slice(0, 200));
    else if (parsed) values.set(parsed.key, [...(values.get(parsed.key) ?? []), parsed.value]);
  }
  return { ...readStatus(values), values, malformed };
}

function readStatus(values: ReadonlyMap<string, readonly string[]>): Pick<ExrOutput, 'status' | 'error'> {
  const statuses = values.get('status') ?? [];
  const [status] = statuses;
  if (statuses.length !== 1 || (status !== 'ok' && status !== 'error'))
    throw outputError(
      statuses.length === 0
        ? 'the script output ends without an EXR|status line (truncated, or the script did not run)'
        : `the script output has an invalid status: ${JSON.stringify(statuses)}`,
    );
  if (status === 'ok') return { status };
  const code = single(values, 'error.code');
  const message = single(values, 'error.message') ?? '';
  if (code === undefined || !isPowerShellStepErrorCode(code))
    throw outputError(`the script failed with an unknown or missing error code: ${JSON.stringify(code)}`);
  return { status, error: { code, message } };
}

/** The only value of a key, or undefined when it is absent or repeated. */
export function single(values: ReadonlyMap<string, readonly string[]>, key: string): string | undefined {
  const all = values.get(key);
  return all?.length === 1 ? all[0] : undefined;
}

/** The keys present that the caller does not know, so that they can be logged rather than silently lost. */
export function unknownKeys(output: ExrOutput, known: ReadonlySet<string>): string[] {
  return [...output.values.keys()].filter((key) => !known.has(key) && !COMMON_KEYS.has(key));
}

/** Keys every script may emit. */
export const COMMON_KEYS: ReadonlySet<string> = new Set([
  'status',
  'error.code',
  'error.message',
  'progress',
  'transport.error',
]);

/** A DriverError for output the driver cannot read. */
export function outputError(message: string): DriverError {
  return new DriverError('AGENT_ERR_DRIVER_OUTPUT', message);
}
