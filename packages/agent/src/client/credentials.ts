import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatPath, netbiosName, schemaIssues } from '@exrollout/core';
import Type, { type Static } from 'typebox';
import { writeJsonAtomically } from '../atomic-file.js';
import { ClientError } from './errors.js';

/** What the agent keeps after enrolment: where its server is, who it is, and the secret that proves it. */
export const StoredCredential = Type.Object(
  {
    serverUrl: Type.String({ pattern: '^https?://', description: 'The server it enrolled with.' }),
    name: netbiosName('The NetBIOS name the agent enrolled as.'),
    credential: Type.String({ minLength: 1, maxLength: 4096, description: 'The gateway secret.' }),
    enrolledAt: Type.String({ format: 'date-time', description: 'When it enrolled.' }),
  },
  { additionalProperties: false },
);
export type StoredCredential = Static<typeof StoredCredential>;

/** The state directory used when none is given, relative to the working directory. */
export const DEFAULT_STATE_DIR = './exrollout-agent-state';

/** The credential file's name inside the state directory. */
export const CREDENTIAL_FILE = 'credential.json';

/** The path of the credential file in a state directory. */
export function credentialPath(stateDir: string): string {
  return join(stateDir, CREDENTIAL_FILE);
}

/** Reads the stored credential; undefined when the agent has not enrolled yet. Throws ClientError if unreadable. */
export async function readCredential(stateDir: string): Promise<StoredCredential | undefined> {
  const path = credentialPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new ClientError('AGENT_ERR_STATE_READ', `cannot read ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
  return parseCredential(text, path);
}

/** Parses the credential file's text; throws a ClientError naming the file and the first bad field. */
export function parseCredential(text: string, path: string): StoredCredential {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, 'it is not valid JSON', error);
  }
  const [issue] = schemaIssues(StoredCredential, value);
  if (issue) throw corrupt(path, `${formatPath(issue.path) || 'file'} ${issue.message}`);
  return value as StoredCredential;
}

/** Writes the credential atomically (temporary file, then rename) with mode 0600, creating the directory. */
export async function writeCredential(stateDir: string, record: StoredCredential): Promise<void> {
  const path = credentialPath(stateDir);
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeJsonAtomically(stateDir, CREDENTIAL_FILE, record);
  } catch (error) {
    throw new ClientError('AGENT_ERR_STATE_WRITE', `cannot write ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
}

function corrupt(path: string, why: string, cause?: unknown): ClientError {
  return new ClientError(
    'AGENT_ERR_STATE_CORRUPT',
    `${path} is corrupt: ${why}; delete it and enrol again with --enrol TOKEN`,
    { cause },
  );
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function describe(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  return error instanceof Error ? error.message : String(error);
}
