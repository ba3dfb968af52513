import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MCP_OAUTH_SIGN_IN_TTL_MS, McpBrowserSignIns } from "../../src/agents/mcp/oauth-browser.js";
import { McpOAuthStore } from "../../src/agents/mcp/oauth-store.js";
import type { McpServerConfig } from "../../src/config/schema/mcp.js";
import { GatewayClient } from "../../src/gateway/client.js";
import { mcpOAuthRedirectUrl } from "../../src/gateway/mcp-oauth.js";
import { type FakeOAuthMcp, startFakeOAuthMcp } from "../fakes/mcp/oauth.js";
import { tempDir } from "../helpers/cli.js";
import { startTarget, type Target, TOKEN } from "./harness.js";

/**
 * Control UI sign-in attacks (mcp.authLogin and `/oauth/mcp/callback`): a forged or
 * replayed callback (login CSRF: the attacker's code signed in as the user), an expired
 * state, an authorization code sent to a site of the caller's choosing, a sign-in
 * started without the admin scope, and a callback page that echoes its query.
 */

const APP_ORIGIN = "https://openclaw-test.fly.dev";
let fake: FakeOAuthMcp;
let target: Target;
let origin: string;
const clients: GatewayClient[] = [];
beforeAll(async () => {
  fake = await startFakeOAuthMcp();
  target = await startTarget({
    gateway: { controlUi: { allowedOrigins: [APP_ORIGIN] } },
    mcp: { servers: { docs: { url: fake.url, auth: "oauth" } } },
  });
  origin = target.httpUrl;
});
afterAll(async () => {
  await target.close();
  await fake.close();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** The Control UI's connection: the gateway token, and its page's Origin on the WebSocket. */
async function uiClient(opts: { origin?: string; scopes?: ("operator.read" | "operator.admin")[] } = {}) {
  const { client } = await GatewayClient.connect({
    url: target.wsUrl,
    token: TOKEN,
    ...(opts.scopes ? { scopes: opts.scopes } : {}),
    headers: opts.origin === undefined ? { origin } : opts.origin ? { origin: opts.origin } : {},
  });
  clients.push(client);
  return client;
}

async function startSignIn(client: GatewayClient, from = origin) {
  const started = (await client.request("mcp.authLogin", { serverName: "docs", origin: from })) as {
    authorizationUrl: string;
  };
  return started.authorizationUrl;
}

/** Where the provider sends the browser back to (not followed). */
async function returnTo(authorizationUrl: string): Promise<string> {
  return (await fetch(authorizationUrl, { redirect: "manual" })).headers.get("location") ?? "";
}

/** A sign-in started on McpBrowserSignIns itself (no gateway), with the provider's approved return URL. */
async function directSignIn() {
  const stateDir = tempDir();
  const server: McpServerConfig = { url: fake.url, auth: "oauth" };
  const signIns = new McpBrowserSignIns(stateDir);
  const started = await signIns.start("docs", server, `${origin}/oauth/mcp/callback`);
  if (started.status !== "redirect") throw new Error("expected a redirect");
  return { stateDir, server, signIns, back: new URL(await returnTo(started.authorizationUrl)) };
}

const store = () => McpOAuthStore.for(target.stateDir, "docs", fake.url);
const signedOut = async () => {
  await (await uiClient()).request("mcp.authLogout", { serverName: "docs" });
};

describe("MCP OAuth sign-in from the Control UI: security", () => {
  it("a forged callback (unknown state, attacker's code) stores nothing; the real one still completes", async () => {
    await signedOut();
    const real = await returnTo(await startSignIn(await uiClient()));
    const grants = fake.grants.authorization_code;
    const forged = new URL(real);
    forged.searchParams.set("state", "f".repeat(32));
    forged.searchParams.set("code", "attacker-code");
    const page = await fetch(forged);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("expired or was already used");
    const noState = new URL(real);
    noState.searchParams.delete("state");
    expect((await fetch(noState)).status).toBe(400);
    expect(fake.grants.authorization_code).toBe(grants);
    expect(await store().read()).not.toHaveProperty("tokens");
    expect((await fetch(real)).status).toBe(200);
    expect(await store().read()).toHaveProperty("tokens");
  });

  it("a replayed callback is refused: the state is single-use", async () => {
    await signedOut();
    const back = await returnTo(await startSignIn(await uiClient()));
    expect((await fetch(back)).status).toBe(200);
    const grants = fake.grants.authorization_code;
    await signedOut();
    const replay = await fetch(back);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("expired or was already used");
    expect(fake.grants.authorization_code).toBe(grants);
    expect(await store().read()).not.toHaveProperty("tokens");
  });

  it("a state past its 10 minutes is refused and nothing is stored", async () => {
    const { stateDir, server, signIns, back } = await directSignIn();
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + MCP_OAUTH_SIGN_IN_TTL_MS + 1);
    expect(await signIns.complete(back, () => server)).toEqual({ ok: false, reason: "unknown-state" });
    vi.restoreAllMocks();
    // Used up as well: the same return within the time does not work either.
    expect(await signIns.complete(back, () => server)).toEqual({ ok: false, reason: "unknown-state" });
    expect(await McpOAuthStore.for(stateDir, "docs", fake.url).read()).not.toHaveProperty("tokens");
  });

  it("a state for a server whose URL changed since is not exchanged", async () => {
    const { server, signIns, back } = await directSignIn();
    const moved = { ...server, url: "https://elsewhere.example/mcp" };
    expect(await signIns.complete(back, () => moved)).toMatchObject({ ok: false, reason: "changed" });
  });

  it("the code goes only to this Control UI's own origin or an allowed one", async () => {
    const client = await uiClient();
    for (const from of [
      "https://attacker.example",
      `${origin}/steal`,
      `${origin}@attacker.example`,
      "javascript:alert(1)",
      "*",
    ]) {
      await expect(startSignIn(client, from)).rejects.toThrow(/origin is not this Control UI's/);
    }
    // A client without a page (no Origin on its WebSocket) may name only a listed origin.
    const cli = await uiClient({ origin: "" });
    await expect(startSignIn(cli, origin)).rejects.toThrow(/origin is not this Control UI's/);
    // Behind a proxy (Fly: https://<app>.fly.dev), the listed public origin is used.
    const url = new URL(await startSignIn(cli, APP_ORIGIN));
    expect(url.searchParams.get("redirect_uri")).toBe(`${APP_ORIGIN}/oauth/mcp/callback`);
  });

  it("oauth.redirectUrl is honoured only when it is the gateway's callback", () => {
    const base = { origin, connectionOrigin: origin, allowedOrigins: [], basePath: "/ui/" };
    const at = (redirectUrl: string): McpServerConfig => ({
      url: fake.url,
      auth: "oauth",
      oauth: { redirectUrl },
    });
    expect(mcpOAuthRedirectUrl({ ...base, server: at("https://proxy.example/ui/oauth/mcp/callback") })).toBe(
      "https://proxy.example/ui/oauth/mcp/callback",
    );
    // The CLI's loopback callback is not served by the gateway: the page's origin is used.
    expect(mcpOAuthRedirectUrl({ ...base, server: at("http://127.0.0.1:8989/oauth/callback") })).toBe(
      `${origin}/ui/oauth/mcp/callback`,
    );
  });

  it("starting or ending a sign-in needs the admin scope and the gateway token", async () => {
    const reader = await uiClient({ scopes: ["operator.read"] });
    await expect(startSignIn(reader)).rejects.toThrow(/missing scope: operator.admin/);
    await expect(reader.request("mcp.authLogout", { serverName: "docs" })).rejects.toThrow(/missing scope/);
    await expect(
      GatewayClient.connect({ url: target.wsUrl, headers: { origin }, timeoutMs: 5000 }),
    ).rejects.toThrow();
    await expect(
      GatewayClient.connect({ url: target.wsUrl, token: "wrong-token-000000000" }),
    ).rejects.toThrow();
  });

  it("the callback page echoes nothing from its query and allows no script", async () => {
    const evil = new URL(`${origin}/oauth/mcp/callback`);
    evil.searchParams.set("state", '"><script>alert(1)</script>');
    evil.searchParams.set("code", "<img src=x onerror=alert(2)>");
    evil.searchParams.set("error", "<b>bold</b>");
    const page = await fetch(evil);
    const body = await page.text();
    expect(page.status).toBe(400);
    for (const needle of ["<script", "alert", "<img", "<b>", "onerror"]) expect(body).not.toContain(needle);
    expect(page.headers.get("content-security-policy")).toBe(
      "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });
});
