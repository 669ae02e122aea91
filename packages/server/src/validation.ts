import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { ServerError } from './errors.js';

// ajv-formats is CommonJS: Node hands its module.exports over as the default import, whose .default is the plugin.
const addFormats = addFormatsModule.default;

// Fastify's own defaults, except that nothing is removed or converted in a body: an unknown field or a value of
// the wrong type is refused (docs/security.md), not dropped or turned into the right type. Query strings and path
// parameters arrive as text, so they are still converted to the numbers and booleans their schemas name.
const COMMON: Options = { useDefaults: true, removeAdditional: false, allErrors: false };
const BODY: Options = { ...COMMON, coerceTypes: false };
const TEXT: Options = { ...COMMON, coerceTypes: 'array' };

/** Validates request bodies strictly, and query strings and path parameters with type conversion. */
export function installValidators(app: FastifyInstance): void {
  const body = addFormats(new Ajv(BODY));
  const text = addFormats(new Ajv(TEXT));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema));
}

/** Fastify's validation message (`body/uses must be integer`), naming also the unknown field that was refused. */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const text = errors.map((error) => {
    const unknown = error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
    return `${dataVar}${error.instancePath} ${error.message}${unknown === undefined ? '' : `: ${JSON.stringify(unknown)}`}`;
  });
  return new Error(text.join(', '));
}

/** How deep a JSON body may nest; the deepest the API takes is a policy's maintenance window days, at 5. */
export const MAX_JSON_DEPTH = 32;

/**
 * Replaces Fastify's JSON body parser by the same parser (which refuses `__proto__` and `constructor.prototype`)
 * behind a nesting check on the text: a body nested thousands of levels deep would otherwise reach code that
 * walks it recursively and overflow the stack.
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const depth = nestingDepth(String(body), MAX_JSON_DEPTH);
    if (depth > MAX_JSON_DEPTH)
      return done(
        new ServerError('SRV_ERR_VALIDATION', 400, `body nests deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
    return parse(request, String(body), done);
  });
}

/** The deepest nesting of arrays and objects in JSON text, counted up to just past `limit`. */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length && deepest <= limit; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
