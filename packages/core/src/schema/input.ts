import type { TSchema } from 'typebox';

type JsonSchema = { [key: string]: unknown };

/**
 * The schema a client's input must meet, as plain JSON Schema: the same as `schema`, except that a property with a
 * default is not required, at any depth, since the receiver fills it in. For documents (OpenAPI), not validation.
 */
export function inputSchema(schema: TSchema): JsonSchema {
  return relax(JSON.parse(JSON.stringify(schema)) as JsonSchema);
}

function relax(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties) {
    for (const value of Object.values(properties)) relax(value);
    if (Array.isArray(schema.required)) {
      const required = (schema.required as string[]).filter((key) => properties[key]?.default === undefined);
      if (required.length > 0) schema.required = required;
      else delete schema.required;
    }
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    const inner = schema[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) relax(inner as JsonSchema);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members)) for (const member of members) relax(member as JsonSchema);
  }
  return schema;
}
