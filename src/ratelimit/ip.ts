/**
 * IP addresses as bytes, for the two things rate limiting does with them: key a
 * client by its network (an IPv6 client owns a whole /64, so keying its single
 * address would let it rotate through 2^64 of them), and test whether a peer is
 * one of TRUSTED_PROXIES. Text forms are Python's `ipaddress` ones (RFC 5952 for
 * IPv6), which the tests check against.
 */
import { formatIPv6, isIPv4, parseIPv6 } from '../utils/ipv6.ts';

/** An address: 4 bytes for IPv4, 16 for IPv6. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A network: the addresses whose first `prefix` bits are those of `address`. */
export interface IpNetwork {
  readonly address: IpAddress;
  readonly prefix: number;
}

// ::ffff:0:0/96 holds IPv4 addresses seen through an IPv6 socket (Node's '::ffff:10.0.0.1').
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.'), Number);
}

function ipv6Bytes(hextets: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  hextets.forEach((hextet, i) => {
    bytes[2 * i] = hextet >> 8;
    bytes[2 * i + 1] = hextet & 0xff;
  });
  return bytes;
}

function isMapped(bytes: Uint8Array): boolean {
  return MAPPED_PREFIX.every((byte, i) => bytes[i] === byte);
}

/** The address `text` holds, as written (a zone such as '%eth0' dropped), or undefined. */
function parseWritten(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { version: 4, bytes: ipv4Bytes(text) };
  const hextets = parseIPv6(text);
  return hextets === undefined ? undefined : { version: 6, bytes: ipv6Bytes(hextets) };
}

/**
 * The address `text` holds, or undefined when it is not one. An IPv6 zone
 * ('fe80::1%eth0') is dropped, and an IPv4-mapped address ('::ffff:10.0.0.1') is
 * the IPv4 address it maps: the same client whether it reached a dual-stack socket
 * or an IPv4 one.
 */
export function parseIp(text: string): IpAddress | undefined {
  const address = parseWritten(text);
  if (address === undefined || address.version === 4 || !isMapped(address.bytes)) return address;
  return { version: 4, bytes: address.bytes.slice(12) };
}

/** The text form: dotted IPv4; IPv6 in lower case with the longest run of zero groups (two or more) as '::'. */
export function formatIp(address: IpAddress): string {
  const { bytes } = address;
  if (address.version === 4) return bytes.join('.');
  return formatIPv6(Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!));
}

/** `address` with every bit after the first `prefix` cleared: its network's first address. */
export function maskIp(address: IpAddress, prefix: number): IpAddress {
  const bytes = new Uint8Array(address.bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const kept = Math.max(0, Math.min(8, prefix - 8 * i));
    bytes[i] = address.bytes[i]! & ((0xff << (8 - kept)) & 0xff);
  }
  return { version: address.version, bytes };
}

/**
 * A network from '10.0.0.0/8', '2001:db8::/32' or a single address ('10.0.0.1',
 * the same as /32 or /128); undefined when `text` is neither. Bits set after the
 * prefix are cleared ('10.1.2.3/8' is 10.0.0.0/8). An IPv4-mapped network
 * ('::ffff:10.0.0.0/104') is the IPv4 network it maps.
 */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  let address = parseWritten(addressText);
  if (address === undefined) return undefined;
  const bits = address.version === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
    prefix = Number(prefixText);
  }
  if (address.version === 6 && prefix >= 96 && isMapped(address.bytes)) {
    address = { version: 4, bytes: address.bytes.slice(12) };
    prefix -= 96;
  }
  return { address: maskIp(address, prefix), prefix };
}

/** Whether `address` is inside `network` (never across IP versions). */
export function inNetwork(address: IpAddress, network: IpNetwork): boolean {
  if (address.version !== network.address.version) return false;
  const masked = maskIp(address, network.prefix).bytes;
  return masked.every((byte, i) => byte === network.address.bytes[i]);
}
