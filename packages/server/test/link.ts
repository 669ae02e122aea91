import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP link to one backend on 127.0.0.1 that can be cut silently, as a firewall that drops packets would. */
export interface Link {
  readonly url: string;
  /**
   * Cuts every open connection without telling the client: nothing more reaches it, and its socket stays open.
   * The backend's side is closed (as the server's kernel would, after its own timeouts). New connections pass.
   */
  cutSilently(): void;
  close(): Promise<void>;
}

/** Starts the link in front of `backendPort`. */
export async function startLink(backendPort: number): Promise<Link> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: backendPort });
    const pair = { client, upstream };
    pairs.add(pair);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => pairs.has(pair) && client.destroy());
    client.on('close', () => pairs.delete(pair));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    cutSilently: () => {
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        pair.upstream.unpipe(pair.client);
        pair.client.unpipe(pair.upstream);
        pair.upstream.destroy();
        // What the client sends is swallowed; it learns nothing.
        pair.client.on('data', () => undefined);
      }
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
