import { describe, expect, it } from 'vitest';
import { escapeExrValue, parseExrLine, parseExrOutput, unescapeExrValue, unknownKeys } from './exr-format.js';

const codeOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
};

describe('EXR values', () => {
  it('escapes backslash, pipe, CR, LF and non-ASCII, and reads them back', () => {
    const value = 'C:\\Program Files|x\r\nMise \u00e0 jour \u2013 \ud83d\ude00';
    const escaped = escapeExrValue(value);
    expect(escaped).toBe('C:\\\\Program Files\\px\\r\\nMise \\u00e0 jour \\u2013 \\ud83d\\ude00');
    expect(escaped).toMatch(/^[\x20-\x7e]*$/);
    expect(escaped).not.toContain('|');
    expect(unescapeExrValue(escaped)).toBe(value);
  });

  it('refuses unknown escapes and a lone trailing backslash', () => {
    expect(unescapeExrValue('a\\qb')).toBeUndefined();
    expect(unescapeExrValue('a\\')).toBeUndefined();
    expect(unescapeExrValue('a\\u12')).toBeUndefined();
    expect(unescapeExrValue('a\\\\')).toBe('a\\');
  });
});

describe('parseExrLine', () => {
  it('reads protocol lines, ignores others and flags malformed ones', () => {
    expect(parseExrLine('EXR|server.build|8.1.340.1\r')).toEqual({ key: 'server.build', value: '8.1.340.1' });
    expect(parseExrLine('  EXR|owa.changed|auth\\\\logon.aspx')).toEqual({
      key: 'owa.changed',
      value: 'auth\\logon.aspx',
    });
    expect(parseExrLine('WARNING: something')).toBeUndefined();
    expect(parseExrLine('EXR|a|b|c')).toBe('malformed');
    expect(parseExrLine('EXR|Bad Key|x')).toBe('malformed');
    expect(parseExrLine('EXR|key|bad\\escape')).toBe('malformed');
  });
});

describe('parseExrOutput', () => {
  it('collects repeated keys in order and tolerates text around the protocol lines', () => {
    const output = parseExrOutput(
      'Windows PowerShell\r\nEXR|role|Mailbox\r\n\r\nEXR|role|ClientAccess\r\nEXR|x|1|2\r\nEXR|status|ok\r\n',
    );
    expect(output.status).toBe('ok');
    expect(output.values.get('role')).toEqual(['Mailbox', 'ClientAccess']);
    expect(output.malformed).toEqual(['EXR|x|1|2']);
  });

  it('reads a failure with its code and message', () => {
    const output = parseExrOutput(
      'EXR|error.code|INSTALL_FAILED\nEXR|error.message|msiexec exited with 1603\nEXR|status|error\n',
    );
    expect(output).toMatchObject({
      status: 'error',
      error: { code: 'INSTALL_FAILED', message: 'msiexec exited with 1603' },
    });
  });

  it('refuses output without exactly one valid status line', () => {
    expect(codeOf(() => parseExrOutput('EXR|server.name|SEA-CAS01\n'))).toBe('AGENT_ERR_DRIVER_OUTPUT');
    expect(codeOf(() => parseExrOutput(''))).toBe('AGENT_ERR_DRIVER_OUTPUT');
    expect(codeOf(() => parseExrOutput('EXR|status|ok\nEXR|status|ok\n'))).toBe('AGENT_ERR_DRIVER_OUTPUT');
    expect(codeOf(() => parseExrOutput('EXR|status|maybe\n'))).toBe('AGENT_ERR_DRIVER_OUTPUT');
  });

  it('refuses a failure whose code is missing or not in the code list', () => {
    expect(codeOf(() => parseExrOutput('EXR|status|error\n'))).toBe('AGENT_ERR_DRIVER_OUTPUT');
    expect(codeOf(() => parseExrOutput('EXR|error.code|MADE_UP\nEXR|status|error\n'))).toBe(
      'AGENT_ERR_DRIVER_OUTPUT',
    );
  });

  it('reports keys the caller does not know, but not the common ones', () => {
    const output = parseExrOutput('EXR|progress|x\nEXR|build|8.1.340.1\nEXR|surprise|1\nEXR|status|ok\n');
    expect(unknownKeys(output, new Set(['build']))).toEqual(['surprise']);
  });
});
