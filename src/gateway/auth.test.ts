import { describe, expect, it } from "vitest";
import { safeEqualSecret } from "../infra/secrets.js";
import { checkSharedSecret } from "../infra/shared-secret.js";
import { resolveGatewayAuth } from "./auth.js";

describe("resolveGatewayAuth", () => {
  it.each([
    [
      "--token wins over env and file",
      { token: "cli" },
      { OPENCLAW_GATEWAY_TOKEN: "env" },
      "file",
      { mode: "token", token: "cli" },
    ],
    ["env wins over file", {}, { OPENCLAW_GATEWAY_TOKEN: "env" }, "file", { mode: "token", token: "env" }],
    ["file alone", {}, {}, "file", { mode: "token", token: "file" }],
    ["nothing means no auth", {}, {}, undefined, { mode: "none" }],
  ])("%s", (_name, cli, env, fileToken, expected) => {
    const auth = resolveGatewayAuth(fileToken ? { auth: { token: fileToken } } : undefined, env, cli);
    expect(auth).toMatchObject(expected);
  });

  it("a password alone selects password mode; an explicit mode is kept", () => {
    expect(resolveGatewayAuth(undefined, { OPENCLAW_GATEWAY_PASSWORD: "pw" }).mode).toBe("password");
    expect(resolveGatewayAuth({ auth: { mode: "token" } }, {}).mode).toBe("token");
  });
});

describe("checkSharedSecret", () => {
  it.each([
    [{ mode: "token", token: "abc123" }, { token: "abc123" }, { ok: true, method: "token" }],
    [{ mode: "token", token: "abc123" }, { token: "abc124" }, { ok: false, reason: "token_mismatch" }],
    [{ mode: "token", token: "abc123" }, {}, { ok: false, reason: "token_missing" }],
    [{ mode: "token", token: "abc123" }, { password: "abc123" }, { ok: false, reason: "token_missing" }],
    [{ mode: "password", password: "pw-123" }, { password: "pw-123" }, { ok: true, method: "password" }],
    [
      { mode: "password", password: "pw-123" },
      { password: "pw" },
      { ok: false, reason: "password_mismatch" },
    ],
    [{ mode: "none" }, {}, { ok: true, method: "none" }],
  ] as const)("%j with %j → %j", (auth, given, expected) => {
    expect(checkSharedSecret({ ...auth }, given)).toEqual(expected);
  });

  it("compares secrets of different lengths without throwing", () => {
    expect(safeEqualSecret("a", "a much longer secret")).toBe(false);
    expect(safeEqualSecret("same", "same")).toBe(true);
  });
});
