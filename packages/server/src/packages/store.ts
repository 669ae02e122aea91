import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StoredPackage, schemaIssues } from '@exrollout/core';
import { packageIncomplete } from '../errors.js';
import { HashingCounter } from './hashing.js';

/** What an upload says of itself; the store adds the hash, the size and the time. */
export interface UploadFacts {
  readonly file: string;
  readonly update: string;
  readonly architecture: 'x64' | 'x86';
  readonly uploadedBy: string;
  /** The Content-Length the client announced; fewer bytes mean a cut upload. */
  readonly expectedSize?: number;
  /** Bytes past which the upload is refused while it streams. */
  readonly maxBytes: number;
}

/** A written, hashed upload waiting to be judged: kept with `commit`, or dropped with `discard`. */
export interface PendingUpload {
  readonly sha256: string;
  readonly size: number;
  /** The file's first bytes, for the signature check. */
  readonly head: readonly number[];
  commit(): Promise<{ package: StoredPackage; created: boolean }>;
  discard(): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** A temp file older than this belongs to no upload in flight on any instance (a crash left it). */
const STALE_UPLOAD_MS = 24 * 3_600_000;

/**
 * The package store: a folder on a volume every instance mounts. Each package is `blobs/<sha256>` with its facts
 * in `blobs/<sha256>.json`; uploads are written to `uploads/` and renamed into place, so a reader never sees half
 * a file, and no instance keeps anything of the store in memory.
 */
export class PackageStore {
  private readonly blobs: string;
  private readonly uploads: string;

  constructor(readonly root: string) {
    this.blobs = join(root, 'blobs');
    this.uploads = join(root, 'uploads');
  }

  /** Creates the folders and removes uploads a crash left behind; throws if the folder cannot be written. */
  async open(now = Date.now()): Promise<void> {
    await mkdir(this.blobs, { recursive: true });
    await mkdir(this.uploads, { recursive: true });
    for (const name of await readdir(this.uploads)) {
      const path = join(this.uploads, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_UPLOAD_MS) await rm(path, { force: true });
    }
  }

  /** The path of a stored package's bytes. */
  blobPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.blobs, sha256);
  }

  /** Streams an upload to a temp file, hashing it as it goes; a cut or oversize upload leaves nothing. */
  async receive(source: Readable, facts: UploadFacts): Promise<PendingUpload> {
    const temp = join(this.uploads, `${randomUUID()}.part`);
    const counter = new HashingCounter(facts.maxBytes);
    try {
      await pipeline(source, counter, createWriteStream(temp, { flags: 'wx' }));
      if (facts.expectedSize !== undefined && counter.size !== facts.expectedSize)
        throw packageIncomplete(counter.size, facts.expectedSize);
    } catch (error) {
      await rm(temp, { force: true });
      if (source.errored || (source as { aborted?: boolean }).aborted)
        throw packageIncomplete(counter.size, facts.expectedSize);
      throw error;
    }
    const sha256 = counter.digest();
    return {
      sha256,
      size: counter.size,
      head: counter.head,
      commit: () => this.commit(temp, { sha256, size: counter.size, facts }),
      discard: () => rm(temp, { force: true }),
    };
  }

  private async commit(
    temp: string,
    { sha256, size, facts }: { sha256: string; size: number; facts: UploadFacts },
  ): Promise<{ package: StoredPackage; created: boolean }> {
    const existing = await this.get(sha256);
    if (existing) {
      await rm(temp, { force: true });
      return { package: existing, created: false };
    }
    const record: StoredPackage = {
      sha256,
      file: facts.file,
      size,
      update: facts.update,
      architecture: facts.architecture,
      uploadedAt: new Date().toISOString(),
      uploadedBy: facts.uploadedBy,
    };
    await rename(temp, this.blobPath(sha256));
    // The facts are written last: a package is listed only once its bytes are in place.
    const factsTemp = join(this.uploads, `${randomUUID()}.json`);
    await writeFile(factsTemp, JSON.stringify(record), { flag: 'wx' });
    await rename(factsTemp, `${this.blobPath(sha256)}.json`);
    return { package: record, created: true };
  }

  /** A stored package by SHA-256, or undefined. */
  async get(sha256: string): Promise<StoredPackage | undefined> {
    if (!SHA256.test(sha256)) return undefined;
    const text = await readFile(`${this.blobPath(sha256)}.json`, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return undefined;
    }
    return schemaIssues(StoredPackage, record).length === 0 ? (record as StoredPackage) : undefined;
  }

  /** Every stored package, newest upload first. */
  async list(): Promise<StoredPackage[]> {
    const names = (await readdir(this.blobs)).filter((name) => name.endsWith('.json'));
    const found = await Promise.all(names.map((name) => this.get(name.slice(0, -'.json'.length))));
    return found
      .filter((pkg): pkg is StoredPackage => pkg !== undefined)
      .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt) || a.sha256.localeCompare(b.sha256));
  }

  /** Removes a package (its facts first, so it is never listed without its bytes); returns what it was. */
  async remove(sha256: string): Promise<StoredPackage | undefined> {
    const found = await this.get(sha256);
    if (!found) return undefined;
    await rm(`${this.blobPath(sha256)}.json`, { force: true });
    await rm(this.blobPath(sha256), { force: true });
    return found;
  }
}
