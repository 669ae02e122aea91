import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serverEnv } from './process.js';

const SERVER_BIN = join(import.meta.dirname, '..', 'bin', 'exrollout-server.mjs');

let holder: Server;
let port = 0;
beforeAll(async () => {
  holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  port = (holder.address() as { port: number }).port;
});
afterAll(() => {
  holder?.close();
});

it('a port in use stops the server with one line naming the address and what to set, exit code 2', async () => {
  const env = serverEnv(`test-${randomUUID()}:`, { EXR_PORT: String(port), EXR_LOG_LEVEL: 'silent' });
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [SERVER_BIN, 'start'],
      { env, timeout: 20_000 },
      (error, _out, err) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr: err }),
    );
    child.stdin?.end();
  });
  expect(stderr).toBe(
    `exrollout-server: cannot listen on 127.0.0.1:${port}: the port is in use by another process (EADDRINUSE); set EXR_PORT (or EXR_HOST)\n`,
  );
  expect(code).toBe(2);
});
