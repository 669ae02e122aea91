import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@exrollout/agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPeer } from '../../agent/test/peer.js';
import { parseFleetSimArgs } from '../src/cli/args.js';
import { runFleetSim } from '../src/cli/run.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    streams: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
    },
  };
}

async function run(...args: string[]) {
  const { out, streams } = capture();
  const parsed = parseFleetSimArgs(args, streams);
  const exitCode =
    'exitCode' in parsed
      ? parsed.exitCode
      : await runFleetSim(parsed.config, { logger: silentLogger, out: streams, signals: new EventEmitter() });
  return { exitCode, ...out };
}

describe('exrollout-fleet-sim flags', () => {
  it.each([
    [['--generate', '5'], '--server URL is required'],
    [['--server', 'http://h'], 'give exactly one of --scenario FILE and --generate N'],
    [['--server', 'http://h', '--generate', '5', '--scenario', 'f.json'], 'give exactly one of'],
    [
      ['--server', 'http://h', '--generate', '0'],
      '--generate must be a whole number from 1 to 200000 (got "0")',
    ],
    [['--server', 'http://h', '--generate', 'ten'], '--generate must be a whole number'],
    [
      ['--server', 'http://h', '--scenario', 'f.json', '--seed', '3'],
      '--seed and --failure-rate apply to --generate',
    ],
    [
      ['--server', 'http://h', '--generate', '5', '--failure-rate', '2'],
      '--failure-rate must be a number from 0 to 1',
    ],
    [
      ['--server', 'http://h', '--generate', '5', '--concurrency', '0'],
      '--concurrency must be a whole number',
    ],
    [['--server', 'ftp://h', '--generate', '5'], '--server: server URL "ftp://h" must start with http://'],
    [['--server', 'http://h', '--generate', '5', '--log-level', 'loud'], '--log-level must be one of'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await run(...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`exrollout-fleet-sim: ${message}`);
  });

  it('prints a generated scenario without a server, the same for the same seed', async () => {
    const first = await run('--generate', '25', '--seed', '4', '--print-scenario');
    const again = await run('--generate', '25', '--seed', '4', '--print-scenario');
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout).servers).toHaveLength(25);
    expect(again.stdout).toBe(first.stdout);
  });

  it('reports an invalid scenario file by server and field, with exit code 2', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({ servers: [{ name: 'SEA-CAS01', build: '8.1.311.3', roles: ['CAS'] }] }),
    );
    const result = await run('--server', 'http://127.0.0.1:1', '--scenario', file);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`invalid ${file} (1 problem):`);
    expect(result.stderr).toContain('servers[0] "SEA-CAS01": roles[0]: must be one of Mailbox');
    const missing = await run('--server', 'http://127.0.0.1:1', '--scenario', join(dir, 'none.json'));
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('none.json: no such file');
  });

  it('runs a fleet for --duration and prints a JSON summary', async () => {
    const peer = await startPeer({ tokens: { t: 20 } });
    try {
      const result = await run(
        ...['--server', peer.url, '--generate', '12', '--enrol-token', 't', '--duration', '0.3', '--json'],
      );
      expect(result.exitCode).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({
        agents: 12,
        enrolled: 12,
        reusedCredentials: 0,
        ready: 12,
        notReady: [],
      });
      expect(result.stderr).toContain('credentials: 12/12');
      expect(result.stderr).toContain('stopping 12 agents');
    } finally {
      await peer.close();
    }
  });

  it('spreads the agents over every --server given, repeated or comma-separated', async () => {
    // Issue 19 item 8: the simulator took one --server, so multi-instance runs needed one process per instance.
    const peers = [
      await startPeer({ tokens: { t: 20 } }),
      await startPeer({ tokens: { t: 20 } }),
      await startPeer({ tokens: { t: 20 } }),
    ];
    try {
      const [a, b, c] = peers.map((peer) => peer.url) as [string, string, string];
      const result = await run(
        ...['--server', a, '--server', `${b},${c}`, '--generate', '12', '--enrol-token', 't'],
        ...['--duration', '0.3', '--json'],
      );
      expect(result.exitCode).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ agents: 12, ready: 12, serverUrls: [a, b, c] });
      expect(summary.agentsPerServer).toEqual({ [a]: 4, [b]: 4, [c]: 4 });
      for (const peer of peers) expect(new Set(peer.connections.map((one) => one.name)).size).toBe(4);
    } finally {
      for (const peer of peers) await peer.close();
    }
  });
});
