import { describe, expect, it } from "vitest";
import { addressKey, isTrustedProxy, resolveClientAddress } from "./net-address.js";

describe("addressKey", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.0.0.2", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.5", "loopback"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2/64"],
    ["2001:DB8:1:2::ffff", "2001:db8:1:2/64"],
    ["2001:db8:1:3::1", "2001:db8:1:3/64"],
    ["fe80::1%eth0", "fe80:0:0:0/64"],
    ["unknown", "unknown"],
  ])("%s → %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe("isTrustedProxy", () => {
  it.each([
    ["172.16.5.4", ["172.16.0.0/12"], true],
    ["172.32.0.1", ["172.16.0.0/12"], false],
    ["::ffff:10.1.2.3", ["10.0.0.0/8"], true],
    ["10.1.2.3", ["10.1.2.3"], true],
    ["10.1.2.4", ["10.1.2.3"], false],
    ["fdaa:0:1::5", ["fdaa::/16"], true],
    ["fdab::5", ["fdaa::/16"], false],
    ["10.1.2.3", ["fdaa::/16"], false],
    ["10.1.2.3", ["not-an-ip", "10.0.0.0/99"], false],
    ["10.1.2.3", ["0.0.0.0/0"], true],
  ])("%s in %j: %s", (address, list, trusted) => {
    expect(isTrustedProxy(address, list)).toBe(trusted);
  });
});

describe("resolveClientAddress", () => {
  const req = (peer: string, xff?: string | string[]) => ({
    socket: { remoteAddress: peer },
    headers: xff === undefined ? {} : { "x-forwarded-for": xff },
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(resolveClientAddress(req("198.51.100.1", "203.0.113.9"), [])).toBe("198.51.100.1");
    expect(resolveClientAddress(req("198.51.100.1", "203.0.113.9"), ["10.0.0.0/8"])).toBe("198.51.100.1");
  });

  it("takes the right-most address that is not a trusted proxy", () => {
    const trusted = ["10.0.0.0/8", "192.0.2.10"];
    // The client wrote "1.1.1.1" itself; the proxies appended the real hops.
    expect(resolveClientAddress(req("10.0.0.2", "1.1.1.1, 203.0.113.9, 192.0.2.10"), trusted)).toBe(
      "203.0.113.9",
    );
    expect(resolveClientAddress(req("10.0.0.2", ["1.1.1.1", "203.0.113.9"]), trusted)).toBe("203.0.113.9");
  });

  it("uses the peer when a trusted proxy sends no header, and the left-most hop when all are trusted", () => {
    expect(resolveClientAddress(req("10.0.0.2"), ["10.0.0.0/8"])).toBe("10.0.0.2");
    expect(resolveClientAddress(req("10.0.0.2", "10.9.9.9, 10.0.0.3"), ["10.0.0.0/8"])).toBe("10.9.9.9");
  });

  it("stops at garbage and keeps the last readable hop", () => {
    expect(resolveClientAddress(req("10.0.0.2", "evil, 10.0.0.3"), ["10.0.0.0/8"])).toBe("10.0.0.3");
    expect(resolveClientAddress(req("10.0.0.2", "203.0.113.9:4711"), ["10.0.0.0/8"])).toBe("203.0.113.9");
  });
});
