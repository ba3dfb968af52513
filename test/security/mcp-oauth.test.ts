import { chmodSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { McpManager } from "../../src/agents/mcp/index.js";
import {
  completeMcpOAuthLogin,
  listenForCallback,
  startMcpOAuthLogin,
} from "../../src/agents/mcp/oauth-login.js";
import { McpOAuthStore } from "../../src/agents/mcp/oauth-store.js";
import type { McpServerConfig } from "../../src/config/schema/mcp.js";
import { redactText } from "../../src/infra/redact.js";
import { type FakeOAuthMcp, startFakeOAuthMcp } from "../fakes/mcp/oauth.js";
import { freePort, runCli, tempDir, testEnv } from "../helpers/cli.js";
import { stateDirWith } from "../helpers/config.js";

/**
 * MCP OAuth attacks: a forged callback (login CSRF), a redirected URL from another
 * sign-in, credentials sent to a server they were not issued for, other users reading the
 * token file, and tokens surfacing in CLI output or logs.
 */

let fake: FakeOAuthMcp;
let other: FakeOAuthMcp;
beforeAll(async () => {
  [fake, other] = await Promise.all([startFakeOAuthMcp(), startFakeOAuthMcp()]);
});
afterAll(() => Promise.all([fake.close(), other.close()]));
const managers: McpManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

async function oauthServer(): Promise<McpServerConfig> {
  return {
    url: fake.url,
    auth: "oauth",
    oauth: { redirectUrl: `http://127.0.0.1:${await freePort()}/oauth/callback` },
  };
}

async function signedIn(stateDir: string, server: McpServerConfig) {
  const target = { name: "docs", server, stateDir };
  const started = await startMcpOAuthLogin(target, 10_000);
  if (started.status !== "redirect") throw new Error("expected a redirect");
  const location = (await fetch(started.authorizationUrl, { redirect: "manual" })).headers.get("location")!;
  await completeMcpOAuthLogin(target, location);
  return McpOAuthStore.for(stateDir, "docs", server.url!);
}

describe("MCP OAuth security", () => {
  it("the loopback callback ignores a forged return without the sign-in's state", async () => {
    const server = await oauthServer();
    const started = await startMcpOAuthLogin({ name: "docs", server, stateDir: tempDir() }, 10_000);
    if (started.status !== "redirect") throw new Error("expected a redirect");
    const callback = (await listenForCallback(started.redirectUrl, started.state))!;
    try {
      // A page in the user's browser (or another local process) guesses the port and
      // sends the attacker's own code, to sign the user in to the attacker's account.
      const forged = new URL(started.redirectUrl);
      forged.searchParams.set("code", "attacker-code");
      expect((await fetch(forged)).status).toBe(400);
      forged.searchParams.set("state", "guessed-state");
      expect((await fetch(forged)).status).toBe(400);
      const elsewhere = new URL("/other", started.redirectUrl);
      expect((await fetch(`${elsewhere.href}?code=x&state=${started.state}`)).status).toBe(404);
      // The real return still completes with the real code.
      await fetch(started.authorizationUrl);
      expect(await callback.code).not.toBe("attacker-code");
    } finally {
      await callback.close();
    }
  });

  it("a pasted redirect URL from another sign-in is refused", async () => {
    const stateDir = tempDir();
    const server = await oauthServer();
    const started = await startMcpOAuthLogin({ name: "docs", server, stateDir }, 10_000);
    if (started.status !== "redirect") throw new Error("expected a redirect");
    const foreign = `${started.redirectUrl}?code=attacker-code&state=not-this-sign-in`;
    await expect(completeMcpOAuthLogin({ name: "docs", server, stateDir }, foreign)).rejects.toThrow(
      /belongs to another sign-in/,
    );
    expect(await McpOAuthStore.for(stateDir, "docs", fake.url).read()).not.toHaveProperty("tokens");
  });

  it("tokens go only to the server URL they were issued for", async () => {
    const stateDir = tempDir();
    const server = await oauthServer();
    await signedIn(stateDir, server);
    // The same name pointed at another server (an edited or swapped URL).
    const before = other.bearers.length;
    const m = new McpManager({ env: {}, baseDir: () => "/", stateDir });
    managers.push(m);
    m.sync({ mcp: { servers: { docs: { ...server, url: other.url } } } });
    await m.ready();
    expect(m.tools()).toEqual([]);
    expect(other.bearers.slice(before).filter(Boolean)).toEqual([]);
  });

  it("the credential file is owner-only even in a pre-existing open credentials folder", async () => {
    const stateDir = tempDir();
    mkdirSync(path.join(stateDir, "credentials", "mcp-oauth"), { recursive: true });
    chmodSync(path.join(stateDir, "credentials", "mcp-oauth"), 0o755);
    const store = await signedIn(stateDir, await oauthServer());
    expect(statSync(store.file).mode & 0o077).toBe(0);
    expect(statSync(path.dirname(store.file)).mode & 0o077).toBe(0);
  });

  it("no token shows in openclaw.json, CLI output or a log line", async () => {
    const server = await oauthServer();
    const stateDir = stateDirWith({ gateway: { mode: "local" }, mcp: { servers: { docs: server } } });
    const store = await signedIn(stateDir, server);
    const { tokens } = await store.read();
    const secrets = [tokens!.access_token, tokens!.refresh_token!];
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const outputs = await Promise.all(
      [
        ["mcp", "status", "--json", "--verbose"],
        ["mcp", "status", "--verbose"],
        ["mcp", "doctor", "--json"],
        ["mcp", "show", "docs", "--json"],
        ["mcp", "probe", "--json"],
        ["config", "get", "mcp"],
      ].map((args) => runCli(args, env)),
    );
    const probe = JSON.parse(outputs[4]!.stdout);
    expect(probe.servers.docs).toMatchObject({ auth: "oauth", authStatus: { state: "authorized" } });
    const printed = [
      readFileSync(path.join(stateDir, "openclaw.json"), "utf8"),
      ...outputs.map((o) => o.stdout + o.stderr),
    ];
    for (const secret of secrets) for (const text of printed) expect(text).not.toContain(secret);
    // A log line or error that repeats a token (a server echoing it back) is masked.
    expect(redactText(`upstream said: bad token ${secrets[0]}`)).toBe("upstream said: bad token ***");
  });
});
