import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { McpManager } from "../../src/agents/mcp/index.js";
import {
  completeMcpOAuthLogin,
  listenForCallback,
  startMcpOAuthLogin,
} from "../../src/agents/mcp/oauth-login.js";
import { McpOAuthStore } from "../../src/agents/mcp/oauth-store.js";
import { createToolSet, runTool, type ToolContext } from "../../src/agents/tools/index.js";
import type { McpServerConfig } from "../../src/config/schema/mcp.js";
import { type FakeOAuthMcp, startFakeOAuthMcp } from "../fakes/mcp/oauth.js";
import { freePort, tempDir } from "../helpers/cli.js";

/**
 * MCP OAuth in process against the fake OAuth-protected server: sign-in through the
 * loopback callback (discovery, registration, PKCE by the SDK), tool calls with the
 * stored token, refresh after expiry, and the clear error once the credentials are gone.
 */

const ctx: ToolContext = {
  workspace: process.cwd(),
  agentId: "main",
  sessionKey: "agent:main:main",
  signal: new AbortController().signal,
};

let fake: FakeOAuthMcp;
beforeAll(async () => {
  fake = await startFakeOAuthMcp();
});
afterAll(() => fake.close());

const managers: McpManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

async function signIn(name: string, server: McpServerConfig, stateDir: string) {
  const target = { name, server, stateDir };
  const started = await startMcpOAuthLogin(target, 10_000);
  if (started.status !== "redirect") throw new Error("expected a redirect");
  const callback = await listenForCallback(started.redirectUrl, started.state);
  if (!callback) throw new Error("expected a loopback callback");
  try {
    // The "browser": the fake approves at once and redirects to the callback.
    const page = await fetch(started.authorizationUrl);
    expect(await page.text()).toContain("Signed in");
    await completeMcpOAuthLogin(target, await callback.code);
  } finally {
    await callback.close();
  }
  return started;
}

async function manager(stateDir: string, servers: Record<string, McpServerConfig>) {
  const m = new McpManager({ env: {}, baseDir: () => "/", stateDir });
  managers.push(m);
  m.sync({ mcp: { servers } });
  await m.ready();
  return m;
}

const call = (m: McpManager, name: string, args: unknown = {}) =>
  runTool(createToolSet({}, m.tools()), name, args, ctx);
const textOf = (r: { content: { text: string }[] }) => r.content.map((c) => c.text).join("");

describe("MCP OAuth", () => {
  it("signs in through the callback, calls tools with the token, refreshes it after expiry", async () => {
    const stateDir = tempDir();
    const server: McpServerConfig = {
      url: fake.url,
      auth: "oauth",
      oauth: { redirectUrl: `http://127.0.0.1:${await freePort()}/oauth/callback` },
      // Ignored with auth "oauth": it must never reach the server.
      headers: { Authorization: "Bearer static-header-token-000" },
    };
    const started = await signIn("docs", server, stateDir);
    const authUrl = new URL(started.authorizationUrl);
    expect(authUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authUrl.searchParams.get("resource")).toBe(fake.url);
    expect(fake.grants.authorization_code).toBe(1);

    const store = McpOAuthStore.for(stateDir, "docs", fake.url);
    const record = await store.read();
    expect(record.tokens?.refresh_token).toBeTruthy();
    expect(record.codeVerifier).toBeUndefined();
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(store.file)).mode & 0o777).toBe(0o700);
    expect((await store.status()).state).toBe("authorized");

    const m = await manager(stateDir, { docs: server });
    expect(m.status({ mcp: { servers: { docs: server } } })[0]).toMatchObject({ state: "ready" });
    expect(textOf(await call(m, "docs__echo", { text: "hi" }))).toBe("echo: hi");
    expect(fake.bearers.at(-1)).toBe(`Bearer ${record.tokens?.access_token}`);
    expect(fake.bearers).not.toContain("Bearer static-header-token-000");

    fake.expireAccessTokens();
    const refreshes = fake.grants.refresh_token;
    expect(textOf(await call(m, "docs__echo", { text: "after expiry" }))).toBe("echo: after expiry");
    expect(fake.grants.refresh_token).toBe(refreshes + 1);
    const refreshed = await store.read();
    expect(refreshed.tokens?.access_token).not.toBe(record.tokens?.access_token);
    expect(fake.bearers.at(-1)).toBe(`Bearer ${refreshed.tokens?.access_token}`);
    expect(JSON.parse(readFileSync(store.file, "utf8")).tokens.refresh_token).toBe(
      refreshed.tokens?.refresh_token,
    );

    // Logout: the credentials go; the next call is a tool error that says what to run.
    expect(await store.clear()).toBe(true);
    const denied = await call(m, "docs__echo", { text: "after logout" });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toMatch(
      /MCP server "docs" needs OAuth authorization; run openclaw mcp login docs/,
    );
  });

  it("a server never signed in offers no tools and says to log in, without contacting it", async () => {
    const stateDir = tempDir();
    const before = fake.bearers.length;
    const server: McpServerConfig = { url: fake.url, auth: "oauth" };
    const m = await manager(stateDir, { fresh: server });
    expect(m.tools()).toEqual([]);
    const [status] = m.status({ mcp: { servers: { fresh: server } } });
    expect(status?.error).toBe('MCP server "fresh" needs OAuth authorization; run openclaw mcp login fresh');
    expect(fake.bearers.length).toBe(before);

    // After a login the next turn (ready) connects it without a gateway restart.
    await signIn(
      "fresh",
      { ...server, oauth: { redirectUrl: `http://127.0.0.1:${await freePort()}/cb` } },
      stateDir,
    );
    await m.ready();
    expect(m.tools().map((t) => t.name)).toContain("fresh__echo");
  });

  it("a refused refresh token marks the server requires-authorization", async () => {
    const stateDir = tempDir();
    const server: McpServerConfig = {
      url: fake.url,
      auth: "oauth",
      oauth: { redirectUrl: `http://127.0.0.1:${await freePort()}/oauth/callback` },
    };
    await signIn("stale", server, stateDir);
    const store = McpOAuthStore.for(stateDir, "stale", fake.url);
    await store.update((r) => ({
      ...r,
      tokens: { ...r.tokens!, refresh_token: "revoked-refresh-token-123" },
    }));
    const m = await manager(stateDir, { stale: server });
    fake.expireAccessTokens();
    const denied = await call(m, "stale__echo", { text: "x" });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toContain("run openclaw mcp login stale");
    expect((await store.status()).state).toBe("requires-authorization");
  });
});

describe("MCP OAuth login", () => {
  it("registers again when oauth.redirectUrl changed since the last registration", async () => {
    const stateDir = tempDir();
    const first: McpServerConfig = {
      url: fake.url,
      auth: "oauth",
      oauth: { redirectUrl: `http://127.0.0.1:${await freePort()}/a` },
    };
    await signIn("moved", first, stateDir);
    const clients = fake.clients.size;
    const moved = { ...first, oauth: { redirectUrl: `http://127.0.0.1:${await freePort()}/b` } };
    await signIn("moved", moved, stateDir);
    expect(fake.clients.size).toBe(clients + 1);
    const { clientInformation } = await McpOAuthStore.for(stateDir, "moved", fake.url).read();
    expect((clientInformation as { redirect_uris: string[] }).redirect_uris).toEqual([
      moved.oauth.redirectUrl,
    ]);
  });
});
