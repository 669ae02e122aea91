import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { RolloutPolicy } from '../rollout/policy.js';
import { inputSchema } from './input.js';

describe('inputSchema', () => {
  it('leaves out of required every property with a default, at any depth, and keeps the rest', () => {
    const schema = Type.Object({
      name: Type.String(),
      uses: Type.Integer({ default: 1 }),
      nested: Type.Array(Type.Object({ a: Type.String({ default: 'x' }), b: Type.String() })),
      all: Type.Object({ c: Type.Boolean({ default: false }) }, { default: { c: false } }),
    });
    const relaxed = inputSchema(schema);
    expect(relaxed.required).toEqual(['name', 'nested']);
    const properties = relaxed.properties as Record<string, Record<string, unknown>>;
    expect((properties.nested?.items as Record<string, unknown> | undefined)?.required).toEqual(['b']);
    expect(properties.all?.required).toBeUndefined();
    expect(schema.required).toEqual(['name', 'uses', 'nested', 'all']);
  });

  it('makes a rollout policy of only its package hashes a valid input', () => {
    const relaxed = inputSchema(RolloutPolicy);
    expect(relaxed.required).toEqual(['packageSha256']);
    expect(relaxed.additionalProperties).toBe(false);
  });
});
