import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { McpManager } from "../../src/agents/mcp/index.js";
import { createToolSet, runTool, type ToolContext, toolDefinitions } from "../../src/agents/tools/index.js";
import type { McpServerConfig } from "../../src/config/schema/mcp.js";
import { type FakeMcpHttp, STDIO_SERVER, startFakeMcpHttp } from "../fakes/mcp/http.js";
import { processesWithMarker } from "../helpers/processes.js";

const ctx: ToolContext = {
  workspace: process.cwd(),
  agentId: "main",
  sessionKey: "agent:main:main",
  signal: new AbortController().signal,
};

const managers: McpManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

function stdio(marker: string, extra: Partial<McpServerConfig> = {}, args: string[] = []): McpServerConfig {
  return { command: process.execPath, args: [STDIO_SERVER, `--marker=${marker}`, ...args], ...extra };
}

async function started(servers: Record<string, McpServerConfig>) {
  const manager = new McpManager({ env: { PATH: process.env.PATH, HOME: "/tmp" }, baseDir: () => "/" });
  managers.push(manager);
  manager.sync({ mcp: { servers } });
  await manager.ready();
  return manager;
}

const call = (manager: McpManager, name: string, args: unknown = {}) =>
  runTool(createToolSet({}, manager.tools()), name, args, ctx);
const textOf = (r: { content: { text: string }[] }) => r.content.map((c) => c.text).join("");

describe("MCP servers over stdio", () => {
  it("offers each tool under <server>__<tool> with the server's schema, and calls it", async () => {
    const manager = await started({ "Local Tools": stdio("names") });
    const names = manager.tools().map((t) => t.name);
    expect(names).toContain("local-tools__echo");
    const defs = toolDefinitions(createToolSet({}, manager.tools()));
    expect(defs.find((d) => d.name === "local-tools__add")?.parameters).toMatchObject({
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
    });
    expect(textOf(await call(manager, "local-tools__add", { a: 2, b: 3 }))).toBe("5");
    expect(manager.status({ mcp: { servers: { "Local Tools": stdio("names") } } })[0]).toMatchObject({
      state: "ready",
      transport: "stdio",
    });
  });

  it("applies toolFilter and the agent's tool policy (allow/deny with server globs)", async () => {
    const manager = await started({
      docs: stdio("filter", { toolFilter: { include: ["e*", "add", "hang"], exclude: ["env"] } }),
    });
    expect(manager.tools().map((t) => t.name)).toEqual(["docs__echo", "docs__add", "docs__hang"]);
    const denied = createToolSet({ deny: ["docs__h*"] }, manager.tools()).map((t) => t.name);
    expect(denied).toContain("docs__echo");
    expect(denied).not.toContain("docs__hang");
    expect(createToolSet({ deny: ["bundle-mcp"] }, manager.tools()).some((t) => t.group === "mcp")).toBe(
      false,
    );
    expect(createToolSet({ profile: "minimal" }, manager.tools()).some((t) => t.group === "mcp")).toBe(false);
    expect(createToolSet({ profile: "coding" }, manager.tools()).some((t) => t.name === "docs__add")).toBe(
      true,
    );
  });

  it("a hung tool costs one tool error after requestTimeoutMs; the server keeps answering", async () => {
    const manager = await started({ s: stdio("hang", { requestTimeoutMs: 300 }) });
    const result = await call(manager, "s__hang");
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/s__hang failed: .*timed out/i);
    expect(textOf(await call(manager, "s__echo", { text: "still here" }))).toBe("echo: still here");
  });

  it("a broken JSON reply costs one tool error; later calls work", async () => {
    const manager = await started({ s: stdio("garbage", { requestTimeoutMs: 300 }) });
    const result = await call(manager, "s__invalid_json");
    expect(result.isError).toBe(true);
    expect(textOf(await call(manager, "s__add", { a: 1, b: 1 }))).toBe("2");
  });

  it("a server that dies mid-call fails that call, then is restarted with its tools", async () => {
    const manager = await started({ s: stdio("crash") });
    const pid = Number(textOf(await call(manager, "s__pid")));
    const result = await call(manager, "s__crash");
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/closed|not connected/i);
    // Restarted after the backoff; a call meanwhile is one more tool error, never a throw.
    await expect
      .poll(() => manager.status({ mcp: { servers: { s: stdio("crash") } } })[0]!.state, {
        timeout: 10_000,
      })
      .toBe("ready");
    const again = Number(textOf(await call(manager, "s__pid")));
    expect(again).not.toBe(pid);
  });

  it("cuts big results and passes isError through", async () => {
    const manager = await started({ s: stdio("big") });
    const big = textOf(await call(manager, "s__big"));
    expect(big.length).toBeLessThan(70_000);
    expect(big).toMatch(/more characters cut/);
    const failed = await call(manager, "s__fails");
    expect(failed).toMatchObject({ isError: true, content: [{ text: "the thing failed" }] });
  });

  it("follows config edits: adds, changes and removes servers; stop leaves no process behind", async () => {
    const manager = await started({ a: stdio("edit-a") });
    expect(manager.tools().some((t) => t.name === "a__echo")).toBe(true);
    manager.sync({ mcp: { servers: { a: stdio("edit-a"), b: stdio("edit-b", {}, ["--grandchild"]) } } });
    await manager.ready();
    expect(manager.tools().some((t) => t.name === "b__echo")).toBe(true);
    expect(await processesWithMarker("edit-b")).toHaveLength(2);
    manager.sync({ mcp: { servers: { b: stdio("edit-b", {}, ["--grandchild"]) } } });
    expect(manager.tools().some((t) => t.name.startsWith("a__"))).toBe(false);
    await expect.poll(() => processesWithMarker("edit-a")).toEqual([]);
    manager.sync({ mcp: { servers: { b: { ...stdio("edit-b", {}, ["--grandchild"]), enabled: false } } } });
    await expect.poll(() => processesWithMarker("edit-b")).toEqual([]);
    expect(manager.status({ mcp: { servers: { b: { enabled: false } } } })[0]!.state).toBe("disabled");
  });

  it("stopping a server that is still starting ends its process at once, not after the connection timeout", async () => {
    const manager = new McpManager({ env: { PATH: process.env.PATH }, baseDir: () => "/" });
    // A program that never speaks MCP: the handshake would wait the whole (10 min) timeout.
    const silent = {
      command: process.execPath,
      args: ["-e", "setInterval(() => {}, 1000)", "--", "--marker=silent"],
      connectionTimeoutMs: 600_000,
    };
    manager.sync({ mcp: { servers: { silent } } });
    await expect.poll(() => processesWithMarker("silent")).toHaveLength(1);
    await manager.stop();
    expect(await processesWithMarker("silent")).toEqual([]);
  });

  it("puts a toolSearch server's tools behind tool_search / tool_describe / tool_call", async () => {
    const manager = await started({ big: stdio("search", { toolSearch: true }, ["--many=30"]) });
    const tools = createToolSet({}, manager.tools());
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["tool_search", "tool_describe", "tool_call"]));
    expect(names.some((n) => n.startsWith("big__"))).toBe(false);
    const found = JSON.parse(textOf(await runTool(tools, "tool_search", { query: "weather" }, ctx)));
    expect(found.tools[0].name).toMatch(/^big__extra_\d+$/);
    const described = JSON.parse(textOf(await runTool(tools, "tool_describe", { name: "big__add" }, ctx)));
    expect(described.parameters.properties).toHaveProperty("a");
    const called = await runTool(tools, "tool_call", { name: "big__add", arguments: { a: 4, b: 5 } }, ctx);
    expect(textOf(called)).toBe("9");
    // Policy still applies behind the catalog.
    const denied = createToolSet({ deny: ["big__add"] }, manager.tools());
    expect(textOf(await runTool(denied, "tool_call", { name: "big__add", arguments: {} }, ctx))).toMatch(
      /no tool named/,
    );
  });
});

describe("MCP servers over Streamable HTTP and SSE", () => {
  let fake: FakeMcpHttp;
  beforeAll(async () => {
    fake = await startFakeMcpHttp();
  });
  afterAll(() => fake.close());

  it("connects with the configured headers and calls tools", async () => {
    const manager = await started({
      remote: { url: fake.url, headers: { Authorization: "Bearer remote-secret-123" } },
    });
    expect(textOf(await call(manager, "remote__echo", { text: "over http" }))).toBe("echo: over http");
    expect(fake.headers.some((h) => h.authorization === "Bearer remote-secret-123")).toBe(true);
  });

  it("speaks legacy SSE with transport: sse", async () => {
    const manager = await started({ old: { url: fake.sseUrl, transport: "sse" } });
    expect(textOf(await call(manager, "old__add", { a: 20, b: 22 }))).toBe("42");
  });

  it("an unreachable server is reported, never thrown", async () => {
    const manager = await started({ gone: { url: "http://127.0.0.1:9/mcp", connectionTimeoutMs: 2000 } });
    expect(manager.tools()).toEqual([]);
    expect(
      manager.status({ mcp: { servers: { gone: { url: "http://127.0.0.1:9/mcp" } } } })[0],
    ).toMatchObject({ state: "restarting", error: expect.any(String) });
  });
});
