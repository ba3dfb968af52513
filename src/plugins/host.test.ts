import { writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { AgentRuntime } from "../agents/runtime.js";
import type { OpenClawConfig } from "../config/schema.js";
import { createHttpHandler } from "../gateway/http.js";
import type { HttpRoute } from "../infra/http.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../infra/rate-limit.js";
import type { MethodDefinition } from "../infra/rpc.js";
import { PluginHost } from "./host.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../test/fixtures/plugins");
const TOKEN = "plugin-host-test-token";

/** A host over a real runtime and a real HTTP handler, with the config swappable like a reload. */
function setup(initial: OpenClawConfig) {
  const stateDir = tempDir("plugins-");
  let config = initial;
  const methods = new Map<string, MethodDefinition>([
    ["health", { scope: "operator.read", params: undefined as never, handle: () => "core" }],
  ]);
  const routes = new Set<HttpRoute>();
  const channels = new Map<string, unknown>();
  const runtime = new AgentRuntime({ stateDir, config: () => config as never });
  const host = new PluginHost({
    config: () => config,
    configDir: () => stateDir,
    env: {},
    stateDir,
    runtime,
    methods,
    addRoute: (route) => {
      routes.add(route);
      return () => void routes.delete(route);
    },
    addChannel: (name, factory) => {
      channels.set(name, factory);
      return () => void channels.delete(name);
    },
    gatewayPort: () => 0,
    auth: () => ({ mode: "token", token: TOKEN }),
    rateLimiter: new AuthRateLimiter(DEFAULT_RATE_LIMIT),
  });
  const byId = (id: string) => host.status().find((r) => r.id === id);
  return {
    host,
    methods,
    routes,
    channels,
    stateDir,
    byId,
    reload: async (next: OpenClawConfig) => {
      config = next;
      await host.sync();
    },
  };
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(routes: Set<HttpRoute>): Promise<string> {
  const server = http.createServer(
    createHttpHandler(
      () => [...routes],
      () => undefined,
    ),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const echo = (config: Record<string, unknown> = { prefix: ">" }): OpenClawConfig => ({
  plugins: { load: { paths: [path.join(FIXTURES, "echo")] }, entries: { echo: { config } } },
});

describe("PluginHost", () => {
  it("loads a plugin from plugins.load.paths with its method, routes and tool", async () => {
    const t = setup(echo({ prefix: ">", times: 2 }));
    await t.host.sync();
    expect(t.byId("echo")).toMatchObject({
      state: "loaded",
      origin: "path",
      methods: ["echo.say", "echo.inbound", "echo.sent"],
      channels: ["echo-chat"],
      routes: ["/echo", "/echo/public"],
      tools: ["echo"],
    });
    const method = t.methods.get("echo.say")!;
    expect(await method.handle({ text: "hi" }, {} as never)).toEqual({ text: ">hi >hi" });
    expect(t.host.agentTools().map((tool) => tool.name)).toEqual(["echo"]);

    // Routes need the gateway token unless the plugin authenticates them itself.
    const base = await serve(t.routes);
    expect((await fetch(`${base}/echo?text=x`)).status).toBe(401);
    const wrong = await fetch(`${base}/echo?text=x`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${base}/echo?text=x`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await ok.text()).toBe(">x >x");
    expect(await (await fetch(`${base}/echo/public`)).text()).toBe("public");
  });

  it("reports an invalid plugin config under plugins.entries.<id>.config and skips the plugin", async () => {
    const t = setup(echo({ prefix: "", times: 9, colour: "red" }));
    await t.host.sync();
    const report = t.byId("echo")!;
    expect(report.state).toBe("error");
    expect(report.reason).toContain("plugins.entries.echo.config.prefix:");
    expect(report.reason).toContain("plugins.entries.echo.config.times:");
    expect(report.reason).toContain("plugins.entries.echo.config");
    expect(t.methods.has("echo.say")).toBe(false);
    expect(t.routes.size).toBe(0);
  });

  it("disables a plugin that throws in register and removes what it had registered", async () => {
    const t = setup({ plugins: { load: { paths: [path.join(FIXTURES, "broken-register.mjs")] } } });
    await t.host.sync();
    expect(t.byId("broken-register")).toMatchObject({
      state: "error",
      reason: "cannot reach the flux capacitor",
    });
    expect(t.methods.has("broken.ping")).toBe(false);
  });

  it("disables a plugin whose module does not parse, and one that claims a core method", async () => {
    const t = setup({});
    const bad = path.join(t.stateDir, "bad-syntax.mjs");
    await writeFile(bad, "export default { id: 'bad-syntax', register( {\n");
    await t.reload({
      plugins: {
        load: { paths: [bad, path.join(FIXTURES, "takes-core-method.mjs"), path.join(FIXTURES, "echo")] },
        entries: { echo: { config: { prefix: "!" } } },
      },
    });
    expect(t.byId("bad-syntax")?.state).toBe("error");
    expect(t.byId("takes-core-method")).toMatchObject({
      state: "error",
      reason: "RPC method health is already served",
    });
    expect(await t.methods.get("health")!.handle(undefined, {} as never)).toBe("core");
    // The others still load.
    expect(t.byId("echo")?.state).toBe("loaded");
  });

  it("applies plugins.enabled, allow, deny and entries.<id>.enabled before any plugin code runs", async () => {
    const paths = [path.join(FIXTURES, "echo"), path.join(FIXTURES, "broken-register.mjs")];
    const t = setup({
      plugins: { load: { paths }, deny: ["broken-register"], entries: { echo: { config: { prefix: "" } } } },
    });
    await t.host.sync();
    expect(t.byId("broken-register")).toMatchObject({ state: "disabled", reason: "listed in plugins.deny" });
    await t.reload({ plugins: { load: { paths }, allow: ["nothing-else"] } });
    expect(t.byId("echo")).toMatchObject({ state: "disabled", reason: "not listed in plugins.allow" });
    await t.reload({ plugins: { load: { paths }, enabled: false } });
    expect(t.host.status().every((r) => r.state === "disabled")).toBe(true);
    await t.reload({ plugins: { load: { paths: [paths[0]!] }, entries: { echo: { enabled: false } } } });
    expect(t.byId("echo")).toMatchObject({
      state: "disabled",
      reason: "plugins.entries.echo.enabled is false",
    });
  });

  it("reloads only a plugin whose entry changed, and unloads one that was removed", async () => {
    const t = setup(echo({ prefix: "a" }));
    await t.host.sync();
    const first = t.methods.get("echo.say");
    await t.reload({
      ...echo({ prefix: "a" }),
      agents: { defaults: { maxConcurrent: 3 } },
    } as OpenClawConfig);
    expect(t.methods.get("echo.say")).toBe(first);
    await t.reload(echo({ prefix: "b" }));
    expect(await t.methods.get("echo.say")!.handle({ text: "1" }, {} as never)).toEqual({ text: "b1" });
    await t.reload({});
    expect(t.methods.has("echo.say")).toBe(false);
    expect(t.routes.size).toBe(0);
    expect(t.host.agentTools()).toEqual([]);
  });

  it("keeps the bundled voice-call plugin unloaded until enabled, and checks its config first", async () => {
    const t = setup({});
    await t.host.sync();
    expect(t.host.status()).toEqual([]);
    await t.reload({
      plugins: {
        entries: { "voice-call": { enabled: true, config: { provider: "plivo", fromNumber: "555" } } },
      },
    });
    const report = t.byId("voice-call")!;
    expect(report.state).toBe("error");
    expect(report.reason).toContain(
      'plugins.entries["voice-call"].config.provider: must be one of "twilio", "telnyx" (got "plivo")',
    );
    expect(report.reason).toContain('plugins.entries["voice-call"].config.fromNumber: expected an E.164');
  });

  it("names a missing path and a file that is not a module", async () => {
    const t = setup({
      plugins: { load: { paths: ["/nonexistent/plugin", path.join(FIXTURES, "echo", "package.json")] } },
    });
    await t.host.sync();
    expect(t.byId("plugin")).toMatchObject({
      state: "error",
      reason: "plugins.load.paths: /nonexistent/plugin does not exist",
    });
    expect(t.byId("package.json")?.reason).toMatch(/is not a \.js or \.mjs file/);
  });
});
