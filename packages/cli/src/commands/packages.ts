import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PackageList, StoredPackage } from '@exrollout/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { InputFileError } from '../errors.js';
import { progressLine, renderAdded, renderPackage, renderPackages } from '../render/packages.js';
import { type ApiOptions, apiCommand, client, show } from './common.js';

interface AddOptions extends ApiOptions {
  readonly update?: string;
}

const packagePath = (sha256: string) => `/api/v1/packages/${encodeURIComponent(sha256.toLowerCase())}`;

/** Registers `packages add FILE [--update ID]`, `packages list`, `packages show SHA256`, `packages remove SHA256`. */
export function registerPackages(program: Command, context: CliContext): void {
  const packages = program
    .command('packages')
    .description("The server's package store: the update's .msp files agents stage from.");
  apiCommand(packages, 'add <file>', 'Upload a package (admin); the server computes its SHA-256.')
    .option('-u, --update <id>', 'the update it belongs to (default: the one whose catalog names the file)')
    .action(async (file: string, options: AddOptions) => {
      const size = await fileSize(file);
      const query = new URLSearchParams({
        file: basename(file),
        ...(options.update ? { update: options.update } : {}),
      });
      const progress = context.isTTY
        ? (sent: number) => context.out.stderr.write(`\r${progressLine(basename(file), sent, size)}`)
        : undefined;
      const answer = await client(options, context).upload(`/api/v1/packages?${query}`, file, size, progress);
      if (progress) context.out.stderr.write('\n');
      show<StoredPackage>(context, options, answer.body, (stored) =>
        renderAdded(stored, answer.status === 201),
      );
    });
  apiCommand(packages, 'list', 'The packages in the store, newest first.').action(
    async (options: ApiOptions) => {
      show<PackageList>(
        context,
        options,
        await client(options, context).get('/api/v1/packages'),
        renderPackages,
      );
    },
  );
  apiCommand(packages, 'show <sha256>', 'One stored package.').action(
    async (sha256: string, options: ApiOptions) => {
      show<StoredPackage>(
        context,
        options,
        await client(options, context).get(packagePath(sha256)),
        renderPackage,
      );
    },
  );
  apiCommand(packages, 'remove <sha256>', 'Remove a package from the store (admin).').action(
    async (sha256: string, options: ApiOptions) => {
      const answer = await client(options, context).delete(packagePath(sha256));
      show<{ sha256: string }>(context, options, answer, (a) => `Removed package ${a.sha256}\n`);
    },
  );
}

async function fileSize(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    return info.size;
  } catch (error) {
    throw new InputFileError(file, error);
  }
}
