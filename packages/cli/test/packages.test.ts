import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/helpers.js';
import { fakeMsp, sha256Of, tempStore, X64_FILE } from '../../server/test/package-files.js';
import { cli, json } from './cli-helpers.js';

// Issue 15 item 1: `exrollout packages add|list|show|remove`, and a rollout that takes its package from the store.

let store: Awaited<ReturnType<typeof tempStore>>;
let server: TestServer;
let file = '';
const bytes = fakeMsp(200_000);

beforeAll(async () => {
  store = await tempStore();
  server = await startTestServer({ packageDir: join(store.dir, 'store') });
  file = join(store.dir, X64_FILE);
  await writeFile(file, bytes);
});
afterAll(async () => {
  await server?.close();
  await store?.remove();
});

const run = (...args: string[]) => cli(server, server.admin, ...args);

describe('exrollout packages', () => {
  it('adds a file, lists, shows and removes it; adding it again says it is already stored', async () => {
    const added = await run('packages', 'add', file);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain(`Stored ${X64_FILE} (KB959241, x64, 0.2 MB)`);
    expect(added.stdout).toContain(sha256Of(bytes));
    expect((await run('packages', 'add', file, '--update', 'KB959241')).stdout).toMatch(/^Already stored:/);

    const listed = json<{ packages: { sha256: string }[] }>(await run('packages', 'list', '--json'));
    expect(listed.packages.map((p) => p.sha256)).toEqual([sha256Of(bytes)]);
    expect((await run('packages', 'list')).stdout).toMatch(
      /SHA256 +FILE[\s\S]*Exchange2007-KB959241-x64-EN\.msp/,
    );
    expect((await run('packages', 'show', sha256Of(bytes))).stdout).toContain('200000 bytes');

    const created = json<{ policy: { packageSha256: unknown } }>(
      await run('rollouts', 'create', '--from-store', '--no-approval', '--json'),
    );
    expect(created.policy.packageSha256).toEqual({ x64: sha256Of(bytes) });

    expect((await run('packages', 'remove', sha256Of(bytes))).stdout).toBe(
      `Removed package ${sha256Of(bytes)}\n`,
    );
    expect((await run('packages', 'list')).stdout).toBe('No packages in the store.\n');
    const none = await run('rollouts', 'create', '--from-store');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('the store holds no package of KB959241');
  });

  it('names the problem when the file is not a package or does not exist', async () => {
    const other = join(store.dir, 'notes.msp');
    await writeFile(other, bytes);
    const refused = await run('packages', 'add', other);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /SRV_ERR_PACKAGE_INVALID: notes\.msp is no package of any update in the catalog/,
    );
    const missing = await run('packages', 'add', join(store.dir, 'nope.msp'));
    expect(missing.stderr).toContain('no such file');
  });
});
