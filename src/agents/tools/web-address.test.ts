import type { LookupAddress, LookupOptions } from "node:dns";
import { describe, expect, it } from "vitest";
import { ToolRefusal } from "./types.js";
import { type AddressPolicy, isPrivateAddress, pinnedLookup, refuseBlockedLiteral } from "./web-address.js";

describe("isPrivateAddress", () => {
  it.each([
    "0.0.0.0",
    "10.1.2.3",
    "100.100.100.100",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.31.255.255",
    "192.0.0.170",
    "192.168.1.1",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::127.0.0.1",
    "::ffff:127.0.0.1",
    "::FFFF:7f00:1",
    "::ffff:10.0.0.1",
    "0:0:0:0:0:ffff:a9fe:a9fe",
    "::ffff:0:7f00:1",
    "64:ff9b::8.8.8.8",
    "64:ff9b:1::a00:1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "2002:808:808::1",
    "100::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1%eth0",
    "fec0::1",
    "ff02::1",
    "not-an-address",
  ])("refuses %s", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    "1.1.1.1",
    "8.8.8.8",
    "93.184.216.34",
    "100.128.0.1",
    "172.32.0.1",
    "192.0.2.1",
    "::ffff:8.8.8.8",
    "::ffff:5db8:d822",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
  ])("allows the public address %s", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe("refuseBlockedLiteral", () => {
  it("refuses private literals in any spelling the URL parser accepts, and lets names through to the lookup", () => {
    for (const url of [
      "http://127.1/",
      "http://0x7f000001/",
      "http://[::ffff:127.0.0.1]/",
      "http://[2002::1]/",
    ]) {
      expect(() => refuseBlockedLiteral(new URL(url), {})).toThrow(ToolRefusal);
    }
    expect(() =>
      refuseBlockedLiteral(new URL("http://127.0.0.1/"), { allowAddresses: ["127.0.0.1"] }),
    ).not.toThrow();
    expect(() => refuseBlockedLiteral(new URL("http://localhost/"), {})).not.toThrow();
  });
});

describe("pinnedLookup", () => {
  const answers: Record<string, string[]> = {
    "dual.test": ["93.184.216.34", "2606:2800:220:1::1"],
    "mixed.test": ["93.184.216.34", "10.0.0.1"],
    "v4only.test": ["93.184.216.34"],
  };
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    const list = answers[hostname];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  const look = (hostname: string, options: LookupOptions, policy: AddressPolicy = {}) =>
    new Promise<{ address: string | LookupAddress[]; family?: number }>((done, fail) =>
      pinnedLookup(resolve, policy)(hostname, options, (err, address, family) =>
        err ? fail(err) : done({ address, family }),
      ),
    );

  it("answers with the checked addresses, in the form net.connect asks for", async () => {
    expect(await look("dual.test", { all: true })).toEqual({
      address: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1::1", family: 6 },
      ],
    });
    expect(await look("dual.test", { family: 6 })).toEqual({ address: "2606:2800:220:1::1", family: 6 });
    expect(await look("dual.test", { family: "IPv4" })).toEqual({ address: "93.184.216.34", family: 4 });
  });

  it("refuses the whole name when any address is private, unless the policy allows it", async () => {
    await expect(look("mixed.test", { all: true })).rejects.toThrow(
      "mixed.test is or resolves to a private or loopback address",
    );
    expect(await look("mixed.test", { family: 4 }, { allowPrivateNetwork: true })).toEqual({
      address: "93.184.216.34",
      family: 4,
    });
  });

  it("passes resolver failures on and reports a name with no address of the wanted family", async () => {
    await expect(look("missing.test", {})).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(look("v4only.test", { family: 6 })).rejects.toMatchObject({ code: "ENOTFOUND" });
  });
});
