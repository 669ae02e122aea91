import { readFile } from 'node:fs/promises';
import { sleep } from './types.js';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/** Resident set size of a process in bytes, from VmRSS in /proc/<pid>/status. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** What one process did over a window, seen from outside. */
export interface ProcessUsage {
  readonly pid: number;
  readonly seconds: number;
  /** CPU time over the window / wall time, in percent of one core. */
  readonly cpuPercent: number;
  readonly cpuSeconds: number;
  readonly rssMaxBytes: number;
  readonly rssMeanBytes: number;
  readonly rssLastBytes: number;
  readonly samples: number;
}

/** Watches several processes over the same window of `seconds`, sampling RSS once a second. */
export async function watchProcesses(pids: readonly number[], seconds: number): Promise<ProcessUsage[]> {
  const startedAt = performance.now();
  const cpuStart = await Promise.all(pids.map(cpuSeconds));
  const rss: number[][] = pids.map(() => []);
  const samples = Math.max(1, Math.round(seconds));
  for (let i = 0; i < samples; i++) {
    const values = await Promise.all(pids.map(rssBytes));
    for (const [index, value] of values.entries()) rss[index]?.push(value);
    await sleep(startedAt + (i + 1) * 1000 - performance.now());
  }
  const cpuEnd = await Promise.all(pids.map(cpuSeconds));
  const wall = (performance.now() - startedAt) / 1000;
  return pids.map((pid, index) => {
    const list = rss[index] ?? [];
    const used = (cpuEnd[index] ?? 0) - (cpuStart[index] ?? 0);
    return {
      pid,
      seconds: wall,
      cpuPercent: (used / wall) * 100,
      cpuSeconds: used,
      rssMaxBytes: Math.max(...list),
      rssMeanBytes: list.reduce((sum, value) => sum + value, 0) / list.length,
      rssLastBytes: list[list.length - 1] ?? Number.NaN,
      samples: list.length,
    };
  });
}
