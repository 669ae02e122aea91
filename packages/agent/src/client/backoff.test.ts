import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, DEFAULT_BACKOFF } from './backoff.js';

const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

describe('backoffCeiling', () => {
  it('doubles from baseMs and stops at maxMs', () => {
    const ceilings = Array.from({ length: 10 }, (_, attempt) => backoffCeiling(attempt, DEFAULT_BACKOFF));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('does not overflow for very many attempts', () => {
    expect(backoffCeiling(5000, DEFAULT_BACKOFF)).toBe(30_000);
  });
});

describe('Backoff', () => {
  it('draws each delay uniformly below the ceiling (full jitter)', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1000 }, sequence(0.999999, 0.5, 0, 0.25));
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([99, 100, 0, 200]);
  });

  it('never exceeds maxMs nor goes below zero, whatever the random source', () => {
    const backoff = new Backoff(DEFAULT_BACKOFF);
    for (let i = 0; i < 1000; i++) {
      const ceiling = backoffCeiling(backoff.attempt, DEFAULT_BACKOFF);
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
      expect(delay).toBeLessThan(DEFAULT_BACKOFF.maxMs);
    }
  });

  it('spreads delays across the window rather than fixing them', () => {
    const delays = new Set(
      Array.from({ length: 50 }, () => new Backoff({ baseMs: 10_000, maxMs: 10_000 }).next()),
    );
    expect(delays.size).toBeGreaterThan(40);
  });

  it('starts from the smallest window again after reset', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 10_000 }, () => 0.5);
    for (let i = 0; i < 5; i++) backoff.next();
    expect(backoff.attempt).toBe(5);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(50);
  });

  it('refuses bounds that make no sense', () => {
    expect(() => new Backoff({ baseMs: 0, maxMs: 100 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 200, maxMs: 100 })).toThrow(/baseMs <= maxMs/);
  });
});
