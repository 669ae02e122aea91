import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, enrolAgent, eventually, startTestServer, type TestServer } from './helpers.js';
import { cutUpload, fakeMsp, sha256Of, storeFiles, tempStore, upload, X64_FILE } from './package-files.js';

// Issue 15 item 1-2: the package store on the server, and agents' downloads from it.

let store: Awaited<ReturnType<typeof tempStore>>;
let server: TestServer;
let second: TestServer;
let viewer = '';
let agent = '';
const prefix = `test-${randomUUID()}:`;

beforeAll(async () => {
  store = await tempStore();
  server = await startTestServer({ packageDir: store.dir }, prefix);
  // A second instance over the same Redis and the same store, as behind a load balancer.
  second = await startTestServer({ packageDir: store.dir }, prefix);
  viewer = (await server.tokens.createOperatorToken('vera', 'viewer')).token;
  agent = await enrolAgent(server, 'SEA-CAS01');
});
afterAll(async () => {
  await second?.close();
  await server?.close();
  await store?.remove();
});

async function download(target: TestServer, sha256: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${target.url}/agent/v1/packages/${sha256}`, {
    headers: { authorization: `Bearer ${agent}`, ...headers },
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('the package store', () => {
  it('stores an upload under its SHA-256, lists, shows and removes it; the same file twice is one package', async () => {
    const bytes = fakeMsp(300_000);
    const first = await upload(server, server.admin, bytes);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      sha256: sha256Of(bytes),
      file: X64_FILE,
      size: bytes.length,
      update: 'KB959241',
      architecture: 'x64',
      uploadedBy: 'test-admin',
    });
    const again = await upload(second, server.admin, bytes, { file: X64_FILE, update: 'kb959241' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const list = await api(second, 'GET', '/api/v1/packages', viewer);
    expect(list.body.packages).toEqual([first.body]);
    expect((await api(server, 'GET', `/api/v1/packages/${sha256Of(bytes)}`, viewer)).body).toEqual(
      first.body,
    );

    expect((await api(server, 'DELETE', `/api/v1/packages/${sha256Of(bytes)}`, viewer)).status).toBe(403);
    const removed = await api(server, 'DELETE', `/api/v1/packages/${sha256Of(bytes)}`, server.admin);
    expect(removed.body).toEqual({ sha256: sha256Of(bytes), removed: true });
    expect((await api(second, 'GET', '/api/v1/packages', viewer)).body.packages).toEqual([]);
    expect((await api(server, 'GET', `/api/v1/packages/${sha256Of(bytes)}`, viewer)).status).toBe(404);
    expect(await storeFiles(store.dir)).toEqual([]);
  });

  it('refuses a file that is not a package of the update, or not a Windows Installer patch, and keeps nothing', async () => {
    const wrongName = await upload(server, server.admin, fakeMsp(1000), { file: 'setup.msp' });
    expect(wrongName).toMatchObject({ status: 400, body: { code: 'SRV_ERR_PACKAGE_INVALID' } });
    expect(String(wrongName.body.message)).toContain('Exchange2007-KB959241-x64-EN.msp');
    const notMsp = await upload(server, server.admin, Buffer.from('<html>Sign in</html>'));
    expect(notMsp).toMatchObject({ status: 400, body: { code: 'SRV_ERR_PACKAGE_INVALID' } });
    expect(String(notMsp.body.message)).toContain('not a Windows Installer patch');
    const unknownUpdate = await upload(server, server.admin, fakeMsp(1000), {
      file: X64_FILE,
      update: 'KB1',
    });
    expect(unknownUpdate.body.code).toBe('CORE_ERR_UPDATE_UNKNOWN');
    expect(await storeFiles(store.dir)).toEqual([]);
  });

  it('is for admins: a viewer or an agent credential may not upload', async () => {
    expect((await upload(server, viewer, fakeMsp(1000))).status).toBe(403);
    expect((await upload(server, agent, fakeMsp(1000))).status).toBe(401);
    expect(await storeFiles(store.dir)).toEqual([]);
  });

  it('leaves nothing behind when an upload is cut halfway', async () => {
    const bytes = fakeMsp(4_000_000);
    await cutUpload(server, server.admin, bytes, 2_000_000);
    await eventually(async () => (await storeFiles(store.dir)).length === 0, 5000, 'the temp file removed');
    expect((await api(server, 'GET', '/api/v1/packages', viewer)).body.packages).toEqual([]);
  });
});

describe('agent downloads', () => {
  it('serve the whole package and any range, from either instance, to an agent credential only', async () => {
    const bytes = fakeMsp(500_000);
    const sha256 = sha256Of(bytes);
    expect((await upload(server, server.admin, bytes)).status).toBe(201);

    const whole = await download(second, sha256);
    expect(whole.response.status).toBe(200);
    expect(whole.response.headers.get('accept-ranges')).toBe('bytes');
    expect(sha256Of(whole.bytes)).toBe(sha256);

    const rest = await download(server, sha256, { range: 'bytes=150000-' });
    expect(rest.response.status).toBe(206);
    expect(rest.response.headers.get('content-range')).toBe(`bytes 150000-499999/500000`);
    expect(rest.bytes.equals(bytes.subarray(150_000))).toBe(true);

    const past = await download(server, sha256, { range: 'bytes=500000-' });
    expect(past.response.status).toBe(416);
    const operator = await fetch(`${server.url}/agent/v1/packages/${sha256}`, {
      headers: { authorization: `Bearer ${server.admin}` },
    });
    expect(operator.status).toBe(401);
    expect((await download(server, 'f'.repeat(64))).response.status).toBe(404);
    await api(server, 'DELETE', `/api/v1/packages/${sha256}`, server.admin);
  });
});

describe('a server without a package store', () => {
  it('says how to configure one', async () => {
    const bare = await startTestServer();
    try {
      const answer = await api(bare, 'GET', '/api/v1/packages', bare.admin);
      expect(answer).toMatchObject({ status: 503, body: { code: 'SRV_ERR_PACKAGE_STORE_DISABLED' } });
      expect(String(answer.body.message)).toContain('EXR_PACKAGE_DIR');
    } finally {
      await bare.close();
    }
  });
});

describe('a rollout that names its packages from the store', () => {
  it('takes their SHA-256 into its policy, and refuses a package of the wrong architecture or not stored', async () => {
    const bytes = fakeMsp(10_000);
    const stored = await upload(server, server.admin, bytes);
    const sha256 = String(stored.body.sha256);
    const created = await api(server, 'POST', '/api/v1/rollouts', server.admin, {
      packages: { x64: sha256 },
      policy: { approvalRequired: false },
    });
    expect(created.status).toBe(201);
    expect((created.body.policy as unknown as { packageSha256: unknown }).packageSha256).toEqual({
      x64: sha256,
    });

    const wrongArch = await api(server, 'POST', '/api/v1/rollouts', server.admin, {
      packages: { x86: sha256 },
      policy: {},
    });
    expect(wrongArch).toMatchObject({ status: 400, body: { code: 'SRV_ERR_PACKAGE_NOT_STORED' } });
    expect(String(wrongArch.body.message)).toContain('not the x86 package');
    const missing = await api(server, 'POST', '/api/v1/rollouts', server.admin, {
      packages: { x64: 'e'.repeat(64) },
      policy: {},
    });
    expect(String(missing.body.message)).toContain('upload it first');
    await api(server, 'DELETE', `/api/v1/packages/${sha256}`, server.admin);
  });
});

describe('an empty upload', () => {
  it('is refused as empty, and keeps nothing', async () => {
    const answer = await upload(server, server.admin, Buffer.alloc(0));
    expect(answer).toMatchObject({ status: 400, body: { code: 'SRV_ERR_PACKAGE_INVALID' } });
    expect(String(answer.body.message)).toContain('is empty');
    expect(await storeFiles(store.dir)).toEqual([]);
  });
});
