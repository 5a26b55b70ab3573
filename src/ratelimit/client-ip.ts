/**
 * The client's IP address: the peer of the connection (REMOTE_ADDR), or, when that
 * peer is one of TRUSTED_PROXIES, the address the proxies recorded in
 * X-Forwarded-For.
 *
 * Any client can send an X-Forwarded-For header, so it is read only when the
 * connection comes from a trusted proxy, and only as far as trusted proxies wrote
 * it: each proxy appends the address it received the request from, so the header
 * is walked from the right, skipping trusted proxies, and the first address that
 * is not one is the client. Everything to its left was written by the client or
 * by proxies nobody vouches for.
 */
import { settingOr } from '../conf/lazy-settings.ts';
import type { HttpRequest } from '../http/request.ts';
import { ClientAddressUnknownError, InvalidTrustedProxiesError, RateLimitKeyError } from './errors.ts';
import { formatIp, inNetwork, maskIp, parseIp, parseNetwork, type IpAddress, type IpNetwork } from './ip.ts';

// TRUSTED_PROXIES parsed once per settings value (overrideSettings gives a new array).
const compiled = new WeakMap<object, readonly IpNetwork[]>();

/**
 * TRUSTED_PROXIES as networks.
 *
 * @throws InvalidTrustedProxiesError when it holds something else than addresses and networks.
 */
export function trustedProxies(): readonly IpNetwork[] {
  const setting = settingOr<unknown>('TRUSTED_PROXIES', []);
  if (!Array.isArray(setting)) {
    throw new InvalidTrustedProxiesError(
      "TRUSTED_PROXIES must be a list of the addresses or networks of your reverse proxies, such as ['10.0.0.0/8', '::1'].",
    );
  }
  let networks = compiled.get(setting);
  if (networks === undefined) {
    networks = setting.map((entry: unknown, i) => {
      const network = typeof entry === 'string' ? parseNetwork(entry.trim()) : undefined;
      if (network === undefined) {
        throw new InvalidTrustedProxiesError(
          `TRUSTED_PROXIES[${i}] is ${JSON.stringify(entry)}, which is not an IP address or network. ` +
            "Write an address ('10.0.0.5', '::1') or a network in CIDR form ('10.0.0.0/8', 'fd00::/8').",
        );
      }
      return network;
    });
    compiled.set(setting, networks);
  }
  return networks;
}

function isTrusted(address: IpAddress, proxies: readonly IpNetwork[]): boolean {
  return proxies.some((network) => inNetwork(address, network));
}

/** An X-Forwarded-For entry as an address; some proxies add the port ('1.2.3.4:5678', '[::1]:80'). */
function forwardedAddress(entry: string): IpAddress | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return parseIp(bracketed[1]!);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return parseIp(withPort ? withPort[1]! : entry);
}

/**
 * The client's address as bytes (see the module comment for how proxies are trusted).
 *
 * @throws ClientAddressUnknownError when REMOTE_ADDR is empty (a Unix socket) or not an address.
 * @throws InvalidTrustedProxiesError when TRUSTED_PROXIES holds something else than addresses and networks.
 */
export function clientAddress(request: HttpRequest): IpAddress {
  const remoteAddr = request.META['REMOTE_ADDR'] ?? '';
  const peer = parseIp(remoteAddr);
  if (peer === undefined) {
    throw new ClientAddressUnknownError(
      `REMOTE_ADDR is ${JSON.stringify(remoteAddr)}, not an IP address, so the client cannot be keyed by address. ` +
        'This happens when the server listens on a Unix socket: listen on a TCP address behind your proxy, ' +
        "or key the limit on something else (key: 'user', or a function).",
    );
  }
  const proxies = trustedProxies();
  if (proxies.length === 0 || !isTrusted(peer, proxies)) return peer;
  const header = request.META['HTTP_X_FORWARDED_FOR'];
  if (header === undefined) return peer;
  const hops = header.split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = forwardedAddress(hops[i]!);
    // Unreadable: the trusted hop that wrote it is the last address we can vouch for.
    if (hop === undefined) break;
    client = hop;
    if (!isTrusted(hop, proxies)) break;
  }
  return client;
}

/**
 * The client's IP address, as text ('203.0.113.7', '2001:db8::1'); IPv4 clients of a
 * dual-stack socket are shown as IPv4.
 *
 * ```ts
 * // TRUSTED_PROXIES: ['10.0.0.0/8'], a request from 10.0.0.2 with X-Forwarded-For: 198.51.100.1, 203.0.113.7
 * clientIp(request); // '203.0.113.7': the proxy at 10.0.0.2 saw the request come from there
 * ```
 */
export function clientIp(request: HttpRequest): string {
  return formatIp(clientAddress(request));
}

/**
 * The network a client is counted by: its IPv4 address (RATELIMIT_IPV4_MASK, default 32)
 * or its IPv6 /64 (RATELIMIT_IPV6_MASK, default 64), as django-ratelimit does: a
 * single IPv6 subscriber is usually given a whole /64.
 */
export function clientNetwork(request: HttpRequest): string {
  const address = clientAddress(request);
  const [name, bits, fallback] = address.version === 4 ? ['RATELIMIT_IPV4_MASK', 32, 32] : ['RATELIMIT_IPV6_MASK', 128, 64];
  const prefix = settingOr<unknown>(name, fallback);
  if (typeof prefix !== 'number' || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new RateLimitKeyError(`${name} must be a whole number of bits from 0 to ${bits}, got ${JSON.stringify(prefix)}.`);
  }
  return formatIp(maskIp(address, prefix));
}
