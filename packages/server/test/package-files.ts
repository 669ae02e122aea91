import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MSP_SIGNATURE } from '@exrollout/core';

/** The x64 package of KB959241, as the catalog names it. */
export const X64_FILE = 'Exchange2007-KB959241-x64-EN.msp';

/** Bytes that pass for a Windows Installer patch: the OLE signature, then random bytes. */
export function fakeMsp(size: number): Buffer {
  const bytes = randomBytes(size);
  Buffer.from(MSP_SIGNATURE).copy(bytes);
  return bytes;
}

/** The lower-case hex SHA-256 of some bytes. */
export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A fresh temp folder for a package store, and a way to remove it. */
export async function tempStore(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'exr-packages-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file under the store's folders (blobs and uploads), to show what an upload left behind. */
export async function storeFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const folder of ['blobs', 'uploads'])
    for (const name of await readdir(join(dir, folder)).catch(() => [])) names.push(`${folder}/${name}`);
  return names.sort();
}

/** Uploads bytes as `file` with a token; returns status and parsed body. */
export async function upload(
  server: { url: string },
  token: string,
  bytes: Buffer,
  query: Record<string, string> = { file: X64_FILE },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/v1/packages?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Sends the first `sent` bytes of an upload announced as `bytes.length`, then cuts the connection. */
export function cutUpload(
  server: { url: string },
  token: string,
  bytes: Buffer,
  sent: number,
): Promise<void> {
  const url = new URL(`/api/v1/packages?file=${X64_FILE}`, server.url);
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.length),
      },
    });
    req.on('error', () => resolve());
    req.write(bytes.subarray(0, sent), () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100),
    );
  });
}
