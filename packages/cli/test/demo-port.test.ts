import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../src/run.js';

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

it('exrollout demo on a port in use says so in one line and listens on a free port instead', async () => {
  let stdout = '';
  let stderr = '';
  const args = ['demo', '--servers', '2', '--install-seconds', '0', '--until-done', '--json', '--port'];
  const code = await runCli([...args, String(port)], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  expect(code, stderr).toBe(0);
  const line = new RegExp(
    `^port ${port} is in use on 127\\.0\\.0\\.1: the demo server listens on port (\\d+) instead$`,
    'm',
  );
  const other = line.exec(stderr)?.[1];
  expect(other).toBeDefined();
  expect(stderr).toContain(`server http://127.0.0.1:${other} `);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect((JSON.parse(stdout) as { state: string }).state).toBe('completed');
}, 60_000);
