import { describe, expect, it } from "vitest";
import { addressKey, LOOPBACK_KEY } from "./address.js";

describe("addressKey", () => {
  it.each([
    ["127.0.0.1", LOOPBACK_KEY],
    ["127.8.9.10", LOOPBACK_KEY],
    ["::1", LOOPBACK_KEY],
    ["0:0:0:0:0:0:0:1", LOOPBACK_KEY],
    ["::ffff:127.0.0.1", LOOPBACK_KEY],
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fdaa:0:1:a7b::3", "fdaa:0:1:a7b::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    [undefined, "unknown"],
  ])("%s → %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it("gives addresses in one IPv6 /64 one key and neighbouring /64s different keys", () => {
    expect(addressKey("2001:db8:0:5::1")).toBe(addressKey("2001:db8:0:5:ffff:ffff:ffff:ffff"));
    expect(addressKey("2001:db8:0:5::1")).not.toBe(addressKey("2001:db8:0:6::1"));
  });
});
