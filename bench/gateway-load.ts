// A load generator process of the gateway bench: holds its share of the simulated agents' WebSockets and sends
// their frames when the bench says so. Built with esbuild and run by plain node (see gateway.ts).
import WebSocket from 'ws';
import type { AgentSpec, FrameKind, FromGenerator, ToGenerator } from './lib/gateway-ipc.js';

const sockets: { readonly socket: WebSocket; readonly inventory: string }[] = [];
const health: { serverErrors: number; closed: number; lastError?: string } = { serverErrors: 0, closed: 0 };
let stopping = false;
let plan: Extract<ToGenerator, { type: 'agents' }> | undefined;
let frames: { kind: FrameKind; heartbeat: string } | undefined;
let sent = 0;
let cap = 0;
let next = 0;

function report(message: FromGenerator): void {
  process.send?.(message);
}

/** Opens every agent's connection, at most `concurrency` awaiting WELCOME at once. */
function connect(url: string, agents: readonly AgentSpec[], concurrency: number): void {
  let started = 0;
  let welcomed = 0;
  let failed = 0;
  const settle = (ok: boolean) => {
    if (ok) welcomed++;
    else failed++;
    if (welcomed + failed === agents.length) report({ type: 'connected', welcomed, failed, ...health });
    else if (started < agents.length) open(agents[started++]);
  };
  const open = (agent: AgentSpec | undefined) => {
    if (agent) sockets.push({ socket: openAgent(url, agent, settle), inventory: agent.inventory });
  };
  while (started < Math.min(concurrency, agents.length)) open(agents[started++]);
  if (agents.length === 0) report({ type: 'connected', welcomed, failed, ...health });
}

/** One agent as the real client speaks: HELLO on open, INVENTORY once welcomed. */
function openAgent(url: string, agent: AgentSpec, settle: (ok: boolean) => void): WebSocket {
  let settled = false;
  const done = (ok: boolean) => {
    if (settled) return;
    settled = true;
    settle(ok);
  };
  const socket = new WebSocket(url, {
    headers: { authorization: `Bearer ${agent.credential}` },
    perMessageDeflate: false,
    handshakeTimeout: 30_000,
    // A zero mask lets ws skip masking here; the server unmasks every frame all the same.
    generateMask: (mask) => mask.fill(0),
  });
  socket.on('open', () => socket.send(agent.hello));
  socket.on('message', (data) => {
    const text = String(data);
    if (text.includes('"type":"WELCOME"')) {
      socket.send(agent.inventory);
      done(true);
    } else if (text.includes('"type":"ERROR"')) {
      health.serverErrors++;
      health.lastError = text.slice(0, 300);
    }
  });
  socket.on('error', (error) => {
    health.lastError = error.message;
  });
  socket.on('close', () => {
    if (!stopping) health.closed++;
    done(false);
  });
  return socket;
}

/** Sends frames round-robin over the open connections until `cap` went out since `run`. */
function pump(): void {
  if (!frames) return;
  let skipped = 0;
  while (sent < cap && skipped < sockets.length) {
    const agent = sockets[next];
    next = (next + 1) % sockets.length;
    if (!agent || agent.socket.readyState !== WebSocket.OPEN) {
      skipped++;
      continue;
    }
    skipped = 0;
    agent.socket.send(frames.kind === 'inventory' ? agent.inventory : frames.heartbeat);
    sent++;
  }
}

process.on('message', (message: ToGenerator) => {
  switch (message.type) {
    case 'agents':
      plan = message;
      report({ type: 'ready' });
      return;
    case 'connect':
      if (plan) connect(plan.url, plan.agents, plan.concurrency);
      return;
    case 'run':
      frames = { kind: message.kind, heartbeat: message.heartbeat };
      sent = 0;
      cap = 0;
      return;
    case 'credit':
      cap = message.cap;
      pump();
      return;
    case 'stop':
      frames = undefined;
      report({ type: 'stopped', sent, ...health });
      return;
  }
});

process.on('disconnect', () => {
  stopping = true;
  for (const { socket } of sockets) socket.terminate();
  process.exit(0);
});
