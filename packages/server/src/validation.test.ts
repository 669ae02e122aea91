import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from './error-handler.js';
import { installJsonParser, MAX_JSON_DEPTH } from './validation.js';

async function post(body: string) {
  const app = Fastify();
  installErrorHandler(app);
  installJsonParser(app);
  app.post('/echo', async (request) => request.body);
  const response = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await app.close();
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('the JSON body parser', () => {
  it('refuses a body with a repeated key instead of letting the last one win', async () => {
    expect(await post('{"name":"noc","role":"viewer","role":"admin"}')).toEqual({
      status: 400,
      body: {
        code: 'SRV_ERR_VALIDATION',
        message: 'body has the key "role" twice; a key may appear once in an object',
      },
    });
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels, and takes one at the limit`, async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect((await post(nested(MAX_JSON_DEPTH + 1))).body.message).toBe(
      `body nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
    expect((await post(nested(MAX_JSON_DEPTH))).status).toBe(200);
  });

  it('still refuses __proto__ as Fastify does', async () => {
    expect((await post('{"__proto__":{"admin":true}}')).body.code).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
  });
});
