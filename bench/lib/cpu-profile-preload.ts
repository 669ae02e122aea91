// Preloaded (node --require) into the exrollout server process when the gateway bench runs with --cpu-prof-dir
// (Node 20 refuses --cpu-prof in NODE_OPTIONS): each SIGUSR2 starts a V8 CPU profile, or stops the running one
// and writes it to $EXR_BENCH_CPU_PROF_DIR/server-<n>.cpuprofile, with the garbage collections (.gc.json) and,
// if asked, what was allocated (.heapprofile), so that the bench can profile one phase at a time. Built with esbuild (see gateway-children.ts).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';

const dir = process.env.EXR_BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  // The in-thread inspector session answers synchronously.
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  const heapSampling = process.env.EXR_BENCH_HEAP_SAMPLING;
  session.post('HeapProfiler.enable');
  let running = false;
  let written = 0;
  // Garbage collections while profiling, by kind (minor = scavenge, major = mark-compact): count and ms.
  let gc: Record<string, { count: number; ms: number }> = {};
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  new PerformanceObserver((list) => {
    if (!running) return;
    for (const entry of list.getEntries()) {
      const kind = kinds[(entry as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      const total = gc[kind] ?? { count: 0, ms: 0 };
      gc[kind] = { count: total.count + 1, ms: total.ms + entry.duration };
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    if (!running) {
      gc = {};
      // With EXR_BENCH_HEAP_SAMPLING=all, every sampled allocation (what the phase allocated); with =retained,
      // those still alive when it ends (what it left in memory).
      if (heapSampling)
        session.post('HeapProfiler.startSampling', {
          samplingInterval: 16_384,
          includeObjectsCollectedByMajorGC: heapSampling === 'all',
          includeObjectsCollectedByMinorGC: heapSampling === 'all',
        });
      session.post('Profiler.start');
      running = true;
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      written++;
      writeFileSync(
        join(dir, `server-${written}.gc.json`),
        JSON.stringify({ gc, heap: process.memoryUsage() }),
      );
      if (heapSampling)
        session.post('HeapProfiler.stopSampling', (heapError, heap) => {
          if (!heapError)
            writeFileSync(join(dir, `server-${written}.heapprofile`), JSON.stringify(heap.profile));
        });
      writeFileSync(join(dir, `server-${written}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
