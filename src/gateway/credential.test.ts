import { describe, expect, it } from "vitest";
import {
  checkStartSecret,
  credentialFingerprint,
  gatewaySecretSource,
  grantScopes,
  liveSecretProblems,
  weakGatewaySecret,
} from "./credential.js";

describe("grantScopes", () => {
  it("grants what is asked, up to the credential's scopes", () => {
    const auth = { mode: "token" as const, token: "t".repeat(32), scopes: ["operator.read" as const] };
    const { granted, refused } = grantScopes(auth, ["operator.read", "operator.admin", "operator.write"]);
    expect([...granted]).toEqual(["operator.read"]);
    expect(refused).toEqual(["operator.admin", "operator.write"]);
  });

  it("defaults to every operator scope, drops unknown ones, and grants nothing unasked", () => {
    const auth = { mode: "token" as const, token: "t".repeat(32) };
    expect([...grantScopes(auth, ["operator.admin", "operator.talk.secrets"]).granted]).toEqual([
      "operator.admin",
    ]);
    expect(grantScopes(auth, undefined).granted.size).toBe(0);
  });
});

describe("credentialFingerprint", () => {
  const base = { mode: "token" as const, token: "a".repeat(32) };
  it("changes when the secret or the scopes change, not otherwise", () => {
    expect(credentialFingerprint(base)).toBe(credentialFingerprint({ ...base }));
    expect(credentialFingerprint({ ...base, token: "b".repeat(32) })).not.toBe(credentialFingerprint(base));
    expect(credentialFingerprint({ ...base, scopes: ["operator.read"] })).not.toBe(
      credentialFingerprint(base),
    );
    // A password nobody uses in token mode is not part of the credential.
    expect(credentialFingerprint({ ...base, password: "p" })).toBe(credentialFingerprint(base));
    expect(credentialFingerprint(base)).not.toContain(base.token);
  });
});

describe("weak gateway secrets", () => {
  it.each([
    ["a", "is 1 character long; at least 16 are needed"],
    ["                    ", "is empty or only whitespace"],
    ["  0123456789abcde  ", "is 15 characters long; at least 16 are needed"],
    ["0123456789abcdef", undefined],
  ])("%j: %s", (token, reason) => {
    expect(weakGatewaySecret({ mode: "token", token })).toBe(reason);
  });

  it("names where the secret came from and how to make one", () => {
    expect(gatewaySecretSource("token", { token: "x" }, {})).toBe("--token");
    expect(gatewaySecretSource("token", {}, { OPENCLAW_GATEWAY_TOKEN: "x" })).toBe("OPENCLAW_GATEWAY_TOKEN");
    expect(gatewaySecretSource("password", {}, {})).toBe("gateway.auth.password");
    const where = { bind: "lan", cli: {}, env: {} };
    expect(liveSecretProblems({ mode: "token", token: "short" }, where)).toEqual([
      "gateway.auth.token: is 5 characters long; at least 16 are needed while this gateway listens beyond loopback (bind=lan); generate one with `openssl rand -hex 32`",
    ]);
    expect(liveSecretProblems({ mode: "none" }, where)).toEqual([]);
    const weak = { mode: "password" as const, password: "pw" };
    expect(checkStartSecret(weak, { ...where, beyondLoopback: true }).refusal?.[0]).toBe(
      "Refusing to bind gateway to lan with a weak password: gateway.auth.password is 2 characters long; at least 16 are needed.",
    );
    expect(checkStartSecret(weak, { ...where, beyondLoopback: false })).toEqual({
      warning:
        "the gateway password (gateway.auth.password) is 2 characters long; at least 16 are needed: fine on loopback, refused beyond it",
    });
  });
});
