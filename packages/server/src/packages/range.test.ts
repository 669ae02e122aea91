import { describe, expect, it } from 'vitest';
import { parseRange } from './range.js';

describe('parseRange', () => {
  it('resumes from an offset to the end, and clips an end past the file', () => {
    expect(parseRange('bytes=300-', 1000)).toEqual({ start: 300, end: 999 });
    expect(parseRange('bytes=0-4999', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
  });

  it('answers a start past the end as unsatisfiable, and anything else with the whole file', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-9', 1000)).toBeUndefined();
    expect(parseRange('items=1-2', 1000)).toBeUndefined();
    expect(parseRange('bytes=9-3', 1000)).toBeUndefined();
  });
});
