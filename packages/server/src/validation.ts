import { describeJsonTextProblem, explainPattern, jsonTextProblem } from '@exrollout/core';
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { ServerError } from './errors.js';

// ajv-formats is CommonJS: Node hands its module.exports over as the default import, whose .default is the plugin.
const addFormats = addFormatsModule.default;

// Fastify's own defaults, except that nothing is removed or converted in a body: an unknown field or a value of
// the wrong type is refused (docs/security.md), not dropped or turned into the right type. Query strings and path
// parameters arrive as text, so they are still converted to the numbers and booleans their schemas name.
// `verbose` keeps the refused value on each error, so that a refused computer name can be explained.
const COMMON: Options = { useDefaults: true, removeAdditional: false, allErrors: false, verbose: true };
const BODY: Options = { ...COMMON, coerceTypes: false };
const TEXT: Options = { ...COMMON, coerceTypes: 'array' };

/** Validates request bodies strictly, and query strings and path parameters with type conversion. */
export function installValidators(app: FastifyInstance): void {
  const body = addFormats(new Ajv(BODY));
  const text = addFormats(new Ajv(TEXT));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema));
}

/**
 * Fastify's validation message (`body/uses must be integer`), naming also the unknown field that was refused, and
 * saying why Windows would refuse a computer name rather than quoting the pattern.
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const text = errors.map((error) => {
    const where = `${dataVar}${error.instancePath}`;
    const data = (error as { data?: unknown }).data;
    const named = error.keyword === 'pattern' ? explainPattern(error.params.pattern, data) : undefined;
    if (named) return `${where} ${named} (got ${JSON.stringify(String(data).slice(0, 60))})`;
    const unknown = error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
    return `${where} ${error.message}${unknown === undefined ? '' : `: ${JSON.stringify(unknown)}`}`;
  });
  return new Error(text.join(', '));
}

/** How deep a JSON body may nest; the deepest the API takes is a policy's maintenance window days, at 5. */
export const MAX_JSON_DEPTH = 32;

/**
 * Replaces Fastify's JSON body parser by the same parser (which refuses `__proto__` and `constructor.prototype`)
 * behind a scan of the text that refuses a body nested deeper than MAX_JSON_DEPTH (code walking it recursively
 * would overflow the stack) or with an object that repeats a key (JSON.parse would let the last one win, so
 * `{"role":"viewer","role":"admin"}` would create an admin token).
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    const problem = jsonTextProblem(text, MAX_JSON_DEPTH);
    if (problem)
      return done(
        new ServerError('SRV_ERR_VALIDATION', 400, describeJsonTextProblem(problem, 'body')),
        undefined,
      );
    return parse(request, text, done);
  });
}
