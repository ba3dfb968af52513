import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type FakeOAuthMcp, startFakeOAuthMcp } from "../fakes/mcp/oauth.js";
import { chatTurn } from "../helpers/chat-turn.js";
import { startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";

/**
 * Sign-in from the Control UI, over the gateway protocol as the UI speaks it: the built
 * gateway with the fake OAuth-protected MCP server; `mcp.authLogin` → the provider's page
 * (the fake approves and redirects) → the gateway's callback stores the tokens where
 * `openclaw mcp login` does → a tool call works; `mcp.authLogout` removes them.
 */

const TOKEN = "mcp-oauth-ui-token-0123456789";
const fixture = useFakeModelGateways();
let fake: FakeOAuthMcp;
beforeAll(async () => {
  fake = await startFakeOAuthMcp();
});
afterAll(() => fake.close());

type Status = { servers: { name: string; state: string; auth?: string }[] };

const chat = (client: GatewayClient, message: string) => chatTurn(client, message);

describe("MCP OAuth sign-in from the Control UI", () => {
  it("authLogin → provider → gateway callback → tokens stored (0600) → tool call; authLogout → signed out", async () => {
    const docs = { url: fake.url, transport: "streamable-http", auth: "oauth" };
    const stateDir = stateDirWith(baseConfig(fixture.anthropic.url, { mcp: { servers: { docs } } }));
    const env = testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      ANTHROPIC_API_KEY: "sk-ant-mcp-oauth-ui",
    });
    const gw = await startGateway(["--port", "0"], env);
    fixture.running.push(gw);
    const origin = `http://127.0.0.1:${gw.port}`;
    // The Control UI's WebSocket carries its page's Origin.
    const { client } = await GatewayClient.connect({
      url: `ws://127.0.0.1:${gw.port}`,
      token: TOKEN,
      headers: { origin },
    });
    fixture.clients.push(client);

    const before = (await client.request("mcp.status", {})) as Status;
    expect(before.servers[0]).toMatchObject({ name: "docs", auth: "needs-sign-in" });

    const started = (await client.request("mcp.authLogin", { serverName: "docs", origin })) as {
      status: string;
      authorizationUrl: string;
      expiresAt: number;
    };
    expect(started.status).toBe("redirect");
    expect(started.expiresAt).toBeGreaterThan(Date.now());
    const authorizationUrl = new URL(started.authorizationUrl);
    expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(`${origin}/oauth/mcp/callback`);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");

    // The browser: the provider approves and sends it back to the gateway.
    const page = await fetch(started.authorizationUrl);
    expect(page.url.startsWith(`${origin}/oauth/mcp/callback?`)).toBe(true);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("MCP server “docs” is signed in.");
    expect(fake.grants.authorization_code).toBeGreaterThan(0);

    const dir = path.join(stateDir, "credentials", "mcp-oauth");
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(path.join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    const after = (await client.request("mcp.status", {})) as Status;
    expect(after.servers[0]).toMatchObject({ name: "docs", auth: "signed-in" });

    fixture.anthropic.enqueue(
      { toolCalls: [{ id: "t1", name: "docs__echo", args: { text: "from the UI" } }] },
      { text: "done" },
    );
    expect(await chat(client, "first")).toBe("final");
    expect(JSON.stringify((fixture.anthropic.requests[1]!.body.messages as unknown[]).at(-1))).toContain(
      "echo: from the UI",
    );

    expect(await client.request("mcp.authLogout", { serverName: "docs" })).toEqual({ removed: true });
    expect(readdirSync(dir)).toEqual([]);
    const out = (await client.request("mcp.status", {})) as Status;
    expect(out.servers[0]).toMatchObject({ name: "docs", auth: "needs-sign-in" });

    for (const secret of fake.issued) {
      expect(gw.output().stdout).not.toContain(secret);
      expect(gw.output().stderr).not.toContain(secret);
    }
  });
});
