import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from './proxy-protocol.js';

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function v2(command: number, family: number, body: Buffer): Buffer {
  const head = Buffer.from([0x20 | command, (family << 4) | 1, 0, 0]);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([SIGNATURE, head, body]);
}

function v4Body(source: number[], port: number): Buffer {
  const body = Buffer.alloc(12);
  Buffer.from(source).copy(body, 0);
  Buffer.from([10, 0, 0, 5]).copy(body, 4);
  body.writeUInt16BE(port, 8);
  body.writeUInt16BE(443, 10);
  return body;
}

describe('parseProxyHeader', () => {
  it('reads a v1 header and says where the request after it begins', () => {
    const data = Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.5 51234 443\r\nGET / HTTP/1.1\r\n');
    expect(parseProxyHeader(data)).toEqual({
      status: 'done',
      peer: { kind: 'proxied', address: '203.0.113.7', port: 51234, family: 'IPv4' },
      length: 43,
    });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n'))).toMatchObject({
      peer: { address: '2001:db8::7', family: 'IPv6' },
    });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({
      status: 'done',
      peer: { kind: 'local' },
      length: 15,
    });
  });

  it('reads a v2 header, TLVs included, for IPv4, IPv6 and LOCAL', () => {
    const withTlv = Buffer.concat([v4Body([203, 0, 113, 7], 51234), Buffer.from([0x04, 0x00, 0x01, 0x2a])]);
    const data = Buffer.concat([v2(1, 1, withTlv), Buffer.from('GET /')]);
    expect(parseProxyHeader(data)).toEqual({
      status: 'done',
      peer: { kind: 'proxied', address: '203.0.113.7', port: 51234, family: 'IPv4' },
      length: 32,
    });
    const six = Buffer.alloc(36);
    six.writeUInt16BE(0x2001, 0);
    six.writeUInt16BE(0x0db8, 2);
    six.writeUInt16BE(7, 14);
    six.writeUInt16BE(4000, 32);
    expect(parseProxyHeader(v2(1, 2, six))).toMatchObject({ peer: { address: '2001:db8::7', port: 4000 } });
    expect(parseProxyHeader(v2(0, 0, Buffer.alloc(0)))).toEqual({
      status: 'done',
      peer: { kind: 'local' },
      length: 16,
    });
  });

  it('waits for the rest of a header cut anywhere', () => {
    const whole = [
      Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.5 51234 443\r\n'),
      v2(1, 1, v4Body([203, 0, 113, 7], 1)),
    ];
    for (const header of whole)
      for (let cut = 1; cut < header.length; cut++)
        expect(parseProxyHeader(header.subarray(0, cut)).status).toBe('incomplete');
  });

  it('refuses what is not a header: a plain request, bad addresses, an endless line, a wrong version', () => {
    for (const text of [
      'GET / HTTP/1.1\r\n',
      'PROXY TCP4 999.0.113.7 10.0.0.5 51234 443\r\n',
      'PROXY TCP4 203.0.113.7 10.0.0.5 99999 443\r\n',
      'PROXY UDP4 203.0.113.7 10.0.0.5 1 443\r\n',
      `PROXY TCP4 ${'1'.repeat(120)}`,
    ])
      expect(parseProxyHeader(Buffer.from(text)).status).toBe('invalid');
    const v3 = v2(1, 1, v4Body([1, 2, 3, 4], 1));
    v3[12] = 0x31;
    expect(parseProxyHeader(v3).status).toBe('invalid');
  });
});
