import type { SchemaIssue } from '@exrollout/core';

interface ObjectSchema {
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * @internal Adds "did you mean" to an unknown field one or two typing mistakes away from a known one
 * (`behavior` for `behaviour`, `installSecond`), which the generic message only does for a different case.
 */
export function suggestField(schema: unknown, issue: SchemaIssue): SchemaIssue {
  if (issue.message !== 'is not a known field') return issue;
  const field = issue.path.at(-1);
  if (typeof field !== 'string') return issue;
  const known = Object.keys(objectAt(schema, issue.path.slice(0, -1))?.properties ?? {});
  const near = known.find((name) => distance(name.toLowerCase(), field.toLowerCase()) <= 2);
  return near ? { path: issue.path, message: `is not a known field (did you mean "${near}"?)` } : issue;
}

function objectAt(schema: unknown, path: readonly (string | number)[]): ObjectSchema | undefined {
  let current = schema as ObjectSchema | undefined;
  for (const part of path) current = current?.properties?.[String(part)] as ObjectSchema | undefined;
  return current;
}

/** The Levenshtein distance between two strings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
