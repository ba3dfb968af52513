import { isIPv4, isIPv6 } from "node:net";

/** The key every loopback client shares: 127.0.0.0/8 and ::1 are one machine. */
export const LOOPBACK_KEY = "loopback";

/**
 * The key under which per-address limits count a remote address. Loopback clients
 * (127.0.0.0/8, ::1, ::ffff:127.x) are one key: they are one machine, and a proxy or
 * tunnel on that machine makes every client look like one of them anyway. IPv6 counts
 * by /64, the smallest block a site is given, so one host cannot dodge a cap by
 * rotating through the 2^64 addresses it owns. IPv4-mapped IPv6 counts as the IPv4.
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return "unknown";
  const address = remoteAddress.startsWith("::ffff:") ? remoteAddress.slice(7) : remoteAddress;
  if (isIPv4(address)) return address.startsWith("127.") ? LOOPBACK_KEY : address;
  const bare = address.split("%", 1)[0]!; // drop a zone id (fe80::1%eth0)
  if (!isIPv6(bare)) return address;
  const groups = ipv6Groups(bare);
  if (groups.every((g, i) => g === (i === 7 ? 1 : 0))) return LOOPBACK_KEY;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a dotted IPv4 tail split in two. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
