import { schemaIssues } from '@exrollout/core';
import { type ExrOutput, outputError } from '../exr-format.js';

/** Typed access to a script's values; a value of the wrong shape is a DriverError AGENT_ERR_DRIVER_OUTPUT. */
export interface ValueReader {
  /** The last value of a key, or undefined. */
  one(key: string): string | undefined;
  /** Every value of a key, in order. */
  all(key: string): readonly string[];
  /** `True`/`False` (any case), or undefined when absent. */
  bool(key: string): boolean | undefined;
  /** A non-negative integer, or undefined when absent. */
  int(key: string): number | undefined;
}

/** A reader over a parsed output. */
export function readValues(output: ExrOutput): ValueReader {
  const all = (key: string) => output.values.get(key) ?? [];
  const one = (key: string) => all(key).at(-1);
  return {
    one,
    all,
    bool(key) {
      const value = one(key)?.trim().toLowerCase();
      if (value === undefined) return undefined;
      if (value !== 'true' && value !== 'false') throw outputError(`${key} is not True or False: ${value}`);
      return value === 'true';
    },
    int(key) {
      const value = one(key)?.trim();
      if (value === undefined) return undefined;
      if (!/^\d{1,15}$/.test(value)) throw outputError(`${key} is not a whole number: ${value}`);
      return Number(value);
    },
  };
}

/** Checks what the driver built from a script's output against its core schema before anyone sees it. */
export function checkAgainst<T>(schema: Parameters<typeof schemaIssues>[0], value: T, what: string): T {
  const issues = schemaIssues(schema, value);
  if (issues.length > 0)
    throw outputError(
      `the ${what} read from the script breaks its schema: ${issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  return value;
}

/** Cuts a text to at most `max` characters, to fit a schema's maxLength. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}
