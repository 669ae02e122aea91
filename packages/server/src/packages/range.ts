/** The bytes a Range header asks for, inclusive; `undefined` for the whole file, `'unsatisfiable'` past its end. */
export type ByteRange = { start: number; end: number } | undefined | 'unsatisfiable';

/**
 * Reads `Range: bytes=START-[END]` or `bytes=-SUFFIX` against a file of `size` bytes. Several ranges, or any other
 * unit, are answered with the whole file, as RFC 9110 allows a server to.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}
