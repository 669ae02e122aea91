import fc from 'fast-check';
import Value from 'typebox/value';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The parts of JSON Schema the fuzzer reads (TypeBox schemas and the OpenAPI document are both this). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}

/** A fixed seed, so that a failure is reproduced by running the file again; EXR_FUZZ_SEED overrides it. */
export const FUZZ_SEED = Number(process.env.EXR_FUZZ_SEED ?? 20_260_401);

/** Strings that break names and parsers: control and bidi characters, look-alikes, injections, odd Unicode. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'EX\u000001',
  'EX01\u0000',
  '\u202EEX01',
  'EX\u200F01',
  'EX\u200B01',
  '\uFF25\uFF38\uFF10\uFF11',
  'EX\u212A01',
  '\u0130X01',
  'EX01\r\nX-Injected: 1',
  '\uD800',
  '😀',
  'ÉX01',
  '../../etc/passwd',
  '%00',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '$' + '{jndi:ldap://127.0.0.1/x}',
  '__proto__',
  'constructor',
  'prototype',
  'x'.repeat(300),
];

/** Keys that pollute prototypes when code copies objects carelessly. */
export const POLLUTING_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

const JSON_TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'] as const;
const SAMPLE_OF_TYPE: Record<(typeof JSON_TYPES)[number], fc.Arbitrary<Json>> = {
  null: fc.constant(null),
  boolean: fc.boolean(),
  integer: fc.integer(),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  string: fc.oneof(fc.string(), fc.constantFrom(...NASTY_STRINGS), fc.constant('1'), fc.constant('true')),
  array: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) as fc.Arbitrary<Json>,
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
    maxKeys: 3,
  }) as fc.Arbitrary<Json>,
};

/** Turns OpenAPI 3.0 `nullable` into JSON Schema, so that TypeBox's checker reads it as the server does. */
export function normalizeSchema(schema: unknown): JsonSchema {
  if (Array.isArray(schema)) return schema.map(normalizeSchema) as unknown as JsonSchema;
  if (schema === null || typeof schema !== 'object') return schema as JsonSchema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    if (key !== 'nullable') copy[key] = normalizeSchema(value);
  return (schema as JsonSchema).nullable ? { anyOf: [copy as JsonSchema, { type: 'null' }] } : copy;
}

/** True when `value` passes `schema` once its defaults are filled in, as the server fills them. */
export function passes(schema: JsonSchema, value: unknown): boolean {
  return Value.Check(schema as never, withDefaults(schema, value));
}

/** A copy of `value` with the defaults of missing properties filled in, at every depth (not inside anyOf). */
export function withDefaults(schema: JsonSchema, value: unknown): unknown {
  if (Array.isArray(value))
    return schema.items ? value.map((item) => withDefaults(schema.items as JsonSchema, item)) : value;
  if (!isObject(value) || !schema.properties) return value;
  const filled: Record<string, unknown> = { ...value };
  for (const [key, child] of Object.entries(schema.properties)) {
    if (!Object.hasOwn(filled, key) && 'default' in child) filled[key] = structuredClone(child.default);
    if (Object.hasOwn(filled, key)) filled[key] = withDefaults(child, filled[key]);
  }
  return filled;
}

type Path = readonly (string | number)[];
interface Site {
  readonly path: Path;
  readonly schema: JsonSchema;
  readonly value: unknown;
}

/** Every place in `value` that `schema` describes, each with the sub-schema that applies there. */
export function sitesOf(schema: JsonSchema, value: unknown, path: Path = []): Site[] {
  const resolved = resolve(schema, value);
  if (!resolved) return [];
  const sites: Site[] = [{ path, schema: resolved, value }];
  if (isObject(value) && resolved.properties)
    for (const [key, child] of Object.entries(resolved.properties))
      if (Object.hasOwn(value, key)) sites.push(...sitesOf(child, value[key], [...path, key]));
  if (Array.isArray(value) && resolved.items)
    for (const [index, item] of value.slice(0, 3).entries())
      sites.push(...sitesOf(resolved.items, item, [...path, index]));
  return sites;
}

function resolve(schema: JsonSchema, value: unknown): JsonSchema | undefined {
  if (schema.anyOf) {
    const branch = schema.anyOf.find((candidate) => passes(candidate, value));
    return branch && resolve(branch, value);
  }
  if (schema.allOf) {
    const merged: JsonSchema = { properties: {}, required: [] };
    for (const part of schema.allOf) {
      Object.assign(merged.properties as object, part.properties);
      merged.required?.push(...(part.required ?? []));
      if (part.additionalProperties !== undefined) merged.additionalProperties = part.additionalProperties;
    }
    return { ...schema, ...merged, allOf: undefined };
  }
  return schema;
}

/** Values that break `schema` at one site: another JSON type, or a constraint just missed (none: unbreakable). */
export function breakers(schema: JsonSchema, value: unknown): fc.Arbitrary<Json>[] {
  const options: fc.Arbitrary<Json>[] = [];
  const allowed = new Set(typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []));
  if (allowed.has('number')) allowed.add('integer');
  if (allowed.size > 0)
    options.push(
      fc
        .constantFrom(...JSON_TYPES.filter((type) => !allowed.has(type)))
        .chain((type) => SAMPLE_OF_TYPE[type]),
    );
  if (schema.enum || schema.const !== undefined)
    options.push(fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string()).filter((s) => !passes(schema, s)));
  if (typeof schema.minLength === 'number' && schema.minLength > 0)
    options.push(fc.constant('x'.repeat(schema.minLength - 1)));
  if (typeof schema.maxLength === 'number') options.push(fc.constant('x'.repeat(schema.maxLength + 1)));
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    options.push(
      fc
        .oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 20 }))
        .filter((s) => !pattern.test(s)),
    );
  }
  if (typeof schema.minimum === 'number') options.push(fc.constant(schema.minimum - 1));
  if (typeof schema.maximum === 'number') options.push(fc.constant(schema.maximum + 1));
  if (Array.isArray(value)) options.push(...arrayBreakers(schema, value as Json[]));
  if (isObject(value)) options.push(...objectBreakers(schema, value as Record<string, Json>));
  return options;
}

function arrayBreakers(schema: JsonSchema, value: Json[]): fc.Arbitrary<Json>[] {
  const first = value[0];
  const options: fc.Arbitrary<Json>[] = [];
  if (typeof schema.minItems === 'number' && schema.minItems > 0) options.push(fc.constant([]));
  if (typeof schema.maxItems === 'number' && first !== undefined)
    options.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, () => first)));
  if (schema.uniqueItems && first !== undefined) options.push(fc.constant([first, first]));
  return options;
}

function objectBreakers(schema: JsonSchema, value: Record<string, Json>): fc.Arbitrary<Json>[] {
  const options: fc.Arbitrary<Json>[] = [];
  const known = new Set(Object.keys(schema.properties ?? {}));
  if (schema.additionalProperties === false)
    options.push(
      fc
        .tuple(
          fc.oneof(fc.constantFrom(...POLLUTING_KEYS, ...NASTY_STRINGS), fc.string({ maxLength: 12 })),
          fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
        )
        .filter(([key]) => !known.has(key))
        .map(([key, extra]) => withOwn(value, key, extra)),
    );
  const required = (schema.required ?? []).filter((key) => Object.hasOwn(value, key));
  if (required.length > 0)
    options.push(
      fc.constantFrom(...required).map((key) => {
        const { [key]: _removed, ...rest } = value;
        return rest;
      }),
    );
  return options;
}

/** `value` with one site replaced by a value that breaks the schema there (and so, usually, the whole). */
export function mutation(schema: JsonSchema, valid: Json): fc.Arbitrary<Json> {
  const sites = sitesOf(schema, valid)
    .map((site) => ({ ...site, breakers: breakers(site.schema, site.value) }))
    .filter((site) => site.breakers.length > 0);
  return fc
    .constantFrom(...sites)
    .chain((site) => fc.oneof(...site.breakers).map((broken) => replaceAt(valid, site.path, broken)));
}

/** A copy of `root` with the value at `path` replaced. */
export function replaceAt(root: Json, path: Path, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = replaceAt(copy[head as number] as Json, rest, replacement);
    return copy;
  }
  const record = root as Record<string, Json>;
  return withOwn(record, head as string, replaceAt(record[head as string] as Json, rest, replacement));
}

// Defines the key as an own property, so that `__proto__` is sent as a key rather than setting the prototype.
function withOwn(record: Record<string, Json>, key: string, value: Json): Record<string, Json> {
  const copy: Record<string, Json> = { ...record };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON nested `depth` levels deep, as text (building it as a value would itself recurse). */
export function deepJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Counts what a fuzz run tried and how the server answered, for the one-line summary. */
export class FuzzTally {
  tried = 0;
  rejected = 0;
  acceptedWrongly = 0;
  validByChance = 0;
  readonly codes = new Map<string, number>();

  /** Records one refused input and the code it was refused with. */
  refused(code: string): void {
    this.tried++;
    this.rejected++;
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }

  /** Records one input the server took although it should have refused it. */
  wronglyAccepted(): void {
    this.tried++;
    this.acceptedWrongly++;
  }

  /** The codes inputs were refused with, most frequent first. */
  codeSummary(): string {
    return [...this.codes]
      .sort((a, b) => b[1] - a[1])
      .map(([code, count]) => `${code} ${count.toLocaleString('en-US')}`)
      .join(', ');
  }

  /** The one-line summary. */
  summary(name: string): string {
    const n = (x: number) => x.toLocaleString('en-US');
    return `${name}: ${n(this.tried)} inputs, ${n(this.rejected)} rejected with a clear error, ${n(this.acceptedWrongly)} accepted wrongly (seed ${FUZZ_SEED}; ${n(this.validByChance)} generated inputs were valid and not sent)`;
  }
}
