import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientError,
  credentialPath,
  readCredential,
  type StoredCredential,
  writeCredential,
} from '../src/index.js';

const record: StoredCredential = {
  serverUrl: 'https://exr.contoso.com:8443',
  name: 'SEA-CAS01',
  credential: 's3cret',
  enrolledAt: '2009-02-10T12:00:00.000Z',
};
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exrollout-agent-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.catch((caught: unknown) => caught);
  if (!(error instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(error)}`);
  return error;
}

describe('credential store', () => {
  it('returns undefined before enrolment, and the record after', async () => {
    expect(await readCredential(dir)).toBeUndefined();
    await writeCredential(dir, record);
    expect(await readCredential(dir)).toEqual(record);
  });

  it('creates the state directory and writes the file with mode 0600', async () => {
    const nested = join(dir, 'a', 'state');
    await writeCredential(nested, record);
    expect((await stat(credentialPath(nested))).mode & 0o777).toBe(0o600);
    expect((await stat(nested)).mode & 0o077).toBe(0);
  });

  it('replaces the file atomically, leaving no temporary file behind', async () => {
    await writeFile(credentialPath(dir), 'old', { mode: 0o644 });
    await writeCredential(dir, { ...record, credential: 'new' });
    expect(await readdir(dir)).toEqual(['credential.json']);
    expect(JSON.parse(await readFile(credentialPath(dir), 'utf8'))).toMatchObject({ credential: 'new' });
    expect((await stat(credentialPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('keeps the old credential and cleans up when the write fails', async () => {
    await writeCredential(dir, record);
    const error = await failure(writeCredential(join(credentialPath(dir), 'sub'), record));
    expect(error.code).toBe('AGENT_ERR_STATE_WRITE');
    expect(await readCredential(dir)).toEqual(record);
    expect(await readdir(dir)).toEqual(['credential.json']);
  });

  it('reports a corrupt file clearly, naming the file and the field', async () => {
    await writeFile(credentialPath(dir), '{ not json');
    const notJson = await failure(readCredential(dir));
    expect(notJson.code).toBe('AGENT_ERR_STATE_CORRUPT');
    expect(notJson.message).toBe(
      `${credentialPath(dir)} is corrupt: it is not valid JSON; delete it and enrol again with --enrol TOKEN`,
    );

    await writeFile(credentialPath(dir), JSON.stringify({ ...record, credential: 42 }));
    const wrongField = await failure(readCredential(dir));
    expect(wrongField.code).toBe('AGENT_ERR_STATE_CORRUPT');
    expect(wrongField.message).toContain('is corrupt: credential must be a string (got a number)');

    await writeFile(credentialPath(dir), JSON.stringify({ ...record, name: undefined }));
    expect((await failure(readCredential(dir))).message).toContain('is corrupt: name is required');
  });

  it('reports an unreadable state directory', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const error = await failure(readCredential(join(dir, 'file')));
    expect(error.code).toBe('AGENT_ERR_STATE_READ');
  });
});
