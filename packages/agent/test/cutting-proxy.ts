import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy on 127.0.0.1 that cuts the next connection once it has passed a set number of bytes back. */
export interface CuttingProxy {
  readonly url: string;
  /** The next connection is cut after this many bytes from the server (headers included). */
  cutNextAfter(bytes: number): void;
  /** Where connections go from now on. */
  setUpstream(port: number): void;
  close(): Promise<void>;
}

/** Starts a proxy to `upstreamPort`. */
export async function startCuttingProxy(upstreamPort: number): Promise<CuttingProxy> {
  let upstreamAt = upstreamPort;
  let cutAfter: number | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const limit = cutAfter;
    cutAfter = undefined;
    const upstream = connect({ host: '127.0.0.1', port: upstreamAt });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream);
    let passed = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (limit !== undefined && passed + chunk.length >= limit) {
        client.write(chunk.subarray(0, limit - passed), () => {
          client.destroy();
          upstream.destroy();
        });
        passed = limit;
        return;
      }
      passed += chunk.length;
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    cutNextAfter: (bytes) => {
      cutAfter = bytes;
    },
    setUpstream: (next) => {
      upstreamAt = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
