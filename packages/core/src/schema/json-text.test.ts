import { describe, expect, it } from 'vitest';
import { describeJsonTextProblem, jsonTextProblem } from './json-text.js';

describe('jsonTextProblem: duplicate keys', () => {
  it('finds a key an object repeats, which JSON.parse would let the last one win', () => {
    const text = '{"name":"noc","role":"viewer","role":"admin"}';
    expect(JSON.parse(text)).toEqual({ name: 'noc', role: 'admin' });
    expect(jsonTextProblem(text)).toEqual({ kind: 'duplicate-key', key: 'role', path: [] });
  });

  it('names where the object is, through objects and arrays', () => {
    expect(jsonTextProblem('{"policy":{"waves":[{"a":1},{"a":1,"b":2,"a":3}]}}')).toEqual({
      kind: 'duplicate-key',
      key: 'a',
      path: ['policy', 'waves', 1],
    });
  });

  it('decodes escapes as JSON.parse does: "\\u0072ole" is "role"', () => {
    expect(jsonTextProblem('{"role":"viewer","\\u0072ole":"admin"}')).toMatchObject({ key: 'role' });
  });

  it('accepts one key in sibling objects, values equal to keys, and brackets or quotes inside strings', () => {
    for (const text of [
      '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}',
      '{"a":"a","b":["a","a"],"c":"\\"a\\":{"}',
      '{"x":"}{,\\"x\\":","y":1}',
      '[1,"two",{"three":3},[{"three":3}]]',
      '"just a string"',
    ])
      expect(jsonTextProblem(text), text).toBeUndefined();
  });

  it('explains a duplicate in words', () => {
    const problem = jsonTextProblem('{"policy":{"concurrency":1,"concurrency":9}}');
    expect(problem && describeJsonTextProblem(problem, 'body')).toBe(
      'body has the key "concurrency" twice in policy; a key may appear once in an object',
    );
  });
});

describe('jsonTextProblem: nesting', () => {
  it('refuses nesting past the limit, counting arrays and objects but not brackets inside strings', () => {
    expect(jsonTextProblem('{"a":[1,{"b":[]}]}', 4)).toBeUndefined();
    expect(jsonTextProblem('{"a":[1,{"b":[[]]}]}', 4)).toEqual({ kind: 'too-deep', limit: 4 });
    expect(jsonTextProblem('{"a":"[[[[{{{{","b":"\\\\\\"[["}', 1)).toBeUndefined();
  });

  it('stops at the limit, however deep the text goes', () => {
    expect(jsonTextProblem('['.repeat(1_000_000), 32)).toEqual({ kind: 'too-deep', limit: 32 });
  });
});
