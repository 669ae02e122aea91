import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestingDepth } from './validation.js';

describe('nestingDepth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestingDepth('1', MAX_JSON_DEPTH)).toBe(0);
    expect(nestingDepth('{"a":[1,{"b":[]}]}', MAX_JSON_DEPTH)).toBe(4);
    expect(nestingDepth('{"a":"[[[[{{{{","b":"\\\\\\"[["}', MAX_JSON_DEPTH)).toBe(1);
    expect(nestingDepth('[[],[[]],[]]', MAX_JSON_DEPTH)).toBe(3);
  });

  it('stops counting just past the limit, however deep the text goes', () => {
    expect(nestingDepth('['.repeat(1_000_000), 32)).toBe(33);
  });
});
