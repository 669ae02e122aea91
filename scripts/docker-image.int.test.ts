import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { connectRedis, deleteKeysWithPrefix } from '@exrollout/server';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFiles, parseDockerfile, type ReplayedStage, replay } from './dockerfile.js';

const REPO = join(import.meta.dirname, '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID()}:`;
const root = mkdtempSync(join(tmpdir(), 'exr-image-'));
const hasEngine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
// Asynchronous: a build of minutes must not block the test runner's worker.
const exec = (command: string, args: string[], cwd = REPO) =>
  promisify(execFile)(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  const redis = await connectRedis(REDIS_URL);
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

/** Starts the image's command (in the replayed stage) and resolves to the address it logs. */
function start(
  stage: ReplayedStage,
  env: Record<string, string>,
): { child: ChildProcess; url: Promise<string> } {
  const [command = 'node', ...args] = stage.cmd ?? [];
  const child = spawn(command, args, {
    cwd: join(stage.root, stage.workdir),
    env: { PATH: process.env.PATH ?? '', ...stage.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; address?: string };
      if (entry.msg === 'exrollout server listening') resolve(String(entry.address));
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

describe.skipIf(hasEngine)('the Docker image, replayed where no Docker engine runs', () => {
  it('builds from only the files its COPY lines bring in, ships no devDependency, and starts the server', async () => {
    const stages = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
    const built = await replay(stages, { repo: REPO, files: contextFiles(REPO) }, root);
    const image = built.at(-1) as ReplayedStage;
    const app = join(image.root, image.workdir);

    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages).flatMap(([path, entry]) => (entry.dev ? [path] : []));
    expect(devOnly.length).toBeGreaterThan(50);
    expect(devOnly.filter((path) => existsSync(join(app, path)))).toEqual([]);
    expect(existsSync(join(app, 'node_modules', 'fastify'))).toBe(true);

    const agent = await exec(process.execPath, ['packages/agent/bin/exrollout-agent.mjs', '--help'], app);
    expect(agent.stdout).toMatch(/^Usage: exrollout-agent/);

    const server = start(image, {
      REDIS_URL,
      EXR_HOST: '127.0.0.1',
      EXR_PORT: '0',
      EXR_REDIS_PREFIX: prefix,
      EXR_LOG_LEVEL: 'info',
    });
    try {
      const url = await server.url;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const dashboard = await fetch(`${url}/`);
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('app.js');
    } finally {
      server.child.kill('SIGTERM');
    }
  }, 600_000);
});

describe.runIf(hasEngine)('the Docker image, where a Docker engine runs', () => {
  it('builds with docker build and its server answers /healthz', async () => {
    const tag = `exrollout:test-${randomUUID().slice(0, 8)}`;
    await exec('docker', ['build', '-t', tag, REPO]);
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const env = [
      'REDIS_URL',
      REDIS_URL,
      'EXR_HOST',
      '127.0.0.1',
      'EXR_PORT',
      port,
      'EXR_REDIS_PREFIX',
      prefix,
    ];
    const flags = env.flatMap((value, i) => (i % 2 === 0 ? ['-e', `${value}=${env[i + 1]}`] : []));
    const run = await exec('docker', ['run', '-d', '--rm', '--network', 'host', ...flags, tag]);
    try {
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (response) => response.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
    } finally {
      await exec('docker', ['rm', '-f', run.stdout.trim()]);
      await exec('docker', ['rmi', tag]);
    }
  }, 900_000);
});
