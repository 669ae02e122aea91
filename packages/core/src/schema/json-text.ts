import { formatPath } from './issues.js';

/** What is wrong with a JSON text before it is parsed: it nests too deep, or an object repeats a key. */
export type JsonTextProblem =
  | { readonly kind: 'too-deep'; readonly limit: number }
  | { readonly kind: 'duplicate-key'; readonly key: string; readonly path: readonly (string | number)[] };

interface Level {
  /** The keys seen so far in an object; undefined for an array. */
  readonly keys: Set<string> | undefined;
  /** An object: the last key read; an array: the index of the current element. */
  at: string | number;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Scans JSON text for what JSON.parse lets through silently: an object that repeats a key (the last one would
 * win, so `{"role":"viewer","role":"admin"}` would read as admin), and nesting deeper than `maxDepth` (which
 * code walking the value recursively would overflow on). Text that is not JSON is left to the parser.
 */
export function jsonTextProblem(
  text: string,
  maxDepth = Number.POSITIVE_INFINITY,
): JsonTextProblem | undefined {
  const stack: Level[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = decodeKey(text.slice(i, end + 1));
        if (key !== undefined && top.keys.has(key))
          return { kind: 'duplicate-key', key, path: stack.slice(0, -1).map((level) => level.at) };
        if (key !== undefined) top.keys.add(key);
        top.at = key ?? '';
        top.expectKey = false;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= maxDepth) return { kind: 'too-deep', limit: maxDepth };
      stack.push(
        c === 0x7b
          ? { keys: new Set(), at: '', expectKey: true }
          : { keys: undefined, at: 0, expectKey: false },
      );
    } else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return undefined;
}

/** Explains a problem in words, naming the body, message or document as `what`. */
export function describeJsonTextProblem(problem: JsonTextProblem, what: string): string {
  if (problem.kind === 'too-deep') return `${what} nests deeper than ${problem.limit} levels`;
  const where = problem.path.length > 0 ? ` in ${formatPath(problem.path)}` : '';
  return `${what} has the key ${JSON.stringify(problem.key)} twice${where}; a key may appear once in an object`;
}

/** The index of the quote that closes the string opening at `start` (or the text's end). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return text.length;
}

// "\u0072ole" and "role" are one key: escapes are decoded the way JSON.parse decodes them.
function decodeKey(literal: string): string | undefined {
  if (!literal.includes('\\')) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}
