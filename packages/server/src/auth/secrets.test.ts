import { describe, expect, it } from 'vitest';
import { bearerSecret, hashSecret, newSecret, newTokenId } from './secrets.js';

describe('secrets', () => {
  it('makes token ids of 122 random bits (a version 4 UUID), not a prefix of one', () => {
    const ids = Array.from({ length: 1000 }, newTokenId);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes secrets of 256 random bits, prefixed by their kind, and finds them in a bearer header', () => {
    const secret = newSecret('exo');
    expect(secret).toMatch(/^exo_[A-Za-z0-9_-]{43}$/);
    expect(bearerSecret(`Bearer ${secret}`, 'exo')).toBe(secret);
    expect(bearerSecret(`Bearer ${secret}`, 'exa')).toBeUndefined();
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
  });
});
