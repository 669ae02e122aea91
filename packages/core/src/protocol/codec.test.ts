import { describe, expect, it } from 'vitest';
import { decodeAgentMessage } from './codec.js';

const hello = (payload: string) => `{"version":1,"type":"HELLO","payload":${payload}}`;

describe('decodeAgentMessage', () => {
  it('decodes a valid HELLO', () => {
    expect(
      decodeAgentMessage(hello('{"name":"EX01","agentVersion":"1","driver":"simulated"}')),
    ).toMatchObject({
      ok: true,
      message: { type: 'HELLO', payload: { name: 'EX01' } },
    });
  });

  it('refuses a frame that repeats a key, rather than taking the last value', () => {
    expect(
      decodeAgentMessage(hello('{"name":"EX01","name":"EX02","agentVersion":"1","driver":"simulated"}')),
    ).toEqual({
      ok: false,
      code: 'PROTOCOL_INVALID_JSON',
      error: 'frame has the key "name" twice in payload; a key may appear once in an object',
    });
  });
});
