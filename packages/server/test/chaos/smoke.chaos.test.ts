import { describe, expect, it } from 'vitest';

describe('chaos project', () => {
  it('runs', () => expect(1).toBe(1));
});
