import { describe, expect, it } from 'vitest';
import { normalisePercent, ProgressThrottle } from './progress.js';

describe('ProgressThrottle', () => {
  it('lets the first report, every new percent, and one report per interval through', () => {
    let now = 0;
    const throttle = new ProgressThrottle(1000, () => now);
    const admitted = [
      throttle.admit(undefined),
      throttle.admit(undefined),
      throttle.admit(10),
      throttle.admit(10),
      (() => {
        now = 999;
        return throttle.admit(10);
      })(),
      (() => {
        now = 1000;
        return throttle.admit(10);
      })(),
      throttle.admit(undefined),
      throttle.admit(11),
    ];
    expect(admitted).toEqual([true, false, true, false, false, true, false, true]);
  });

  it('normalises percents to integers from 0 to 100', () => {
    expect([
      normalisePercent(undefined),
      normalisePercent(-3),
      normalisePercent(33.6),
      normalisePercent(250),
    ]).toEqual([undefined, 0, 34, 100]);
    expect(normalisePercent(Number.NaN)).toBeUndefined();
  });
});
