import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, encodeMessage } from './codec.js';
import { PROTOCOL_VERSION } from './messages.js';

const hello = (payload: string) => `{"version":1,"type":"HELLO","payload":${payload}}`;

const inventory = (build: string) =>
  encodeMessage({
    version: PROTOCOL_VERSION,
    type: 'INVENTORY',
    payload: {
      server: { name: 'HUB1', build, roles: ['HubTransport'] },
      host: {},
      collectedAt: '2026-01-01T00:00:00.000Z',
    },
  });

const result = (details: Record<string, unknown>) =>
  JSON.stringify({
    version: PROTOCOL_VERSION,
    type: 'STEP_RESULT',
    payload: {
      commandId: 'r-0123456789:HUB1:4:verify:1',
      step: 'verify',
      outcome: 'succeeded',
      details,
      finishedAt: '2026-01-01T00:00:00.000Z',
    },
  });

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

  it('hands over every build an agent reports in the canonical short form', () => {
    const report = decodeAgentMessage(inventory('08.01.0278.002'));
    expect(report.ok && report.message.type === 'INVENTORY' && report.message.payload.server.build).toBe(
      '8.1.278.2',
    );
    const verified = decodeAgentMessage(result({ build: ' 08.01.0340.001 ' }));
    expect(
      verified.ok && verified.message.type === 'STEP_RESULT' && verified.message.payload.details,
    ).toEqual({
      build: '8.1.340.1',
    });
  });

  it('leaves a result without a build as it came', () => {
    const moved = decodeAgentMessage(result({ movedTo: 'CCR1-B' }));
    expect(moved.ok && moved.message.type === 'STEP_RESULT' && moved.message.payload.details).toEqual({
      movedTo: 'CCR1-B',
    });
  });

  it('names the command of a result it refuses, so that the step can fail at once', () => {
    const refused = decodeAgentMessage(result({ build: '8.1.340.1', shoeSize: 42 }));
    expect(refused).toMatchObject({
      ok: false,
      code: 'PROTOCOL_INVALID_MESSAGE',
      type: 'STEP_RESULT',
      commandId: 'r-0123456789:HUB1:4:verify:1',
    });
    expect(refused.ok || refused.error).toContain('shoeSize');
  });
});
