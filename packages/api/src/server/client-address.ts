// The client address of a request, the key of every per-client limit (request rate, annotation
// rates, the engine's fair queue): the socket's address, or — behind reverse proxies the operator
// trusts (SALIENCY_TRUST_PROXY) — the address those proxies recorded in X-Forwarded-For. Only the
// entries added by trusted proxies are believed: anything further left was written by the client.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from './settings.js';

/** Longest address kept as a key (an X-Forwarded-For entry is client text). */
const MAX_KEY = 64;

/** `::ffff:1.2.3.4` → `1.2.3.4`, so IPv4 rules and keys match either form. */
function plain(address: string): string {
  const a = address.trim();
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a;
}

function trustedList(addresses: string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const a of addresses) {
    const [ip, bits] = a.split('/');
    const family = isIP(plain(ip)) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(plain(ip), family);
    else list.addSubnet(plain(ip), Number(bits), family);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** The hops from this server outwards: the socket's peer first, then X-Forwarded-For from the right. */
function hops(req: IncomingMessage): string[] {
  const socket = plain(req.socket.remoteAddress ?? 'unknown');
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',').map((s) => plain(s)).filter(Boolean).reverse();
  return [socket, ...forwarded];
}

/** A function giving each request's client address under the setting. */
export function clientAddressOf(trust: TrustProxy): (req: IncomingMessage) => string {
  if (trust.kind === 'none') return (req) => plain(req.socket.remoteAddress ?? 'unknown');
  if (trust.kind === 'hops') {
    // N trusted proxies: the N-th hop out is the address the outermost trusted proxy saw
    return (req) => {
      const h = hops(req);
      return h[Math.min(trust.hops, h.length - 1)].slice(0, MAX_KEY);
    };
  }
  const trusted = trustedList(trust.addresses);
  return (req) => {
    const h = hops(req);
    const client = h.find((a) => !trusted(a)) ?? h[h.length - 1];
    return client.slice(0, MAX_KEY);
  };
}
