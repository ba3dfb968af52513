import type { LookupAddress, LookupOptions } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { ToolRefusal } from "./types.js";

/**
 * Which addresses `web_fetch` may connect to, and the DNS lookup that enforces it.
 * The lookup is handed to the HTTP agent, so the addresses checked are the addresses
 * connected to: there is no second resolution an attacker's DNS could answer differently.
 */

/** IPv4 ranges a model must not reach through the gateway: its host, the private network, cloud metadata. */
const PRIVATE_V4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network": Linux connects 0.0.0.0 to the local host
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT, also Tailscale's tailnet
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. cloud metadata 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments (DS-Lite, NAT64 discovery)
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking; used as the "fake IP" range by local proxies
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast 255.255.255.255
];

/**
 * IPv6 ranges refused whole. The transition ranges (NAT64, 6to4, Teredo) carry an IPv4
 * address inside that a gateway or relay may route to, private or not, so none is allowed.
 * ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped) are
 * decided in `isPrivateAddress` from the embedded address.
 */
const PRIVATE_V6: readonly (readonly [string, number])[] = [
  ["::ffff:0:0:0", 96], // IPv4-translated (SIIT)
  ["64:ff9b::", 96], // NAT64 well-known prefix
  ["64:ff9b:1::", 48], // NAT64 local-use prefix
  ["100::", 64], // discard-only
  ["2001::", 32], // Teredo
  ["2002::", 16], // 6to4
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated, still routed by some stacks)
  ["ff00::", 8], // multicast
];

const PRIVATE = new BlockList();
for (const [net, bits] of PRIVATE_V4) PRIVATE.addSubnet(net, bits, "ipv4");
for (const [net, bits] of PRIVATE_V6) PRIVATE.addSubnet(net, bits, "ipv6");

/** The eight 16-bit groups of an IPv6 address (zone id dropped, dotted tail converted). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, "");
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[2]!.split(".").map(Number) as [number, number, number, number];
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const front = parse(head);
  const back = parse(tail);
  const groups =
    tail === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** True for any address `web_fetch` must not connect to; anything that is not an IP address counts too. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family !== 6) return true;
  const g = ipv6Groups(address);
  if (!g) return true;
  const upperZero = g.slice(0, 5).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d) is that IPv4 address in disguise: judge the IPv4 address.
  if (upperZero && g[5] === 0xffff) {
    return PRIVATE.check(`${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`, "ipv4");
  }
  // ::/96: unspecified (::), loopback (::1) and the deprecated IPv4-compatible form (::a.b.c.d).
  if (upperZero && g[5] === 0) return true;
  return PRIVATE.check(address.replace(/%.*$/, ""), "ipv6");
}

/** Resolves a host name to all its addresses (the system resolver by default; tests inject a fake). */
export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true });

/** Which addresses are reachable: none private, or private ones too (`allowPrivateNetwork`), plus exceptions. */
export interface AddressPolicy {
  allowPrivateNetwork?: boolean;
  /** Private addresses allowed anyway (a trusted LAN host; tests reach their 127.0.0.x servers this way). */
  allowAddresses?: readonly string[];
}

export function isAllowedAddress(address: string, policy: AddressPolicy): boolean {
  return (
    policy.allowPrivateNetwork === true ||
    policy.allowAddresses?.includes(address) ||
    !isPrivateAddress(address)
  );
}

function refusal(hostname: string): ToolRefusal {
  return new ToolRefusal(
    `${hostname} is or resolves to a private or loopback address; web_fetch only fetches public addresses, use a public URL`,
  );
}

/**
 * Refuses a URL host that is a blocked IP literal. Node connects to an IP literal without
 * calling the lookup, so literals are checked here, before every request (each redirect too).
 * The URL parser has already turned 127.1, 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1.
 */
export function refuseBlockedLiteral(url: URL, policy: AddressPolicy): void {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) && !isAllowedAddress(host, policy)) throw refusal(url.hostname);
}

/**
 * A `lookup` for `net.connect` that resolves once, refuses the name if any address is
 * blocked, and hands the socket exactly the addresses it checked. Every new connection
 * (first request, each redirect hop, a pool that opens another socket) goes through it;
 * a kept-alive socket is already connected to a checked address.
 */
export function pinnedLookup(resolve: Resolve, policy: AddressPolicy): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname).then(
      (resolved) => {
        if (resolved.some((a) => !isAllowedAddress(a.address, policy)))
          return callback(refusal(hostname), "");
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const wanted = family ? resolved.filter((a) => a.family === family) : resolved;
        const first = wanted[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no address to connect to`);
          err.code = "ENOTFOUND";
          return callback(err, "");
        }
        if (options.all) return callback(null, [...wanted]);
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ""),
    );
  };
}
