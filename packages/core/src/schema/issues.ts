import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { explainPattern } from '../inventory/computer-name.js';

/** One way a value breaks its schema: where (JSON Pointer segments) and what, in plain words. */
export interface SchemaIssue {
  /** Path segments from the root to the offending value, e.g. `['servers', 3, 'build']`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

interface RawError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message: string;
}

const MAX_ISSUES = 50;

/** Checks a value against a schema and explains every problem in words a person can act on (first 50). */
export function schemaIssues(
  schema: TSchema,
  value: unknown,
  hints: Readonly<Record<string, string>> = {},
): SchemaIssue[] {
  if (Value.Check(schema, value)) return [];
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value) as unknown as RawError[]) {
    for (const issue of explain(error, { schema, root: value, hints })) {
      const key = `${issue.path.join('/')}|${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(issue);
    }
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

/** Renders a path as `servers[3].cluster.role`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

interface ExplainContext {
  readonly schema: TSchema;
  readonly root: unknown;
  readonly hints: Readonly<Record<string, string>>;
}

function explain(error: RawError, { schema, root, hints }: ExplainContext): SchemaIssue[] {
  const path = parsePointer(error.instancePath);
  const actual = valueAt(root, path);
  const params = error.params;
  switch (error.keyword) {
    case 'boolean':
      // The twin of an additionalProperties error, which says it better.
      return [];
    case 'required':
      return asStrings(params.requiredProperties).map((field) => ({
        path: [...path, field],
        message: 'is required',
      }));
    case 'additionalProperties':
      return asStrings(params.additionalProperties).map((field) => ({
        path: [...path, field],
        message: unknownFieldMessage(field, propertyNamesAt(schema, path)),
      }));
    case 'enum':
      return [
        {
          path,
          message: `must be one of ${asStrings(params.allowedValues).join(', ')} (got ${show(actual)})`,
        },
      ];
    case 'type':
      return [{ path, message: `must be ${article(String(params.type))} (got ${describeType(actual)})` }];
    case 'pattern':
      return [
        {
          path,
          message: `${explainPattern(params.pattern, actual) ?? hints[lastKey(path)] ?? 'has the wrong format'} (got ${show(actual)})`,
        },
      ];
    case 'uniqueItems':
      return [{ path, message: 'must not list the same value twice' }];
    default:
      return [{ path, message: error.message }];
  }
}

function unknownFieldMessage(field: string, known: readonly string[]): string {
  const near = known.find((name) => name.toLowerCase() === field.toLowerCase());
  return near ? `is not a known field (did you mean "${near}"?)` : 'is not a known field';
}

// Walks plain JSON Schema (properties, items) to the object schema at a value path.
function propertyNamesAt(schema: unknown, path: readonly (string | number)[]): string[] {
  let current = schema as { properties?: Record<string, unknown>; items?: unknown } | undefined;
  for (const part of path) {
    current = (typeof part === 'number' ? current?.items : current?.properties?.[part]) as typeof current;
  }
  return Object.keys(current?.properties ?? {});
}

function parsePointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function lastKey(path: readonly (string | number)[]): string {
  const last = [...path].reverse().find((part) => typeof part === 'string');
  return typeof last === 'string' ? last : '';
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return article(typeof value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
