import { readFile } from 'node:fs/promises';
import { InputFileError, InputJsonError } from './errors.js';

/** The streams a command writes to; tests pass their own. */
export interface Output {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Reads and parses a JSON file, with errors that name the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputFileError(path, error);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputJsonError(path, error);
  }
}

/** Writes a value as pretty JSON and a newline. */
export function writeJson(out: Output, value: unknown): void {
  out.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
