import { describe, expect, it } from "vitest";
import { browserSignInProblem, signInStateOf } from "./oauth-browser.js";

const tokens = { access_token: "a", token_type: "Bearer" };
const NOW = 1_800_000_000_000;

describe("Control UI sign-in: what a server's row says", () => {
  it.each([
    ["nothing stored", {}, "needs-sign-in"],
    ["a sign-in in progress only", { codeVerifier: "v", state: "s" }, "needs-sign-in"],
    ["a live token", { tokens, tokenExpiresAt: NOW + 1000 }, "signed-in"],
    ["a token without an expiry", { tokens }, "signed-in"],
    [
      "an expired token with a refresh token",
      { tokens: { ...tokens, refresh_token: "r" }, tokenExpiresAt: NOW - 1 },
      "signed-in",
    ],
    ["an expired token without a refresh token", { tokens, tokenExpiresAt: NOW - 1 }, "expired"],
    ["a refused refresh", { requiresAuthorization: true }, "expired"],
  ])("%s → %s", (_what, record, state) => {
    expect(signInStateOf({ serverUrl: "https://mcp.example/mcp", ...record }, NOW)).toBe(state);
  });

  it.each([
    [undefined, /no MCP server is named "x"/],
    [{ url: "https://mcp.example/mcp" }, /not configured with auth: "oauth"/],
    [{ command: "node", auth: "oauth" as const }, /needs a URL/],
    [
      {
        url: "https://mcp.example/mcp",
        auth: "oauth" as const,
        oauth: { identity: "per-requester" as const },
      },
      /per-requester/,
    ],
    [{ url: "https://mcp.example/mcp", auth: "oauth" as const, enabled: false }, /disabled/],
  ])("refuses to start for %j", (server, problem) => {
    expect(browserSignInProblem("x", server)).toMatch(problem);
  });

  it("starts for an enabled remote auth: oauth server", () => {
    expect(browserSignInProblem("x", { url: "https://mcp.example/mcp", auth: "oauth" })).toBeUndefined();
  });
});
