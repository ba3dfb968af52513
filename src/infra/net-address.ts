import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** IPv6 clients are grouped by /64: one subscriber usually holds a whole /64 and can rotate within it. */
const IPV6_CLIENT_PREFIX_BITS = 64;

/**
 * The rate-limit (and connection-cap) key of a client address: every loopback address
 * (127.0.0.0/8, ::1, ::ffff:127.x) is one client, an IPv4-mapped IPv6 address is its IPv4
 * address, and an IPv6 address is its /64. Anything unparsable is its own key.
 */
export function addressKey(address: string): string {
  const ip = normalizeIp(address);
  if (!ip) return address;
  if (isLoopbackIp(ip)) return "loopback";
  if (isIP(ip) === 4) return ip;
  return `${ipv6Prefix(ipv6Words(ip)!, IPV6_CLIENT_PREFIX_BITS)}/${IPV6_CLIENT_PREFIX_BITS}`;
}

/** An IP without brackets, zone id or IPv4-mapped prefix; undefined when not an IP. */
function normalizeIp(address: string): string | undefined {
  let a = address.trim();
  if (a.startsWith("[") && a.includes("]")) a = a.slice(1, a.indexOf("]"));
  a = a.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) a = mapped[1]!;
  return isIP(a) ? a.toLowerCase() : undefined;
}

function isLoopbackIp(ip: string): boolean {
  return ip === "::1" || (isIP(ip) === 4 && ip.startsWith("127."));
}

/** The eight 16-bit words of an IPv6 address. */
function ipv6Words(ip: string): number[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((w) => Number.parseInt(w, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

function ipv6Prefix(words: number[], bits: number): string {
  return words
    .slice(0, bits / 16)
    .map((w) => w.toString(16))
    .join(":");
}

function ipv4Number(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether `ip` lies in `entry`, an IP or a CIDR (`10.0.0.0/8`, `fd00::/8`); bad entries match nothing. */
function inRange(ip: string, entry: string): boolean {
  const [base, bitsText] = entry.trim().split("/") as [string, string | undefined];
  const network = normalizeIp(base);
  if (!network) return false;
  const family = isIP(network);
  if (family !== isIP(ip)) return false;
  const maxBits = family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? maxBits : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > maxBits) return false;
  if (family === 4) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (ipv4Number(ip) & mask) >>> 0 === (ipv4Number(network) & mask) >>> 0;
  }
  const a = ipv6Words(ip)!;
  const b = ipv6Words(network)!;
  for (let i = 0, left = bits; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/** Whether `address` is one of `gateway.trustedProxies` (IPs or CIDRs). */
export function isTrustedProxy(address: string | undefined, trustedProxies: readonly string[]): boolean {
  const ip = address && normalizeIp(address);
  return !!ip && trustedProxies.some((entry) => inRange(ip, entry));
}

/** Longest X-Forwarded-For we walk: a real chain has a few hops; more is padding by a client. */
const MAX_FORWARDED_HOPS = 32;

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy, in which
 * case the right-most X-Forwarded-For entry that is not itself a trusted proxy (entries
 * left of it were written by the client and prove nothing). Never reads the header from
 * an untrusted peer.
 */
export function resolveClientAddress(
  req: { socket: { remoteAddress?: string }; headers: Record<string, string | string[] | undefined> },
  trustedProxies: readonly string[],
): string {
  const peer = req.socket.remoteAddress ?? "unknown";
  if (trustedProxies.length === 0 || !isTrustedProxy(peer, trustedProxies)) return peer;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean)
    .slice(-MAX_FORWARDED_HOPS);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = normalizeIp(hops[i]!.replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1"));
    // Garbage where an address should be: the last hop we could read is the best we know.
    if (!ip) return client;
    client = ip;
    if (!isTrustedProxy(ip, trustedProxies)) return ip;
  }
  return client;
}

const CLIENT_ADDRESS = Symbol("openclaw.clientAddress");
type StampedRequest = IncomingMessage & { [CLIENT_ADDRESS]?: string };

/** Records the resolved client address on a request (the server does this once per request). */
export function stampClientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const address = resolveClientAddress(req, trustedProxies);
  (req as StampedRequest)[CLIENT_ADDRESS] = address;
  return address;
}

/** The client address the server resolved for `req` (the socket peer when it was not stamped). */
export function clientAddress(req: IncomingMessage): string {
  return (req as StampedRequest)[CLIENT_ADDRESS] ?? req.socket.remoteAddress ?? "unknown";
}
