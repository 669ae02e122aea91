import { describe, expect, it } from 'vitest';
import { createInstantClock, realClock } from './clock.js';
import { SimulatedDriver } from './driver.js';
import { casOnRu4, INSTALL_ARGS, RU6, run } from './test-fixtures.js';

describe('clocks', () => {
  it('the real clock waits, and stops waiting when the signal aborts', async () => {
    const started = Date.now();
    await realClock.sleep(20, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const sleeping = realClock.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('the instant clock adds up simulated time without waiting', async () => {
    const clock = createInstantClock();
    await clock.sleep(1500, new AbortController().signal);
    await clock.sleep(500, new AbortController().signal);
    expect([clock.sleeps, clock.elapsedMs]).toEqual([2, 2000]);
  });

  it('the driver runs on the real clock by default; timeScale 0 makes it instant', async () => {
    const driver = new SimulatedDriver(casOnRu4({ installSeconds: 3600, timeScale: 0 }));
    await expect(run(driver, 'install', INSTALL_ARGS)).resolves.toMatchObject({ build: RU6 });
  });
});
