import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { downloadPackage } from '@exrollout/agent';
import { fakeMsp, sha256Of, X64_FILE } from '../packages/server/test/package-files.js';
import { type BenchServer, call, startBenchServer } from './lib/server.js';
import { type BenchOptions, type BenchResult, median, round } from './lib/types.js';

/** Staging should reach at least this share of curl's throughput for the same file from the same server. */
const RATIO_TARGET = 0.8;
/** The rate the limited run asks for (EXR_PACKAGE_MBPS), and how far under or over it may land. */
const LIMIT_MBPS = 200;
const LIMIT_TOLERANCE = 0.1;

interface Setup {
  readonly server: BenchServer;
  readonly credential: string;
  readonly sha256: string;
  readonly size: number;
}

/**
 * Staging throughput (the agent's downloadPackage: Range-capable, hashing, to disk) against `curl -o` of the same
 * file from the same server process in the same run, alternating, median of the rounds; then one staging run
 * against a server limited by EXR_PACKAGE_MBPS, which should land near the limit.
 */
export async function stagingBench(options: BenchOptions): Promise<BenchResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'exrollout-bench-staging-'));
  try {
    const size = (options.quick ? 64 : 256) * 1_000_000;
    const file = join(work, X64_FILE);
    const sha256 = await writePackage(file, size);
    const free = await serve(options, work, 'free', {}, file, sha256, size);
    let results: BenchResult[];
    try {
      results = await compareWithCurl(free, work, options.quick ? 5 : 9);
    } finally {
      await free.server.stop();
    }
    const limitSize = (options.quick ? 25 : 100) * 1_000_000;
    const limitFile = join(work, 'limit', X64_FILE);
    const limitSha = await writePackage(limitFile, limitSize);
    const limited = await serve(
      options,
      work,
      'limited',
      { EXR_PACKAGE_MBPS: String(LIMIT_MBPS) },
      limitFile,
      limitSha,
      limitSize,
    );
    try {
      results.push(await limitedRun(limited, work));
    } finally {
      await limited.server.stop();
    }
    return results;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function compareWithCurl(setup: Setup, work: string, rounds: number): Promise<BenchResult[]> {
  const curl: number[] = [];
  const verified: number[] = [];
  const staged: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const out = join(work, `curl-${round}.msp`);
    const download = await timed(() => curlOnce(setup, out));
    curl.push(download);
    verified.push(download + (await timed(() => sha256sum(out, setup.sha256))));
    staged.push(await timed(() => stageOnce(setup, join(work, `stage-${round}`))));
    await rm(out, { force: true });
    await rm(join(work, `stage-${round}`), { recursive: true, force: true });
  }
  const mbps = (seconds: number) => round((setup.size * 8) / 1e6 / seconds, 1);
  const details = {
    bytes: setup.size,
    rounds,
    stageSeconds: staged.map((s) => round(s, 3)),
    curlSeconds: curl.map((s) => round(s, 3)),
    curlThenSha256sumSeconds: verified.map((s) => round(s, 3)),
    note: 'GET /agent/v1/packages/:sha256 from one exrollout-server process on 127.0.0.1, EXR_PACKAGE_MBPS=0; staging hashes while it writes to disk; curl -o writes to disk',
  };
  const result = (name: string, baseline: number): BenchResult => {
    const ratio = round(mbps(median(staged)) / baseline, 3);
    return {
      name,
      figure: mbps(median(staged)),
      baseline,
      ratio,
      unit: 'Mbit/s',
      target: RATIO_TARGET,
      targetIsRatio: true,
      targetIsMinimum: true,
      pass: ratio >= RATIO_TARGET,
      details,
    };
  };
  return [
    result('staging throughput vs curl', mbps(median(curl))),
    result('staging vs curl then sha256sum', mbps(median(verified))),
  ];
}

async function sha256sum(file: string, expected: string): Promise<void> {
  const output = await run('sha256sum', [file]);
  if (!output.startsWith(expected)) throw new Error('sha256sum: not the package');
}

async function limitedRun(setup: Setup, work: string): Promise<BenchResult> {
  const seconds = await timed(() => stageOnce(setup, join(work, 'stage-limited')));
  const figure = round((setup.size * 8) / 1e6 / seconds, 1);
  const ratio = round(figure / LIMIT_MBPS, 3);
  // The limit is there so that a wave does not saturate a WAN link: going over it is the failure that matters.
  return {
    name: `staging at EXR_PACKAGE_MBPS=${LIMIT_MBPS}`,
    figure,
    baseline: null,
    ratio,
    unit: 'Mbit/s',
    target: 1 + LIMIT_TOLERANCE,
    targetIsRatio: true,
    pass: ratio <= 1 + LIMIT_TOLERANCE && ratio >= 1 - 2 * LIMIT_TOLERANCE,
    details: {
      bytes: setup.size,
      seconds: round(seconds, 3),
      limitMbps: LIMIT_MBPS,
      floorRatio: 1 - 2 * LIMIT_TOLERANCE,
    },
  };
}

async function serve(
  options: BenchOptions,
  work: string,
  name: string,
  env: Record<string, string>,
  file: string,
  sha256: string,
  size: number,
): Promise<Setup> {
  const server = await startBenchServer(options.redisUrl, {
    EXR_PACKAGE_DIR: join(work, `store-${name}`),
    ...env,
  });
  try {
    await curlUpload(server, file);
    const enrol = await call(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { uses: 1 });
    const agent = await call(server, 'POST', '/agent/v1/enrol', undefined, {
      token: enrol.body.token,
      name: 'BENCH-MBX01',
    });
    return { server, credential: String(agent.body.credential), sha256, size };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function writePackage(path: string, size: number): Promise<string> {
  await rm(path, { force: true });
  await mkdir(dirname(path), { recursive: true });
  const bytes = fakeMsp(size);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject);
    out.end(bytes, resolve);
  });
  return sha256Of(bytes);
}

async function curlUpload(server: BenchServer, file: string): Promise<void> {
  await run('curl', [
    '-sS',
    '--fail-with-body',
    '-o',
    '/dev/null',
    '-X',
    'POST',
    '-H',
    `authorization: Bearer ${server.admin}`,
    '-H',
    'content-type: application/octet-stream',
    '-T',
    file,
    `${server.url}/api/v1/packages?file=${X64_FILE}`,
  ]);
}

async function curlOnce(setup: Setup, out: string): Promise<void> {
  await run('curl', [
    '-sS',
    '--fail',
    '-o',
    out,
    '-H',
    `authorization: Bearer ${setup.credential}`,
    `${setup.server.url}/agent/v1/packages/${setup.sha256}`,
  ]);
  if ((await stat(out)).size !== setup.size) throw new Error('curl: short download');
}

async function stageOnce(setup: Setup, directory: string): Promise<void> {
  const result = await downloadPackage({
    serverUrl: setup.server.url,
    credential: setup.credential,
    file: X64_FILE,
    sha256: setup.sha256,
    directory,
  });
  if (result.skipped || result.size !== setup.size) throw new Error('staging did not download the package');
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
  });
}
