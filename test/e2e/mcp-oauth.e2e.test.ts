import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type FakeOAuthMcp, startFakeOAuthMcp } from "../fakes/mcp/oauth.js";
import { chatTurn } from "../helpers/chat-turn.js";
import { CLI_PATH, freePort, runCli, startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";

/**
 * `openclaw mcp login|logout|status|doctor` with the built CLI against the fake
 * OAuth-protected MCP server, and the gateway calling its tools with the stored token:
 * login through the loopback callback, refresh after expiry, logout → a tool error
 * naming the fix; the headless fallbacks (pasted redirect URL, --code).
 */

const fixture = useFakeModelGateways();
let fake: FakeOAuthMcp;
beforeAll(async () => {
  fake = await startFakeOAuthMcp();
});
afterAll(() => fake.close());

async function setup() {
  const redirectUrl = `http://127.0.0.1:${await freePort()}/oauth/callback`;
  const docs = { url: fake.url, transport: "streamable-http", auth: "oauth", oauth: { redirectUrl } };
  const stateDir = stateDirWith(baseConfig(fixture.anthropic.url, { mcp: { servers: { docs } } }));
  return { stateDir, env: testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-mcp-oauth" }) };
}

/** `openclaw mcp login …` with a stdin to paste into; `url` resolves with the printed authorization URL. */
function login(args: string[], env: NodeJS.ProcessEnv) {
  const proc = spawn(process.execPath, [CLI_PATH, "mcp", "login", ...args], { env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  const url = new Promise<string>((resolve) =>
    proc.stdout.on("data", (d) => {
      stdout += d;
      const m = stdout.match(/^(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m);
      if (m) resolve(m[1]!);
    }),
  );
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { proc, url, exited };
}

/** Where the fake authorization server sends the browser back to (not followed). */
async function redirectedTo(authorizationUrl: string): Promise<string> {
  const res = await fetch(authorizationUrl, { redirect: "manual" });
  return res.headers.get("location") ?? "";
}

const chat = (client: GatewayClient, message: string) => chatTurn(client, message);

const lastToolResult = (i: number) =>
  JSON.stringify((fixture.anthropic.requests[i]!.body.messages as unknown[]).at(-1));

describe("MCP OAuth end to end", () => {
  it("login via the callback, tool calls through the gateway, refresh after expiry, logout → login hint", async () => {
    const { stateDir, env } = await setup();
    const before = await runCli(["mcp", "doctor", "docs", "--json"], env);
    expect(JSON.parse(before.stdout).servers[0].issues).toContainEqual({
      level: "warning",
      message: "OAuth credentials are not authorized; run openclaw mcp login docs",
    });

    const run = login(["docs"], env);
    const page = await fetch(await run.url); // the browser: approve, follow the redirect to the callback
    expect(page.status).toBe(200);
    const done = await run.exited;
    expect(done.stderr).toBe("");
    expect(done.stdout).toContain('MCP OAuth credentials saved for "docs".');
    expect(done.code).toBe(0);

    const status = await runCli(["mcp", "status", "--json"], env);
    expect(JSON.parse(status.stdout).servers[0]).toMatchObject({
      name: "docs",
      auth: "oauth",
      authStatus: {
        hasTokens: true,
        hasClientInformation: true,
        hasCodeVerifier: false,
        state: "authorized",
      },
    });
    expect(readFileSync(path.join(stateDir, "openclaw.json"), "utf8")).not.toMatch(/access_token|refresh/);

    const gw = await startGateway(["--port", "0"], env);
    fixture.running.push(gw);
    const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
    fixture.clients.push(client);
    fixture.anthropic.enqueue(
      { toolCalls: [{ id: "t1", name: "docs__echo", args: { text: "signed in" } }] },
      { text: "done" },
    );
    expect(await chat(client, "first")).toBe("final");
    expect(lastToolResult(1)).toContain("echo: signed in");

    fake.expireAccessTokens();
    const refreshes = fake.grants.refresh_token;
    fixture.anthropic.enqueue(
      { toolCalls: [{ id: "t2", name: "docs__echo", args: { text: "refreshed" } }] },
      { text: "done" },
    );
    expect(await chat(client, "second")).toBe("final");
    expect(lastToolResult(3)).toContain("echo: refreshed");
    expect(fake.grants.refresh_token).toBe(refreshes + 1);

    const logout = await runCli(["mcp", "logout", "docs"], env);
    expect(logout.stdout).toContain('MCP OAuth credentials cleared for "docs".');
    fixture.anthropic.enqueue(
      { toolCalls: [{ id: "t3", name: "docs__echo", args: { text: "logged out" } }] },
      { text: "done" },
    );
    expect(await chat(client, "third")).toBe("final");
    expect(lastToolResult(5)).toMatch(/"is_error":true/);
    expect(lastToolResult(5)).toContain("run openclaw mcp login docs");

    // No token in anything printed or logged.
    const printed = [before.stdout, done.stdout, status.stdout, gw.output().stdout, gw.output().stderr].join(
      "\n",
    );
    for (const secret of fake.issued) expect(printed).not.toContain(secret);
  });

  it("headless: the pasted redirect URL, or --code in a later run, completes the login", async () => {
    const { stateDir, env } = await setup();
    const pasted = login(["docs"], env);
    pasted.proc.stdin.write(`${await redirectedTo(await pasted.url)}\n`);
    const done = await pasted.exited;
    expect(done.stdout).toContain('MCP OAuth credentials saved for "docs".');
    expect(done.code).toBe(0);

    await runCli(["mcp", "logout", "docs"], env);
    const first = login(["docs"], env);
    const redirect = await redirectedTo(await first.url);
    first.proc.kill("SIGTERM");
    await first.exited;
    const files = readdirSync(path.join(stateDir, "credentials", "mcp-oauth"));
    expect(files).toHaveLength(1);
    const code = new URL(redirect).searchParams.get("code") ?? "";
    const later = await runCli(["mcp", "login", "docs", "--code", code], env);
    expect(later.stdout).toContain('MCP OAuth credentials saved for "docs".');
    expect(later.code).toBe(0);
    const again = await runCli(["mcp", "login", "docs", "--code", code], env);
    expect(again.stderr).toContain("no sign-in is in progress");
    expect(again.code).toBe(1);
  });

  it("add --auth oauth saves without probing and says to log in; doctor names what is missing", async () => {
    const stateDir = stateDirWith({ gateway: { mode: "local" } });
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const before = fake.bearers.length;
    const add = await runCli(
      [
        "mcp",
        "add",
        "secured",
        "--url",
        fake.url,
        "--auth",
        "oauth",
        "--oauth-scope",
        "tools.read",
        "--header",
        "Authorization: Bearer static-0000",
      ],
      env,
    );
    expect(add.stdout).toContain("Run openclaw mcp login secured to authorize this MCP server.");
    expect(add.code).toBe(0);
    expect(fake.bearers.length).toBe(before);
    const saved = JSON.parse(readFileSync(path.join(stateDir, "openclaw.json"), "utf8")).mcp.servers.secured;
    expect(saved).toMatchObject({ url: fake.url, auth: "oauth", oauth: { scope: "tools.read" } });
    const doctor = JSON.parse((await runCli(["mcp", "doctor", "secured", "--json"], env)).stdout);
    expect(doctor.servers[0]).toMatchObject({ auth: "oauth", authStatus: { state: "unauthenticated" } });
    expect(doctor.servers[0].issues.map((i: { message: string }) => i.message)).toEqual(
      expect.arrayContaining([
        "OAuth credentials are not authorized; run openclaw mcp login secured",
        "OAuth is enabled and the static Authorization header is ignored",
      ]),
    );
  });
});
