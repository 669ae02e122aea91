import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent, startTestServer, type TestServer } from '../../server/test/helpers.js';
import { fakeMsp, sha256Of, tempStore, upload, X64_FILE } from '../../server/test/package-files.js';
import { downloadPackage } from '../src/staging/download.js';
import { type CuttingProxy, startCuttingProxy } from './cutting-proxy.js';

// Issue 15 items 2-3: an agent stages a package from the store: resumed after a cut, verified, skipped when there.

const SIZE = 2_000_000;
const bytes = fakeMsp(SIZE);
const sha256 = sha256Of(bytes);
let store: Awaited<ReturnType<typeof tempStore>>;
let work: Awaited<ReturnType<typeof tempStore>>;
let a: TestServer;
let b: TestServer;
let proxy: CuttingProxy;
let credential = '';

beforeAll(async () => {
  store = await tempStore();
  work = await tempStore();
  const prefix = `test-${randomUUID()}:`;
  a = await startTestServer({ packageDir: store.dir }, prefix);
  b = await startTestServer({ packageDir: store.dir }, prefix);
  credential = await enrolAgent(a, 'SEA-MBX01');
  expect((await upload(a, a.admin, bytes)).status).toBe(201);
  proxy = await startCuttingProxy(Number(new URL(a.url).port));
});
afterAll(async () => {
  await proxy?.close();
  await b?.close();
  await a?.close();
  await store?.remove();
  await work?.remove();
});

const stage = (directory: string, overrides: { serverUrl?: string; sha256?: string } = {}) =>
  downloadPackage({ serverUrl: proxy.url, credential, file: X64_FILE, sha256, directory, ...overrides });

describe('staging a package', () => {
  it('resumes a download cut at 30 % from where it stopped, on another instance, and verifies the whole file', async () => {
    const directory = join(work.dir, 'resume');
    proxy.cutNextAfter(Math.floor(SIZE * 0.3));
    await expect(stage(directory)).rejects.toMatchObject({ code: 'STAGE_SERVER_UNREACHABLE' });
    const [partial] = await readdir(directory);
    expect(partial).toMatch(/\.partial$/);
    const kept = (await readFile(join(directory, partial ?? ''))).length;
    expect(kept).toBeGreaterThan(SIZE * 0.25);
    expect(kept).toBeLessThan(SIZE * 0.3);

    // The instance that served the first part is gone; the other serves the rest from the same store.
    proxy.setUpstream(Number(new URL(b.url).port));
    let seen = 0;
    const result = await downloadPackage({
      serverUrl: proxy.url,
      credential,
      file: X64_FILE,
      sha256,
      directory,
      onProgress: (staged) => {
        seen = staged;
      },
    });
    expect(result).toMatchObject({ skipped: false, resumedFrom: kept, size: SIZE });
    expect(seen).toBe(SIZE);
    expect((await readFile(join(directory, X64_FILE))).equals(bytes)).toBe(true);
    expect(await readdir(directory)).toEqual([X64_FILE]);
    proxy.setUpstream(Number(new URL(a.url).port));

    expect(await stage(directory)).toMatchObject({ skipped: true, resumedFrom: 0 });
  });

  it('refuses a package with one byte changed and keeps nothing of it', async () => {
    const directory = join(work.dir, 'corrupt');
    const blob = join(store.dir, 'blobs', sha256);
    const stored = await readFile(blob);
    const flipped = Buffer.from(stored);
    flipped[SIZE / 2] = (flipped[SIZE / 2] ?? 0) ^ 0xff;
    await writeFile(blob, flipped);
    try {
      await expect(stage(directory)).rejects.toMatchObject({ code: 'PACKAGE_HASH_MISMATCH' });
      expect(await readdir(directory)).toEqual([]);
    } finally {
      await writeFile(blob, stored);
    }
  });

  it('replaces a staged file of the same name whose hash is wrong', async () => {
    const directory = join(work.dir, 'stale');
    await stage(join(directory));
    const staged = join(directory, X64_FILE);
    const changed = Buffer.from(bytes);
    changed[10] = (changed[10] ?? 0) ^ 1;
    await writeFile(staged, changed);
    expect(await stage(directory)).toMatchObject({ skipped: false, resumedFrom: 0 });
    expect(sha256Of(await readFile(staged))).toBe(sha256);
  });

  it('says why when the store lacks the package or the server cannot be reached', async () => {
    await expect(stage(join(work.dir, 'missing'), { sha256: 'a'.repeat(64) })).rejects.toMatchObject({
      code: 'STAGE_NOT_IN_STORE',
    });
    await expect(stage(join(work.dir, 'down'), { serverUrl: 'http://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'STAGE_SERVER_UNREACHABLE',
    });
  });
});
