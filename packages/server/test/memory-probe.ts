import WebSocket from 'ws';
import { rssBytes } from '../../../bench/lib/proc.js';

/** One reading of a process's memory. */
export interface MemorySample {
  /** Milliseconds since the probe was attached. */
  readonly atMs: number;
  /** Resident set size, from VmRSS in /proc/<pid>/status. */
  readonly rssBytes: number;
  /** V8 heap in use right after a full garbage collection: what the process really holds. */
  readonly heapBytes: number;
}

/** Node options that open a process's inspector on 127.0.0.1 at `port`, for a MemoryProbe to attach to. */
export function inspectOptions(port: number): string {
  return `--inspect=127.0.0.1:${port}`;
}

/**
 * Reads the memory of another Node process from outside: RSS from /proc, and the heap after a forced full GC
 * through the process's inspector (started with `inspectOptions`), so that the process exposes nothing new.
 */
export class MemoryProbe {
  readonly #pending = new Map<number, (result: Record<string, unknown>) => void>();
  readonly #startedAt = performance.now();
  #nextId = 0;

  private constructor(
    readonly pid: number,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
      if (message.id === undefined) return;
      this.#pending.get(message.id)?.(message.result ?? {});
      this.#pending.delete(message.id);
    });
  }

  /** Attaches to the inspector of process `pid` listening on 127.0.0.1:`port`. */
  static async attach(pid: number, port: number): Promise<MemoryProbe> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const target = targets[0];
    if (!target) throw new Error(`no inspector target on port ${port}`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new MemoryProbe(pid, socket);
  }

  /** Reads the process's RSS, then forces a full GC in it and reads its heap in use. */
  async sample(): Promise<MemorySample> {
    const atMs = performance.now() - this.#startedAt;
    const rss = await rssBytes(this.pid);
    await this.#call('HeapProfiler.collectGarbage');
    const heap = await this.#call('Runtime.getHeapUsage');
    return { atMs, rssBytes: rss, heapBytes: Number(heap.usedSize) };
  }

  /** Detaches from the inspector. */
  close(): void {
    this.socket.close();
  }

  #call(method: string): Promise<Record<string, unknown>> {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 30 s`)), 30_000);
      this.#pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.socket.send(JSON.stringify({ id, method }));
    });
  }
}
