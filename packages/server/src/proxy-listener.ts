import { BlockList, isIPv6, type Server, type Socket } from 'node:net';
import { type TLSSocket, Server as TlsServer } from 'node:tls';
import type { Logger } from './logger.js';
import { type ProxiedPeer, parseProxyHeader } from './proxy-protocol.js';

/** Which peers must speak the PROXY protocol, and how long they have to send the header. */
export interface ProxyProtocolOptions {
  /** Addresses or CIDRs, comma-separated (EXR_PROXY_PROTOCOL_FROM). */
  readonly from: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** The balancers' addresses as a BlockList (a match list); throws on an entry that is not an address or CIDR. */
export function addressList(text: string): BlockList {
  const list = new BlockList();
  for (const entry of text.split(',').map((part) => part.trim())) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/**
 * Makes a server read a PROXY protocol header (v1 or v2) first on every connection from a configured balancer, and
 * take the client it names as the connection's peer, so that the limiter and the logs see real clients. Such a
 * connection without a valid header is closed; connections from other peers are served as they are.
 */
export function acceptProxyProtocol(server: Server, options: ProxyProtocolOptions): void {
  const balancers = addressList(options.from);
  const serve = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    if (!fromBalancer(balancers, socket.remoteAddress)) return handOn(server, serve, socket);
    readHeader(socket, options, (peer) => {
      if (peer.kind === 'proxied') setPeer(socket, peer);
      handOn(server, serve, socket);
      // The HTTP layer reads with a 'data' listener, which does not resume a paused socket; TLS reads by itself.
      if (!(server instanceof TlsServer)) socket.resume();
    });
  });
  // A TLS socket asks its own handle for the peer: it takes the one the header named from the socket it wraps.
  server.prependListener('secureConnection', (tlsSocket: TLSSocket) => {
    const peer = named.get((tlsSocket as unknown as { _parent?: Socket })._parent as Socket);
    if (peer) setPeer(tlsSocket, peer);
  });
}

const named = new WeakMap<Socket, Extract<ProxiedPeer, { kind: 'proxied' }>>();

function fromBalancer(balancers: BlockList, address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return balancers.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
}

function handOn(server: Server, serve: readonly ((socket: Socket) => void)[], socket: Socket): void {
  for (const listener of serve) listener.call(server, socket);
}

function readHeader(socket: Socket, options: ProxyProtocolOptions, done: (peer: ProxiedPeer) => void): void {
  let buffered = Buffer.alloc(0);
  const fail = (reason: string) => {
    cleanUp();
    options.logger.warn({ balancer: socket.remoteAddress, reason }, 'PROXY protocol: connection refused');
    socket.destroy();
  };
  const timer = setTimeout(() => fail('no PROXY protocol header in time'), options.timeoutMs);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const parsed = parseProxyHeader(buffered);
    if (parsed.status === 'incomplete') return;
    if (parsed.status === 'invalid') return fail(parsed.reason);
    cleanUp();
    // Paused, or the rest would flow out to no listener before the TLS layer reads it (on the next tick).
    socket.pause();
    const rest = buffered.subarray(parsed.length);
    if (rest.length > 0) socket.unshift(rest);
    done(parsed.peer);
  };
  const cleanUp = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
  };
  const onError = () => cleanUp();
  socket.on('data', onData);
  socket.on('error', onError);
}

function setPeer(socket: Socket, peer: Extract<ProxiedPeer, { kind: 'proxied' }>): void {
  named.set(socket, peer);
  Object.defineProperty(socket, 'remoteAddress', { value: peer.address, configurable: true });
  Object.defineProperty(socket, 'remotePort', { value: peer.port, configurable: true });
  Object.defineProperty(socket, 'remoteFamily', { value: peer.family, configurable: true });
}
