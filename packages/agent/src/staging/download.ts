import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StepFailedError } from '../errors.js';

/** What to stage: the package (file name and SHA-256), where from, where to. */
export interface DownloadRequest {
  /** The exrollout server's URL, without a trailing slash. */
  readonly serverUrl: string;
  readonly credential: string;
  readonly file: string;
  readonly sha256: string;
  /** The folder the package is staged in (packageDirectory). */
  readonly directory: string;
  /** Heard as bytes arrive: bytes staged so far (a resumed part included) and the package's size. */
  readonly onProgress?: (bytes: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** How staging went: where the verified file is, its size, and whether it was already there or resumed. */
export interface DownloadResult {
  readonly path: string;
  readonly size: number;
  /** The verified file was already there: nothing was downloaded. */
  readonly skipped: boolean;
  /** Bytes of a partial file kept from an earlier, cut download. */
  readonly resumedFrom: number;
}

/**
 * Stages a package from the server's store: skips when the verified file is there, resumes a partial file with a
 * Range request, checks the whole file's SHA-256 before renaming it into place, and deletes a file that fails it.
 * Throws StepFailedError: STAGE_SERVER_UNREACHABLE, STAGE_NOT_IN_STORE, STAGE_REFUSED, STAGE_DISK_FULL,
 * PACKAGE_HASH_MISMATCH.
 */
export async function downloadPackage(request: DownloadRequest): Promise<DownloadResult> {
  const path = join(request.directory, request.file);
  await mkdir(request.directory, { recursive: true });
  const present = await stat(path).catch(() => undefined);
  if (present?.isFile() && (await hashFile(path)) === request.sha256)
    return { path, size: present.size, skipped: true, resumedFrom: 0 };
  const partial = `${path}.${request.sha256.slice(0, 16)}.partial`;
  const kept = (await stat(partial).catch(() => undefined))?.size ?? 0;
  const response = await get(request, kept);
  const status = response.statusCode ?? 0;
  if (status === 416 && kept > 0) {
    response.resume();
    await rm(partial, { force: true });
    return downloadPackage(request);
  }
  if (status !== 200 && status !== 206) throw refusal(request, response, status);
  const resumedFrom = status === 206 ? kept : 0;
  const total = totalSize(response, resumedFrom);
  await checkFreeSpace(request.directory, total - resumedFrom, response);
  const hash = createHash('sha256');
  // Fed by hand: piped into, the hash would be ended (digested) with the partial file.
  if (resumedFrom > 0)
    for await (const chunk of createReadStream(partial, { end: resumedFrom - 1 }))
      hash.update(chunk as Buffer);
  let bytes = resumedFrom;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      hash.update(chunk);
      request.onProgress?.(bytes, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      response,
      counter,
      createWriteStream(partial, resumedFrom > 0 ? { flags: 'r+', start: resumedFrom } : {}),
    );
  } catch (error) {
    throw streamFailure(request, error, bytes, total);
  }
  if (bytes !== total) throw unreachable(request, `the download ended after ${bytes} of ${total} bytes`);
  return finish(request, { hash, partial, path, total, resumedFrom });
}

async function finish(
  request: DownloadRequest,
  done: { hash: Hash; partial: string; path: string; total: number; resumedFrom: number },
): Promise<DownloadResult> {
  const actual = done.hash.digest('hex');
  if (actual !== request.sha256) {
    await rm(done.partial, { force: true });
    throw new StepFailedError(
      'PACKAGE_HASH_MISMATCH',
      `${request.file} as downloaded has SHA-256 ${actual}, not ${request.sha256}; it was deleted, not kept`,
    );
  }
  await rename(done.partial, done.path);
  return { path: done.path, size: done.total, skipped: false, resumedFrom: done.resumedFrom };
}

/** The SHA-256 of a file on disk. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function get(request: DownloadRequest, from: number): Promise<IncomingMessage> {
  const url = `${request.serverUrl}/agent/v1/packages/${request.sha256}`;
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      headers: {
        authorization: `Bearer ${request.credential}`,
        ...(from > 0 ? { range: `bytes=${from}-` } : {}),
      },
      ...(request.signal ? { signal: request.signal } : {}),
    });
    req.once('response', resolve);
    req.once('error', (error) => reject(unreachable(request, error.message, error)));
    req.end();
  });
}

function totalSize(response: IncomingMessage, from: number): number {
  const range = /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''));
  if (range) return Number(range[1]);
  return from + Number(response.headers['content-length'] ?? 0);
}

async function checkFreeSpace(directory: string, needed: number, response: IncomingMessage): Promise<void> {
  const fs = await statfs(directory).catch(() => undefined);
  if (!fs || fs.bavail * fs.bsize >= needed) return;
  response.destroy();
  throw diskFull(directory, needed, fs.bavail * fs.bsize);
}

const diskFull = (directory: string, needed: number, free: number) =>
  new StepFailedError(
    'STAGE_DISK_FULL',
    `${directory} has ${Math.floor(free / 1_048_576)} MB free; the package needs ${Math.ceil(needed / 1_048_576)} MB more`,
  );

const unreachable = (request: DownloadRequest, why: string, cause?: unknown) =>
  new StepFailedError(
    'STAGE_SERVER_UNREACHABLE',
    `cannot download ${request.file} from ${request.serverUrl}: ${why}; the part received is kept and the next try resumes it`,
    {},
    { cause },
  );

function streamFailure(request: DownloadRequest, error: unknown, bytes: number, total: number): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOSPC') return diskFull(request.directory, total - bytes, 0);
  return unreachable(
    request,
    `the download broke after ${bytes} of ${total} bytes (${(error as Error).message})`,
    error,
  );
}

function refusal(request: DownloadRequest, response: IncomingMessage, status: number): StepFailedError {
  response.resume();
  if (status === 404)
    return new StepFailedError(
      'STAGE_NOT_IN_STORE',
      `the server's package store holds no ${request.file} with SHA-256 ${request.sha256}`,
    );
  if (status === 401 || status === 403)
    return new StepFailedError(
      'STAGE_REFUSED',
      `the server refused this agent's credential for the download (HTTP ${status})`,
    );
  return unreachable(request, `the server answered HTTP ${status}`);
}
