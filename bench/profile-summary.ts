// Summarises V8 profiles: where the sampled time (.cpuprofile) or the sampled allocations (.heapprofile) went,
// by function (self and inclusive) and by package.
// npx vite-node bench/profile-summary.ts [--top 25] <file.cpuprofile|file.heapprofile>...
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { round } from './lib/types.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: CallFrame; children?: readonly number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}
interface HeapNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

/** One call stack (outermost first) and what it weighed: microseconds of CPU, or bytes allocated. */
type Weighed = { readonly stack: readonly CallFrame[]; readonly weight: number };

interface Row {
  readonly name: string;
  readonly self: number;
  readonly total: number;
}

function cpuStacks(profile: CpuProfile): Weighed[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // A sample weighs the time to the next one.
  return profile.samples.map((id, i) => {
    const stack: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) stack.unshift(node.callFrame);
    }
    return { stack, weight: profile.timeDeltas[i + 1] ?? 0 };
  });
}

function heapStacks(head: HeapNode, above: readonly CallFrame[] = []): Weighed[] {
  const stack = [...above, head.callFrame];
  return [{ stack, weight: head.selfSize }, ...head.children.flatMap((child) => heapStacks(child, stack))];
}

/** Self and inclusive weight per function, and self weight per package, largest first. */
export function summarise(stacks: readonly Weighed[]): { total: number; functions: Row[]; packages: Row[] } {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const packages = new Map<string, number>();
  let sum = 0;
  for (const { stack, weight } of stacks) {
    const leaf = stack[stack.length - 1];
    if (!leaf || weight === 0) continue;
    sum += weight;
    add(self, functionKey(leaf), weight);
    add(packages, packageOf(leaf), weight);
    for (const key of new Set(stack.map(functionKey))) add(total, key, weight);
  }
  const rows = (map: Map<string, number>) =>
    [...map.keys()].map((name) => ({ name, self: self.get(name) ?? 0, total: total.get(name) ?? 0 }));
  return {
    total: sum,
    functions: rows(total),
    packages: [...packages.entries()].map(([name, w]) => ({ name, self: w, total: w })),
  };
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function functionKey({ functionName, url, lineNumber }: CallFrame): string {
  const file = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/packages\//, 'packages/');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

function packageOf({ url, functionName }: CallFrame): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  const workspace = /packages\/([^/]+)\/(?:dist|src)\/(.*?)(?:\/[^/]+)?$/.exec(url);
  return workspace ? `@exrollout/${workspace[1]} ${workspace[2]}` : url;
}

function print(file: string, stacks: readonly Weighed[], unit: 'ms' | 'KiB', top: number): void {
  const { total, functions, packages } = summarise(stacks);
  const scale = unit === 'ms' ? 1000 : 1024;
  const pct = (w: number) => `${String(round((w / Math.max(1, total)) * 100, 1)).padStart(5)}%`;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\n${file}: ${round(total / scale, 1)} ${unit} sampled\n\nby package (self):`);
  for (const p of packages.sort((a, b) => b.self - a.self).slice(0, top)) out(`  ${pct(p.self)}  ${p.name}`);
  out('\nby function (self):');
  for (const f of [...functions].sort((a, b) => b.self - a.self).slice(0, top))
    out(`  ${pct(f.self)}  (incl ${pct(f.total)})  ${f.name}`);
  out('\nby function (inclusive):');
  for (const f of [...functions].sort((a, b) => b.total - a.total).slice(0, top))
    out(`  ${pct(f.total)}  (self ${pct(f.self)})  ${f.name}`);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile | { head: HeapNode };
  if ('head' in profile) print(file, heapStacks(profile.head), 'KiB', Number(values.top));
  else print(file, cpuStacks(profile), 'ms', Number(values.top));
}
