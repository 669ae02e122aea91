// The gateway bench's baseline: a bare `ws` server on 127.0.0.1 that JSON.parses every frame and counts it by
// type, and answers HELLO with a fixed WELCOME so that the same load generators can speak to it. It sends its
// counts to the bench every 10 ms (as often as its event loop allows) so that reading them costs no round trip.
// Built with esbuild and run by plain node (see gateway.ts).
import { WebSocketServer } from 'ws';
import type { FromBare } from './lib/gateway-ipc.js';

const PUSH_MS = 10;

const [maxPayload, welcome] = [Number(process.argv[2]), String(process.argv[3])];
const counts: Record<string, number> = {};
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload, perMessageDeflate: false });

server.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type?: unknown };
    const type = String(message.type);
    counts[type] = (counts[type] ?? 0) + 1;
    if (type === 'HELLO') socket.send(welcome);
  });
  socket.on('error', () => undefined);
});

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  send({ type: 'listening', url: `ws://127.0.0.1:${port}` });
});

function send(message: FromBare): void {
  process.send?.(message);
}

let sentTotal = -1;
setInterval(() => {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (total !== sentTotal) send({ type: 'counts', counts: { ...counts } });
  sentTotal = total;
}, PUSH_MS);
process.on('disconnect', () => process.exit(0));
