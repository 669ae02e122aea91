// A small gateway peer for socket tests: it speaks the agent protocol (enrolment and /agent/v1) on 127.0.0.1,
// port 0. It is a test peer written from the contract, not a mock of packages/server.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentMessage, decodeAgentMessage, encodeMessage, type ServerMessage } from '@exrollout/core';
import { type WebSocket, WebSocketServer } from 'ws';

/** What the peer answers in WELCOME. */
export interface PeerOptions {
  readonly heartbeatIntervalMs?: number;
  readonly inventoryIntervalMs?: number;
  /** Enrolment tokens and how many uses each has left. */
  readonly tokens?: Record<string, number>;
}

/** One accepted gateway connection. */
export interface PeerConnection {
  readonly socket: WebSocket;
  readonly credential: string;
  readonly messages: AgentMessage[];
  /** The name its HELLO gave, once received. */
  name?: string;
}

/** A running peer: its URL, what it received, and knobs to misbehave. */
export interface Peer {
  readonly url: string;
  readonly connections: PeerConnection[];
  /** Upgrades refused with 401, counted. */
  readonly refused: number;
  /** Every agent message received, across connections, in order. */
  readonly messages: AgentMessage[];
  /** Credentials issued by enrolment, by name. */
  readonly credentials: Map<string, string>;
  /** Adds a credential the gateway accepts. */
  accept(credential: string, name: string): void;
  /** Makes the gateway refuse a credential at the handshake. */
  revoke(credential: string): void;
  /** Refuses the next `times` upgrades with 429 and `Retry-After: seconds`, as the server's login limiter does. */
  rateLimit(seconds: number, times: number): void;
  /** When each upgrade request arrived (ms since the epoch), refused ones included. */
  readonly upgrades: number[];
  /** Stops pinging the open connections, without closing them: a server that went silent. */
  goSilent(): void;
  /** Closes every open connection with a code. */
  closeAll(code: number, reason?: string): void;
  /** Sends a raw frame on every open connection. */
  sendAll(frame: string): void;
  /**
   * Sends a message on the newest open connection that said HELLO (of the agent named, case-insensitively, if
   * given); false when there is none.
   */
  send(message: ServerMessage, name?: string): boolean;
  /** Waits until a predicate over the received messages holds. */
  waitFor(predicate: (messages: readonly AgentMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a peer on 127.0.0.1 with an ephemeral port. */
export async function startPeer(options: PeerOptions = {}): Promise<Peer> {
  const accepted = new Map<string, string>();
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const credentials = new Map<string, string>();
  const connections: PeerConnection[] = [];
  const messages: AgentMessage[] = [];
  let refused = 0;
  let limited = { seconds: 0, times: 0 };
  const upgrades: number[] = [];
  const silenced = new WeakSet<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((request, response) => {
    void handleEnrol(request, response, { tokens, credentials, accepted });
  });
  http.on('upgrade', (request, socket, head) => {
    const credential = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    upgrades.push(Date.now());
    if (limited.times > 0) {
      limited.times -= 1;
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${limited.seconds}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    if (request.url !== '/agent/v1' || !accepted.has(credential)) {
      refused += 1;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: PeerConnection = { socket: ws, credential, messages: [] };
      connections.push(connection);
      // Pings on the WELCOME interval, as the gateway does; agents count on them.
      const pinger = setInterval(() => silenced.has(ws) || ws.ping(), options.heartbeatIntervalMs ?? 100);
      ws.on('close', () => clearInterval(pinger));
      ws.on('message', (data) => {
        const decoded = decodeAgentMessage(String(data));
        if (!decoded.ok) throw new Error(`peer received an invalid message: ${decoded.error}`);
        connection.messages.push(decoded.message);
        messages.push(decoded.message);
        if (decoded.message.type === 'HELLO') {
          connection.name = decoded.message.payload.name;
          ws.send(encodeMessage(welcome(decoded.message, options)));
        }
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const open = () => connections.filter((c) => c.socket.readyState === c.socket.OPEN);
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    messages,
    credentials,
    get refused() {
      return refused;
    },
    accept: (credential, name) => accepted.set(credential, name),
    revoke: (credential) => accepted.delete(credential),
    rateLimit: (seconds, times) => {
      limited = { seconds, times };
    },
    upgrades,
    goSilent: () => {
      for (const c of open()) silenced.add(c.socket);
    },
    closeAll: (code, reason) => {
      for (const c of open()) c.socket.close(code, reason);
    },
    sendAll: (frame) => {
      for (const c of open()) c.socket.send(frame);
    },
    send: (message, name) => {
      const target = open()
        .filter(
          (c) => c.name !== undefined && (name === undefined || c.name.toLowerCase() === name.toLowerCase()),
        )
        .at(-1);
      target?.socket.send(encodeMessage(message));
      return target !== undefined;
    },
    waitFor: (predicate, timeoutMs = 5000) => waitUntil(() => predicate(messages), timeoutMs),
    close: async () => {
      for (const c of connections) c.socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function welcome(hello: AgentMessage, options: PeerOptions): ServerMessage<'WELCOME'> {
  const name = hello.type === 'HELLO' ? hello.payload.name : '';
  return {
    version: 1,
    type: 'WELCOME',
    payload: {
      name,
      serverVersion: 'test-peer',
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
      inventoryIntervalMs: options.inventoryIntervalMs ?? 60_000,
    },
  };
}

interface EnrolState {
  readonly tokens: Map<string, number>;
  readonly credentials: Map<string, string>;
  readonly accepted: Map<string, string>;
}

async function handleEnrol(request: IncomingMessage, response: ServerResponse, state: EnrolState) {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method !== 'POST' || request.url !== '/agent/v1/enrol')
    return reply(404, { code: 'NOT_FOUND' });
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token?: string; name?: string };
  if (typeof body.token !== 'string' || typeof body.name !== 'string')
    return reply(400, { code: 'SRV_ERR_VALIDATION', message: 'token and name are required' });
  const uses = state.tokens.get(body.token) ?? 0;
  if (uses < 1)
    return reply(401, { code: 'SRV_ERR_ENROL_TOKEN_INVALID', message: 'unknown, expired or used up' });
  if (state.credentials.has(body.name.toLowerCase()))
    return reply(409, { code: 'SRV_ERR_ENROL_NAME_TAKEN', message: `${body.name} is enrolled` });
  state.tokens.set(body.token, uses - 1);
  const credential = randomUUID();
  state.credentials.set(body.name.toLowerCase(), credential);
  state.accepted.set(credential, body.name);
  return reply(201, { name: body.name, credential });
}

/** Polls a condition every 10 ms until it holds or the time runs out. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
