import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { AgentMessage, InventoryServer } from '@exrollout/core';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { enrolAgent, eventually, RawAgent, startTestServer, type TestServer } from './helpers.js';

const hub = (name: string, build = '8.1.311.3'): InventoryServer => ({
  name,
  site: 'HQ',
  build,
  roles: ['HubTransport'],
});
const inventory = (server: InventoryServer): AgentMessage<'INVENTORY'> => ({
  version: 1,
  type: 'INVENTORY',
  payload: { server, host: { architecture: 'x64' }, collectedAt: new Date().toISOString() },
});

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Resolves when the server side of the next TCP connection from `localPort` closes. */
function serverSideClosed(s: TestServer): (localPort: number) => Promise<void> {
  const closed = new Map<number, Promise<void>>();
  s.app.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort ?? 0;
    closed.set(port, new Promise((resolve) => socket.once('close', () => resolve())));
  });
  return async (localPort) => {
    await eventually(async () => closed.has(localPort), 5000, 'the server saw the connection');
    await closed.get(localPort);
  };
}

describe('sockets that say nothing', () => {
  // Pings would cut a silent agent after two heartbeats: long ones here, so that only the HELLO timeout acts.
  const quiet = { helloTimeoutMs: 300, heartbeatIntervalMs: 60_000, offlineAfterMs: 120_000 };

  it('closes a TCP connection that sends no request, or half of one, after the HELLO timeout', async () => {
    server = await startTestServer(quiet);
    const { port } = new URL(server.url);
    for (const start of ['', 'GET /agent/v1 HTTP/1.1\r\nHost: x\r\n']) {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(start));
      socket.resume();
      await new Promise((resolve) => socket.once('close', resolve));
    }
  });

  it('cuts an agent socket that never says HELLO, even when it never reads the close frame', async () => {
    server = await startTestServer(quiet);
    const closed = serverSideClosed(server);
    const silent = new WebSocket(server.wsUrl, {
      headers: { authorization: `Bearer ${await enrolAgent(server, 'IDLE01')}` },
    });
    const localPort = await new Promise<number>((resolve) =>
      silent.once('upgrade', (response) => {
        response.socket.pause();
        resolve(response.socket.localPort ?? 0);
      }),
    );
    await closed(localPort);
    expect(server.connections.size).toBe(0);
  });

  it('still closes a well-behaved silent agent with 4002', async () => {
    server = await startTestServer(quiet);
    const agent = await RawAgent.connect(server.wsUrl, await enrolAgent(server, 'IDLE02'));
    expect((await agent.closed).code).toBe(4002);
  });
});

describe('INVENTORY per agent', () => {
  it('stores at most the limit within the window, refuses the rest without a log line each, and counts per agent', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await startTestServer(
      { inventoryLimit: 3, inventoryLimitWindowSeconds: 600, maxInvalidMessages: 100 },
      undefined,
      undefined,
      pino({ level: 'warn' }, sink),
    );
    const s = server;
    const credential = await enrolAgent(s, 'HUB01');
    const flooder = await RawAgent.connect(s.wsUrl, credential);
    await flooder.hello('HUB01');
    for (const build of ['8.1.311.3', '8.1.311.3', '8.1.336.1']) flooder.send(inventory(hub('HUB01', build)));
    await eventually(async () => (await s.inventory.get('HUB01'))?.report.build === '8.1.336.1');
    for (let i = 0; i < 20; i++) flooder.send(inventory(hub('HUB01', '8.1.340.1')));
    for (let i = 0; i < 20; i++) {
      const error = await flooder.next('ERROR');
      expect(error.payload.code).toBe('PROTOCOL_RATE_LIMITED');
      expect(error.payload.message).toMatch(
        /^more than 3 INVENTORY messages within 600 s: this one was not stored/,
      );
    }
    expect((await s.inventory.get('HUB01'))?.report.build).toBe('8.1.336.1');
    expect(lines.filter((line) => line.includes('PROTOCOL_RATE_LIMITED'))).toHaveLength(1);

    // Another agent is not limited by it, and the count lives in Redis: reconnecting does not reset it.
    flooder.close();
    await flooder.closed;
    const again = await RawAgent.connect(s.wsUrl, await enrolAgent(s, 'HUB02'));
    await again.hello('HUB02');
    again.send(inventory(hub('HUB02')));
    await eventually(async () => (await s.inventory.get('HUB02')) !== undefined);
    const reconnected = await RawAgent.connect(s.wsUrl, credential);
    await reconnected.hello('HUB01');
    reconnected.send(inventory(hub('HUB01', '8.1.340.1')));
    expect((await reconnected.next('ERROR')).payload.code).toBe('PROTOCOL_RATE_LIMITED');
    again.close();
    reconnected.close();
  });
});
