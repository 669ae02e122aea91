// The benchmark runner of issue 7: runs the chosen benches, prints a table, writes bench/results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { agentIdleBench, bundleBench } from './agent-footprint.js';
import { failoverBench } from './failover.js';
import { gatewayBench } from './gateway.js';
import { type BenchOptions, type BenchResult, round } from './lib/types.js';
import { plannerBench } from './planner.js';
import { schedulerBench } from './scheduler.js';
import { stagingBench } from './staging.js';

const BENCHES = ['planner', 'agent', 'scheduler', 'gateway', 'failover', 'staging'] as const;
type BenchName = (typeof BENCHES)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'idle-seconds': { type: 'string' },
    agents: { type: 'string' },
    'gateway-seconds': { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, 'results', 'latest.json') },
  },
});

const quick = values.quick === true;
const idleSeconds = Number(values['idle-seconds'] ?? (quick ? 15 : 60));
if (!Number.isFinite(idleSeconds) || idleSeconds < 1 || idleSeconds > 600)
  throw new RangeError('--idle-seconds must be 1 to 600');
const only = (values.only?.split(',') ?? [...BENCHES]) as BenchName[];
for (const name of only) if (!BENCHES.includes(name)) throw new RangeError(`--only: unknown bench ${name}`);
const agents = optionalNumber('agents', 1, 50_000);
const gatewaySeconds = optionalNumber('gateway-seconds', 1, 600);
const options: BenchOptions = {
  quick,
  idleSeconds,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  ...(agents !== undefined ? { agents } : {}),
  ...(gatewaySeconds !== undefined ? { gatewaySeconds } : {}),
  ...(values['cpu-prof-dir'] ? { cpuProfDir: values['cpu-prof-dir'] } : {}),
};

const results: BenchResult[] = [];
const failures: { bench: string; error: string }[] = [];
const started = new Date();
for (const name of only) {
  process.stderr.write(`bench: ${name}...\n`);
  try {
    if (name === 'planner') results.push(...plannerBench(options));
    if (name === 'agent') results.push(await bundleBench(), ...(await agentIdleBench(options)));
    if (name === 'scheduler') results.push(...(await schedulerBench(options)));
    if (name === 'gateway') results.push(...(await gatewayBench(options)));
    if (name === 'failover') results.push(...(await failoverBench(options)));
    if (name === 'staging') results.push(...(await stagingBench(options)));
  } catch (error) {
    failures.push({
      bench: name,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.stderr.write(`bench: ${name} failed: ${String(error)}\n`);
  }
}

printTable(results);
const cpuList = cpus();
const report = {
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  // vite-node drops the script from argv: [node, vite-node, ...flags].
  command: ['npx vite-node bench/run.ts', ...process.argv.slice(2)].join(' '),
  options,
  machine: {
    platform: platform(),
    release: release(),
    node: process.version,
    cpuModel: cpuList[0]?.model,
    cpuCount: cpuList.length,
    cpus: cpuList.map(({ model, speed }) => ({ model, speed })),
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    freeMemMbAtEnd: Math.round(freemem() / 2 ** 20),
  },
  results,
  failures,
};
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\nwrote ${values.out}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;

function optionalNumber(name: 'agents' | 'gateway-seconds', min: number, max: number): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

function targetText(r: BenchResult): string {
  const op = r.targetIsMinimum ? '>=' : r.targetIsRatio ? '<=' : '<';
  return r.targetIsRatio ? `ratio ${op} ${r.target}` : `${op} ${r.target} ${r.unit}`;
}

function printTable(list: readonly BenchResult[]): void {
  const rows = list.map((r) => [
    r.name,
    `${r.figure} ${r.unit}`,
    r.baseline === null ? '-' : `${r.baseline} ${r.unit}`,
    String(round(r.ratio, 3)),
    targetText(r),
    r.pass ? 'PASS' : 'FAIL',
  ]);
  const header = ['bench', 'figure', 'baseline', 'ratio', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}
