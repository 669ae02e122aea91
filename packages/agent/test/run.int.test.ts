import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@exrollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../src/cli/config.js';
import { runAgent } from '../src/cli/run.js';
import { readCredential, silentLogger } from '../src/index.js';
import { type Peer, startPeer, waitUntil } from './peer.js';
import { TestDriver } from './test-driver.js';

const VERIFY_ARGS = { targetBuild: '8.1.340.1', remedyKb944752: false };
let peer: Peer;
let stateDir: string;

beforeEach(async () => {
  peer = await startPeer({ tokens: { 'good-token': 5 } });
  stateDir = await mkdtemp(join(tmpdir(), 'exrollout-agent-run-'));
});
afterEach(async () => {
  await peer.close();
  await rm(stateDir, { recursive: true, force: true });
});

function start(config: Partial<AgentConfig>, driver?: TestDriver) {
  const signals = new EventEmitter();
  let stderr = '';
  const exit = runAgent(
    { driver: { kind: 'simulated', simFile: 'unused' }, stateDir, logLevel: 'silent', ...config },
    {
      logger: silentLogger,
      out: { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } },
      signals,
      createDriver: async (_choice, name) => driver ?? new TestDriver(name),
    },
  );
  return { exit, signals, stderr: () => stderr };
}

describe('runAgent', () => {
  it('enrols, stores the credential, runs, and exits 0 on SIGTERM', async () => {
    const run = start({ serverUrl: peer.url, enrolToken: 'good-token', name: 'SEA-CAS01' });
    await peer.waitFor((messages) => messages.some((message) => message.type === 'INVENTORY'));
    const stored = await readCredential(stateDir);
    expect(stored).toMatchObject({ serverUrl: peer.url, name: 'SEA-CAS01' });
    expect(stored?.credential).toBe(peer.credentials.get('sea-cas01'));
    run.signals.emit('SIGTERM');
    expect(await run.exit).toBe(0);

    const again = start({});
    await waitUntil(() => peer.connections.length === 2);
    again.signals.emit('SIGINT');
    expect(await again.exit).toBe(0);
    expect(run.signals.listenerCount('SIGINT')).toBe(0);
  });

  it('runs commands through a journal in the state directory, which a restarted agent answers from', async () => {
    const first = new TestDriver();
    const run = start({ serverUrl: peer.url, enrolToken: 'good-token', name: 'SEA-CAS01' }, first);
    await peer.waitFor((messages) => messages.some((message) => message.type === 'INVENTORY'));
    const verify: ServerMessage<'COMMAND'> = {
      version: 1,
      type: 'COMMAND',
      payload: { commandId: 'r-1:SEA-CAS01:verify:1', rolloutId: 'r-1', step: 'verify', args: VERIFY_ARGS },
    };
    peer.send(verify);
    await peer.waitFor((messages) => messages.some((message) => message.type === 'STEP_RESULT'));
    run.signals.emit('SIGTERM');
    expect(await run.exit).toBe(0);
    // Marking the result sent may still be writing its temporary file: count entries, not files.
    const entries = (await readdir(join(stateDir, 'journal'))).filter((name) => name.endsWith('.json'));
    expect(entries).toEqual([expect.stringMatching(/^r-1_SEA-CAS01_verify_1\.[0-9a-f]{16}\.json$/)]);

    const second = new TestDriver();
    const again = start({}, second);
    await waitUntil(() => peer.connections[1]?.name !== undefined);
    peer.send(verify);
    await peer.waitFor(
      (messages) => messages.filter((message) => message.type === 'STEP_RESULT').length === 2,
    );
    again.signals.emit('SIGTERM');
    expect(await again.exit).toBe(0);

    const results = peer.messages.filter((message) => message.type === 'STEP_RESULT');
    expect(results[0]).toMatchObject({ payload: { outcome: 'succeeded', details: { build: '8.1.336.1' } } });
    expect(results[1]).toEqual(results[0]);
    expect([first.steps, second.steps]).toEqual([['r-1:SEA-CAS01:verify:1'], []]);
  });

  it('exits 3 with the re-enrol message when the credential is refused', async () => {
    const run = start({ serverUrl: peer.url, enrolToken: 'good-token', name: 'SEA-CAS01' });
    await peer.waitFor((messages) => messages.some((message) => message.type === 'INVENTORY'));
    const credential = peer.credentials.get('sea-cas01') ?? '';
    peer.revoke(credential);
    peer.closeAll(4004, 'credential revoked');
    expect(await run.exit).toBe(3);
    expect(run.stderr()).toContain(
      'credential revoked by the server (credential revoked): re-enrol with --enrol TOKEN',
    );

    const later = start({});
    expect(await later.exit).toBe(3);
    expect(later.stderr()).toBe('exrollout-agent: credential refused: re-enrol with --enrol TOKEN\n');
  });

  it('exits 2 when not enrolled, for a refused token, or for a taken name', async () => {
    const notEnrolled = start({});
    expect(await notEnrolled.exit).toBe(2);
    expect(notEnrolled.stderr()).toContain('not enrolled: no credential in');

    const badToken = start({ serverUrl: peer.url, enrolToken: 'wrong', name: 'SEA-CAS01' });
    expect(await badToken.exit).toBe(2);
    expect(badToken.stderr()).toContain('the enrolment token was refused');

    peer.credentials.set('sea-cas02', 'x');
    const taken = start({ serverUrl: peer.url, enrolToken: 'good-token', name: 'SEA-CAS02' });
    expect(await taken.exit).toBe(2);
    expect(taken.stderr()).toContain('an agent named SEA-CAS02 is already enrolled');
  });

  it('exits 1 when the server cannot be reached at enrolment', async () => {
    const url = peer.url;
    await peer.close();
    peer = await startPeer();
    const run = start({ serverUrl: url, enrolToken: 'good-token', name: 'SEA-CAS01' });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('connection refused');
  });
});
