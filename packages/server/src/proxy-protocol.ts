import { isIPv4, isIPv6 } from 'node:net';

/** The client a PROXY protocol header names, or `local` (v2 LOCAL, v1 UNKNOWN): the connection is the balancer's own. */
export type ProxiedPeer =
  | {
      readonly kind: 'proxied';
      readonly address: string;
      readonly port: number;
      readonly family: 'IPv4' | 'IPv6';
    }
  | { readonly kind: 'local' };

/** What the bytes read so far hold: not yet a whole header, not a header, or a header of `length` bytes. */
export type ProxyParse =
  | { readonly status: 'incomplete' }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'done'; readonly peer: ProxiedPeer; readonly length: number };

const V1_PREFIX = Buffer.from('PROXY ');
const V1_MAX = 107;
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
// Room for the addresses and the TLVs balancers add (AWS, Azure, GCP add less than 300 bytes).
const V2_MAX_BODY = 4096;

/** Parses a PROXY protocol v1 (text) or v2 (binary) header at the start of `data`. */
export function parseProxyHeader(data: Buffer): ProxyParse {
  if (startsLike(data, V2_SIGNATURE)) return data.length < 16 ? INCOMPLETE : parseV2(data);
  if (startsLike(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? INCOMPLETE : parseV1(data);
  return invalid('the connection did not begin with a PROXY protocol header');
}

const INCOMPLETE: ProxyParse = { status: 'incomplete' };

function invalid(reason: string): ProxyParse {
  return { status: 'invalid', reason };
}

function startsLike(data: Buffer, prefix: Buffer): boolean {
  const length = Math.min(data.length, prefix.length);
  return data.subarray(0, length).equals(prefix.subarray(0, length));
}

function parseV1(data: Buffer): ProxyParse {
  const end = data.subarray(0, V1_MAX).indexOf('\r\n');
  if (end === -1)
    return data.length >= V1_MAX ? invalid('PROXY v1 header longer than 107 bytes') : INCOMPLETE;
  const fields = data.subarray(0, end).toString('latin1').split(' ');
  const length = end + 2;
  if (fields[1] === 'UNKNOWN') return { status: 'done', peer: { kind: 'local' }, length };
  const [, protocol, source, , sourcePort] = fields;
  const family = protocol === 'TCP4' ? 'IPv4' : protocol === 'TCP6' ? 'IPv6' : undefined;
  const port = Number(sourcePort);
  if (fields.length !== 6 || family === undefined || !validAddress(source, family) || !validPort(port))
    return invalid('malformed PROXY v1 header');
  return { status: 'done', peer: { kind: 'proxied', address: source as string, port, family }, length };
}

function parseV2(data: Buffer): ProxyParse {
  const versionCommand = data[12] as number;
  const familyProtocol = data[13] as number;
  const bodyLength = data.readUInt16BE(14);
  if (versionCommand >> 4 !== 2) return invalid('PROXY v2 header of an unknown version');
  if (bodyLength > V2_MAX_BODY) return invalid('PROXY v2 header too long');
  const length = 16 + bodyLength;
  if (data.length < length) return INCOMPLETE;
  const command = versionCommand & 0x0f;
  if (command === 0) return { status: 'done', peer: { kind: 'local' }, length };
  if (command !== 1) return invalid('PROXY v2 header with an unknown command');
  const body = data.subarray(16, length);
  const family = familyProtocol >> 4;
  if (family === 1 && body.length >= 12)
    return proxied([...body.subarray(0, 4)].join('.'), body.readUInt16BE(8), 'IPv4', length);
  if (family === 2 && body.length >= 36)
    return proxied(ipv6(body.subarray(0, 16)), body.readUInt16BE(32), 'IPv6', length);
  // UNSPEC or a UNIX socket: nothing to say about the client, so the connection counts as the balancer's.
  if (family === 0 || family === 3) return { status: 'done', peer: { kind: 'local' }, length };
  return invalid('malformed PROXY v2 addresses');
}

function proxied(address: string, port: number, family: 'IPv4' | 'IPv6', length: number): ProxyParse {
  return { status: 'done', peer: { kind: 'proxied', address, port, family }, length };
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

function validAddress(address: string | undefined, family: 'IPv4' | 'IPv6'): boolean {
  return address !== undefined && (family === 'IPv4' ? isIPv4(address) : isIPv6(address));
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}
