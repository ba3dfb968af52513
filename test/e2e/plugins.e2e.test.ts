import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { baseConfig, writeConfigFile } from "../helpers/config.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/plugins");
const TOKEN = "plugins-e2e-token-123";

let anthropic: FakeServer;
let gw: RunningGateway;
let client: GatewayClient;
let env: NodeJS.ProcessEnv;
let stateDir: string;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  stateDir = tempDir();
  writeFileSync(path.join(stateDir, "bad-syntax.mjs"), "export default { id: 'bad-syntax', register( {\n");
  writeConfigFile(
    stateDir,
    baseConfig(anthropic.url, {
      plugins: {
        // Relative paths start at the config's folder.
        load: {
          paths: [
            path.join(FIXTURES, "echo"),
            path.join(FIXTURES, "broken-register.mjs"),
            "./bad-syntax.mjs",
          ],
        },
        entries: {
          echo: { config: { prefix: "> " } },
          // Invalid bundled-plugin config in a hand-edited file: reported, plugin skipped, gateway up.
          "voice-call": { enabled: true, config: { provider: "twilio", fromNumber: "555" } },
        },
      },
    }),
  );
  env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-ant-test",
  });
  gw = await startGateway(["--port", "0"], env);
  await gw.waitForLine(/\[plugins\] \d plugins? loaded/);
  ({ client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}`, token: TOKEN }));
});
afterAll(async () => {
  await client?.close();
  await gw?.stop();
  await anthropic?.close();
});

describe("plugins in the running gateway", () => {
  it("logs each failing plugin in one line and keeps serving", async () => {
    const { stdout, stderr } = gw.output();
    const out = `${stdout}\n${stderr}`;
    expect(out).toContain("[plugins] plugin broken-register disabled: cannot reach the flux capacitor");
    // Found relative to the config's folder, imported, and refused as the syntax error it is.
    expect(out).toMatch(
      /\[plugins\] plugin bad-syntax disabled: (?!plugins\.load\.paths).*(SyntaxError|Unexpected|token)/i,
    );
    expect(out).toContain(
      '[plugins] plugin voice-call disabled: invalid config: plugins.entries["voice-call"].config.fromNumber: expected an E.164 phone number such as +15550001234 (got "555")',
    );
    expect(out).toContain(
      "[plugins] plugin echo loaded (3 methods; routes /echo, /echo/public; tools echo; channels echo-chat)",
    );
    expect((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status).toBe(200);
  });

  it("serves the plugin's RPC method and HTTP routes", async () => {
    expect(await client.request("echo.say", { text: "hi" })).toEqual({ text: "> hi" });
    const base = `http://127.0.0.1:${gw.port}`;
    expect((await fetch(`${base}/echo?text=a`)).status).toBe(401);
    const ok = await fetch(`${base}/echo?text=a`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await ok.text()).toBe("> a");
  });

  it("gives agents the plugin's tool", async () => {
    anthropic.enqueue({ toolCalls: [{ id: "t1", name: "echo", args: { text: "from the model" } }] });
    anthropic.enqueue({ text: "done" });
    const final = new Promise<void>((resolve) =>
      client.onEvent((e) => {
        if (e.event === "chat" && (e.payload as { state?: string }).state === "final") resolve();
      }),
    );
    await client.request("chat.send", { sessionKey: "main", message: "use echo", idempotencyKey: "p1" });
    await final;
    const [first, second] = anthropic.requests.slice(-2);
    expect((first!.body as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain("echo");
    expect(JSON.stringify(second!.body)).toContain("> from the model");
  });

  it("runs the plugin's chat channel through the router like a built-in one", async () => {
    const { channels } = (await client.request("channels.status")) as {
      channels: { channel: string; state: string; connected: boolean }[];
    };
    expect(channels.find((c) => c.channel === "echo-chat")).toMatchObject({
      state: "connected",
      connected: true,
    });
    // A stranger's DM gets a pairing code (dmPolicy defaults to pairing), sent back through the plugin.
    await client.request("echo.inbound", { text: "hello", from: "stranger-1" });
    await expect
      .poll(
        async () => ((await client.request("echo.sent")) as { sent: { to: string; text: string }[] }).sent,
      )
      .toEqual([{ to: "stranger-1", text: expect.stringMatching(/pairing code/i) }]);
  });

  // The pairing reply names the plugin channel; the CLI and the RPC must accept that name.
  it.each([
    ["the CLI (`openclaw pairing approve echo-chat <code>`)", "stranger-cli", "cli"],
    ["the pairing.approve RPC", "stranger-rpc", "rpc"],
  ] as const)(
    "approves a plugin channel's stranger through %s; their next message is answered",
    async (_how, from, via) => {
      const sentTo = async () =>
        ((await client.request("echo.sent")) as { sent: { to: string; text: string }[] }).sent.filter(
          (m) => m.to === from,
        );
      await client.request("echo.inbound", { text: "let me in", from });
      await expect.poll(async () => (await sentTo()).length).toBe(1);
      const [offer] = await sentTo();
      const command = /openclaw pairing approve (\S+) ([A-Z0-9]+)/.exec(offer!.text);
      expect(command?.[1]).toBe("echo-chat");
      const code = command![2]!;

      if (via === "cli") {
        const listed = await runCli(["pairing", "list", "--json"], env);
        expect(listed.code, listed.stderr).toBe(0);
        expect(JSON.parse(listed.stdout)).toContainEqual(
          expect.objectContaining({ channel: "echo-chat", code }),
        );
        const approved = await runCli(["pairing", "approve", "echo-chat", code], env);
        expect(approved.code, approved.stderr).toBe(0);
        expect(approved.stdout).toContain(`approved echo-chat sender ${from}`);
      } else {
        expect(await client.request("pairing.approve", { channel: "echo-chat", code })).toMatchObject({
          ok: true,
          channel: "echo-chat",
          senderId: from,
        });
      }

      anthropic.enqueue({ text: `welcome, ${from}` });
      await client.request("echo.inbound", { text: "hello again", from });
      await expect.poll(async () => (await sentTo()).map((m) => m.text)).toContain(`welcome, ${from}`);
    },
  );

  it("refuses to approve on a channel the gateway does not have, naming the ones it has", async () => {
    const cli = await runCli(["pairing", "approve", "no-such-chat", "ABCD2345"], env);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/unknown channel "no-such-chat": this gateway has discord, .*echo-chat/);
  });

  it("reports every plugin through plugins.list, health and `openclaw plugins list`", async () => {
    const { plugins } = (await client.request("plugins.list")) as {
      plugins: { id: string; state: string }[];
    };
    expect(Object.fromEntries(plugins.map((p) => [p.id, p.state]))).toEqual({
      echo: "loaded",
      "broken-register": "error",
      "bad-syntax": "error",
      "voice-call": "error",
    });
    const health = (await client.request("health")) as {
      plugins: { loaded: string[]; errors: { id: string }[] };
    };
    expect(health.plugins.loaded).toEqual(["echo"]);
    expect(health.plugins.errors.map((e) => e.id).sort()).toEqual([
      "bad-syntax",
      "broken-register",
      "voice-call",
    ]);
    const cli = await runCli(
      ["plugins", "list", "--url", `ws://127.0.0.1:${gw.port}`, "--token", TOKEN],
      env,
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(
      /^echo\s+loaded\s+path\s+echo\.say, echo\.inbound, echo\.sent, \/echo, \/echo\/public$/m,
    );
    expect(cli.stdout).toMatch(/^broken-register\s+error\s+path\s+cannot reach the flux capacitor$/m);
  });

  it("refuses edits while a bundled plugin's config is broken, and reloads plugins live once fixed", async () => {
    const set = (key: string, value: string) => runCli(["config", "set", key, value], env);
    const refused = await set("plugins.entries.echo.config.prefix", "# ");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('plugins.entries["voice-call"].config.fromNumber: expected an E.164');
    const off = await set("plugins.entries.voice-call.enabled", "false");
    expect(off.code, off.stderr).toBe(0);
    const ok = await set("plugins.entries.echo.config.prefix", "# ");
    expect(ok.code, ok.stderr).toBe(0);
    await gw.waitForLine(/\[echo\] echo ready with prefix # /);
    expect(await client.request("echo.say", { text: "x" })).toEqual({ text: "# x" });
    const { plugins } = (await client.request("plugins.list")) as {
      plugins: { id: string; state: string }[];
    };
    expect(plugins.find((p) => p.id === "voice-call")?.state).toBe("disabled");
  });
});
