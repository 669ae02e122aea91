import type { AgentMessage } from '@exrollout/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient, type AgentClientOptions, type ClientError, type DisconnectInfo } from '../src/index.js';
import { type Peer, startPeer, waitUntil } from './peer.js';
import { RecordingLogger } from './recording-logger.js';
import { TestDriver } from './test-driver.js';

const CREDENTIAL = 'secret-credential';
let peer: Peer | undefined;
let client: AgentClient | undefined;

afterEach(async () => {
  await client?.stop();
  await peer?.close();
  client = undefined;
  peer = undefined;
});

async function setUp(options: Partial<AgentClientOptions> = {}) {
  peer = await startPeer({ heartbeatIntervalMs: 100 });
  peer.accept(CREDENTIAL, 'SEA-CAS01');
  const logger = new RecordingLogger();
  const driver = new TestDriver();
  client = new AgentClient({
    serverUrl: peer.url,
    credential: CREDENTIAL,
    name: 'SEA-CAS01',
    driver,
    logger,
    agentVersion: '0.1.0-test',
    reconnect: { baseMs: 10, maxMs: 40 },
    inventoryDebounceMs: 20,
    ...options,
  });
  return { peer, client, logger, driver };
}

const types = (messages: readonly AgentMessage[]) => messages.map((message) => message.type);
const count = (messages: readonly AgentMessage[], type: AgentMessage['type']) =>
  messages.filter((message) => message.type === type).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AgentClient against a protocol peer', () => {
  it('sends HELLO, then INVENTORY, then heartbeats on the WELCOME interval', async () => {
    const { peer, client } = await setUp();
    const events: string[] = [];
    client.on('connected', () => events.push('connected'));
    client.on('welcome', (welcome) => events.push(`welcome ${welcome.heartbeatIntervalMs}`));
    client.start();
    await peer.waitFor((messages) => count(messages, 'HEARTBEAT') >= 2);

    expect(types(peer.messages).slice(0, 4)).toEqual(['HELLO', 'INVENTORY', 'HEARTBEAT', 'HEARTBEAT']);
    expect(peer.messages[0]).toMatchObject({
      type: 'HELLO',
      payload: { name: 'SEA-CAS01', agentVersion: '0.1.0-test', driver: 'simulated' },
    });
    expect(peer.messages[1]).toMatchObject({
      type: 'INVENTORY',
      payload: { server: { name: 'SEA-CAS01', build: '8.1.336.1' }, host: { architecture: 'x64' } },
    });
    expect(events).toEqual(['connected', 'welcome 100']);
    expect(client.state).toBe('ready');
  });

  it('sends one fresh inventory for a burst of driver changes', async () => {
    const { peer, client, driver } = await setUp({ inventoryDebounceMs: 50 });
    client.start();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 1);
    driver.change('8.1.340.1');
    driver.change('8.1.340.1');
    driver.change('8.1.340.1');
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 2);
    await sleep(150);

    const inventories = peer.messages.filter((message) => message.type === 'INVENTORY');
    expect(inventories).toHaveLength(2);
    expect(inventories[1]).toMatchObject({ payload: { server: { build: '8.1.340.1' } } });
  });

  it('reconnects after the server closes with 1001 (shutting down) and 4005 (superseded)', async () => {
    const { peer, client } = await setUp();
    const disconnects: DisconnectInfo[] = [];
    client.on('disconnected', (info) => disconnects.push(info));
    client.start();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 1);
    peer.closeAll(1001, 'server shutting down');
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 2);
    peer.closeAll(4005, 'superseded');
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 3);

    expect(peer.connections).toHaveLength(3);
    expect(disconnects).toEqual([
      { code: 1001, reason: 'server shutting down', willReconnect: true },
      { code: 4005, reason: 'superseded', willReconnect: true },
    ]);
    expect(count(peer.messages, 'HELLO')).toBe(3);
  });

  it('stops for good with a fatal event when the server revokes the credential (4004)', async () => {
    const { peer, client, driver } = await setUp();
    const fatal: ClientError[] = [];
    client.on('fatal', (error) => fatal.push(error));
    client.start();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 1);
    peer.closeAll(4004, 'credential revoked');
    await waitUntil(() => fatal.length === 1);
    await sleep(150);

    expect(fatal[0]?.code).toBe('AGENT_ERR_CREDENTIAL_REVOKED');
    expect(fatal[0]?.message).toContain('re-enrol with --enrol TOKEN');
    expect(client.state).toBe('failed');
    expect(peer.connections).toHaveLength(1);
    expect(driver.listeners).toBe(0);
  });

  it('stops for good when the handshake is refused with 401', async () => {
    const { peer, client } = await setUp({ credential: 'not-the-credential' });
    const fatal: ClientError[] = [];
    const connected: string[] = [];
    client.on('fatal', (error) => fatal.push(error));
    client.on('connected', () => connected.push('connected'));
    client.start();
    await waitUntil(() => fatal.length === 1);
    await sleep(150);

    expect(fatal[0]?.code).toBe('AGENT_ERR_CREDENTIAL_REFUSED');
    expect(fatal[0]?.message).toBe('credential refused: re-enrol with --enrol TOKEN');
    expect(peer.refused).toBe(1);
    expect(connected).toEqual([]);
    expect(client.state).toBe('failed');
  });

  it('waits as long as a 429 refusal says before it tries again, then connects', async () => {
    // Issue 19 item 6: agents retrying at their own pace kept the login limiter's block alive.
    const { peer, client } = await setUp();
    peer.rateLimit(1, 1);
    const delays: number[] = [];
    client.on('reconnecting', ({ delayMs }) => delays.push(delayMs));
    client.start();
    await waitUntil(() => client.state === 'ready', 5000);

    expect(peer.upgrades).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
    expect((peer.upgrades[1] ?? 0) - (peer.upgrades[0] ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('reconnects when the server stops pinging for two intervals, though the socket stays open', async () => {
    // Issue 19 item 7: a link cut silently gave the agent no error; it waited for the kernel, minutes.
    const { peer, client, logger } = await setUp();
    const welcomes: number[] = [];
    client.on('welcome', () => welcomes.push(Date.now()));
    client.start();
    await waitUntil(() => welcomes.length === 1);
    await sleep(350);
    expect(peer.connections).toHaveLength(1);
    peer.goSilent();
    await waitUntil(() => welcomes.length === 2, 5000);

    expect(peer.connections).toHaveLength(2);
    expect(logger.at('warn')).toContain('nothing from the server for two ping intervals; reconnecting');
  });

  it('closes with 1000 on stop() and never reconnects afterwards', async () => {
    const { peer, client, driver } = await setUp();
    client.start();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 1);
    const closed = new Promise<number>((resolve) => peer.connections[0]?.socket.on('close', resolve));
    await client.stop();

    expect(await closed).toBe(1000);
    expect(client.state).toBe('stopped');
    const received = peer.messages.length;
    await sleep(250);
    expect(peer.messages.length).toBe(received);
    expect(peer.connections).toHaveLength(1);
    expect(driver.listeners).toBe(0);
  });

  it('keeps retrying with backoff while nothing listens, and stop() ends the retries', async () => {
    const { peer, client } = await setUp();
    const url = peer.url;
    await peer.close();
    const attempts: number[] = [];
    const delays: number[] = [];
    client.on('reconnecting', ({ attempt, delayMs }) => {
      attempts.push(attempt);
      delays.push(delayMs);
    });
    client.start();
    await waitUntil(() => attempts.length >= 4);
    await client.stop();
    const seen = attempts.length;
    await sleep(150);

    expect(attempts.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(delays.filter((delay) => delay >= 40)).toEqual([]);
    expect(attempts.length).toBe(seen);
    expect(client.url).toBe(`${url.replace('http', 'ws')}/agent/v1`);
  });

  it('logs and drops invalid server messages, and logs COMMAND without running or answering it', async () => {
    const { peer, client, logger } = await setUp();
    client.start();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 1);
    peer.sendAll('not json');
    peer.sendAll(JSON.stringify({ version: 1, type: 'WELCOME', payload: {} }));
    peer.sendAll(
      JSON.stringify({
        version: 1,
        type: 'COMMAND',
        payload: { commandId: 'c-1', rolloutId: 'r-1', step: 'install', args: {} },
      }),
    );
    peer.sendAll(JSON.stringify({ version: 1, type: 'ERROR', payload: { code: 'X', message: 'bad' } }));
    await waitUntil(() => logger.at('warn').length >= 4);
    await sleep(120);

    expect(logger.at('warn')).toEqual([
      'invalid message from the server dropped',
      'invalid message from the server dropped',
      'command received; this agent build does not run steps yet, so it is ignored',
      'the server reported an error',
    ]);
    expect(types(peer.messages).filter((type) => type !== 'HEARTBEAT')).toEqual(['HELLO', 'INVENTORY']);
    expect(client.state).toBe('ready');
  });

  it('reconnects after a dropped connection, and stop() is safe to call twice', async () => {
    const { peer, client } = await setUp();
    client.start();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 1);
    client.drop();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 2);
    await Promise.all([client.stop(), client.stop()]);

    expect(client.state).toBe('stopped');
    expect(peer.connections).toHaveLength(2);
  });

  it('starts again cleanly right after stop(), without the old connection interfering', async () => {
    const { peer, client } = await setUp();
    client.start();
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 1);
    const stopping = client.stop();
    client.start();
    await stopping;
    await peer.waitFor((messages) => count(messages, 'INVENTORY') === 2);
    await sleep(100);

    expect(client.state).toBe('ready');
    expect(peer.connections).toHaveLength(2);
    expect(peer.connections[1]?.socket.readyState).toBe(peer.connections[1]?.socket.OPEN);
  });
});
