import net from 'node:net';

/** Longer than any IP address with brackets and a port: not an address. */
const MAX_ENTRY_LENGTH = 64;

/**
 * The address of the client behind a request.
 *
 * With `trustedProxies` 0 it is the socket's peer, and X-Forwarded-For is ignored: anyone can
 * write that header. With n proxies in front of Optare, each appends the address it received
 * the request from, so the rightmost n entries were written by them and the n-th from the
 * right is the client as the outermost proxy saw it; everything further left came from the
 * client and is never used. When those n entries are missing or not addresses (a proxy that
 * does not append, a misconfigured count), the socket's address is the answer, never a
 * client-chosen one.
 *
 * `forwardedFor` is every X-Forwarded-For header of the request, in order (Node joins
 * repeated headers with commas; an array is joined the same way).
 */
export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trustedProxies: number,
): string {
  // The kernel's own word: kept even when it is not canonical (e.g. a link-local zone id).
  const socket = normalizeAddress(socketAddress ?? '') ?? (socketAddress || 'unknown');
  if (trustedProxies < 1 || forwardedFor === undefined) return socket;
  const entries = (typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',')).split(',');
  if (entries.length < trustedProxies) return socket;
  const trusted = entries.slice(entries.length - trustedProxies).map((entry) => normalizeAddress(entry.trim()));
  if (trusted.some((address) => address === null)) return socket;
  return trusted[0]!;
}

/**
 * An IPv4 or IPv6 address in canonical text form, accepting what proxies write (`1.2.3.4:5678`,
 * `[2001:db8::1]:443`, `::ffff:1.2.3.4`), or null for anything else. Zone ids (`fe80::1%eth0`)
 * mean nothing outside the host that wrote them and are refused.
 */
export function normalizeAddress(text: string): string | null {
  if (text.length === 0 || text.length > MAX_ENTRY_LENGTH || text.includes('%')) return null;
  let candidate = text;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(candidate);
  if (bracketed) {
    candidate = bracketed[1]!;
    if (net.isIPv6(candidate)) return canonical(candidate);
    return null;
  }
  const withPort = /^([0-9.]+):\d{1,5}$/.exec(candidate);
  if (withPort) candidate = withPort[1]!;
  return net.isIP(candidate) === 0 ? null : canonical(candidate);
}

/** IPv4 as is; IPv4-mapped IPv6 as IPv4; other IPv6 compressed and lower-case (RFC 5952). */
function canonical(address: string): string {
  if (net.isIPv4(address)) return address;
  // The WHATWG URL parser serializes IPv6 per RFC 5952 (embedded IPv4 turns into hex).
  const compressed = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
