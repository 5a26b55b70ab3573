/**
 * The id of each request: the one a trusted proxy sent in X-Request-ID (so a line in
 * nginx's log and the app's lines share it), else a fresh UUID. Any client can send
 * the header, so it is believed only from a peer in TRUSTED_PROXIES, and only when it
 * looks like an id (no spaces or control characters, at most 200 characters), so a
 * client cannot forge log lines with it.
 *
 * The server echoes the id in the response's X-Request-ID header and puts it in the
 * request headers the app sees (`request.META.HTTP_X_REQUEST_ID`); every log line written
 * while the request is handled carries it (`currentRequestId()`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { trustedProxies } from '../../ratelimit/client-ip.ts';
import { inNetwork, parseIp, type IpNetwork } from '../../ratelimit/ip.ts';

/** The header carrying the id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

const ID_SHAPE = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/** Whether the connection of `req` comes from one of TRUSTED_PROXIES. */
export function fromTrustedProxy(req: IncomingMessage): boolean {
  const peer = parseIp(req.socket?.remoteAddress ?? '');
  if (peer === undefined) return false;
  let proxies: readonly IpNetwork[];
  try {
    proxies = trustedProxies();
  } catch {
    // A malformed TRUSTED_PROXIES is reported where the client's address is read; here it trusts nobody.
    return false;
  }
  return proxies.some((network) => inNetwork(peer, network));
}

/** The id for `req`: the trusted proxy's X-Request-ID when it has a sane shape, otherwise a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  if (typeof sent === 'string' && ID_SHAPE.test(sent) && fromTrustedProxy(req)) return sent;
  return randomUUID();
}
