import { describe, expect, it } from "vitest";
import { resolveConfigPath, resolveGatewayPort, resolveLockPath, resolveStateDir } from "./paths.js";

describe("paths", () => {
  it("state dir from OPENCLAW_STATE_DIR, else ~/.openclaw", () => {
    expect(resolveStateDir({ OPENCLAW_STATE_DIR: "/data" })).toBe("/data");
    expect(resolveStateDir({ OPENCLAW_HOME: "/home/me" })).toBe("/home/me/.openclaw");
  });

  it("config from OPENCLAW_CONFIG_PATH, else <state>/openclaw.json", () => {
    expect(resolveConfigPath({ OPENCLAW_STATE_DIR: "/data" })).toBe("/data/openclaw.json");
    expect(resolveConfigPath({ OPENCLAW_STATE_DIR: "/data", OPENCLAW_CONFIG_PATH: "/etc/oc.json5" })).toBe(
      "/etc/oc.json5",
    );
  });

  it.each([
    [{ cliPort: "3000", env: { OPENCLAW_GATEWAY_PORT: "4000" }, configPort: 5000 }, 3000],
    [{ env: { OPENCLAW_GATEWAY_PORT: "4000" }, configPort: 5000 }, 4000],
    [{ env: {}, configPort: 5000 }, 5000],
    [{ env: {} }, 18789],
    [{ cliPort: "0", env: {} }, 0],
  ])("port precedence %j → %d", (opts, expected) => {
    expect(resolveGatewayPort(opts)).toBe(expected);
  });

  it("rejects a bad port naming its source", () => {
    expect(() => resolveGatewayPort({ cliPort: "99999", env: {} })).toThrow(
      '--port must be a port number 0-65535 (got "99999")',
    );
  });

  it("lock path is gateway.<8 hex>.lock in the state dir, stable per config path", () => {
    const lock = resolveLockPath("/data", "/data/openclaw.json");
    expect(lock).toMatch(/^\/data\/gateway\.[0-9a-f]{8}\.lock$/);
    expect(resolveLockPath("/data", "/data/openclaw.json")).toBe(lock);
    expect(resolveLockPath("/data", "/data/other.json")).not.toBe(lock);
  });
});
