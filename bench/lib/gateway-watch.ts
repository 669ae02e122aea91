import { access, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { rssBytes } from './proc.js';
import { round, sleep } from './types.js';

/** Runs a phase, CPU-profiled (see cpu-profile-preload.ts) or not. */
export type PhaseProfiler = <T>(phase: string, work: () => Promise<T>) => Promise<T>;

/** Runs the phase without a profile. */
export const noProfile: PhaseProfiler = (_phase, work) => work();

/** Profiles each phase of the server `pid` into `<dir>/exrollout-<phase>.cpuprofile`. */
export function phaseProfiler(pid: number, dir: string): PhaseProfiler {
  let written = 0;
  return async (phase, work) => {
    process.kill(pid, 'SIGUSR2');
    try {
      return await work();
    } finally {
      process.kill(pid, 'SIGUSR2');
      written++;
      const file = join(dir, `server-${written}.cpuprofile`);
      await waitForFile(file, 10_000);
      await rename(file, join(dir, `exrollout-${phase}.cpuprofile`));
      // The heap profile is there only with EXR_BENCH_HEAP_SAMPLING.
      for (const extension of ['gc.json', 'heapprofile']) {
        const from = join(dir, `server-${written}.${extension}`);
        await rename(from, join(dir, `exrollout-${phase}.${extension}`)).catch(() => undefined);
      }
    }
  };
}

async function waitForFile(file: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (
    !(await access(file).then(
      () => true,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`no ${file} within ${ms} ms`);
    await sleep(50);
  }
}

/** Samples a process's RSS every 250 ms until stopped; keeps the maximum, overall and since the last phase. */
export function watchRss(pid: number): { maxMib(): number; phaseMaxMib(): number; stop(): void } {
  let max = 0;
  let phaseMax = 0;
  const sample = () => {
    rssBytes(pid).then(
      (bytes) => {
        max = Math.max(max, bytes);
        phaseMax = Math.max(phaseMax, bytes);
      },
      () => undefined,
    );
  };
  sample();
  const timer = setInterval(sample, 250);
  const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
  return {
    maxMib: () => mib(max),
    phaseMaxMib: () => {
      const value = phaseMax;
      phaseMax = 0;
      return mib(value);
    },
    stop: () => clearInterval(timer),
  };
}
