import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP load balancer on 127.0.0.1 for tests: round-robin over backends, skipping those that refuse. */
export interface Balancer {
  readonly url: string;
  setBackends(ports: readonly number[]): void;
  close(): Promise<void>;
}

/** Starts the balancer in front of the given backend ports. */
export async function startBalancer(ports: readonly number[]): Promise<Balancer> {
  let backends = [...ports];
  let next = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    tryBackend(client, backends.length);
  });
  function tryBackend(client: Socket, attemptsLeft: number): void {
    if (attemptsLeft <= 0 || backends.length === 0) return void client.destroy();
    const port = backends[next++ % backends.length] as number;
    const upstream = connect({ host: '127.0.0.1', port });
    sockets.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.once('error', () => {
      upstream.destroy();
      // A backend that refuses is passed over; one that dies mid-connection drops the client, which reconnects.
      if (connected) client.destroy();
      else tryBackend(client, attemptsLeft - 1);
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (connected) client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends: (list) => {
      backends = [...list];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
