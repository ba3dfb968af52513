import { describe, expect, it } from "vitest";
import { validateConfigDocument } from "../../config/load.js";
import { MAX_TOOL_NAME_LENGTH, qualifyToolNames, serverPrefix } from "./names.js";

describe("MCP tool names", () => {
  it.each([
    ["docs", "docs"],
    ["Outlook Graph", "outlook-graph"],
    ["2fa", "mcp-2fa"],
    ["été", "mcp--t-"],
    ["a-very-long-server-name-indeed-more-than-24", "a-very-long-server-name-"],
  ])("server %j is prefixed %j", (server, prefix) => {
    expect(serverPrefix(server)).toBe(prefix);
  });

  it("are <prefix>__<tool>, provider-safe, at most 64 characters and unique", () => {
    const long = "x".repeat(80);
    const names = qualifyToolNames(
      new Map([
        ["Docs", ["search", "read.page", long, "read-page"]],
        ["docs", ["search"]],
      ]),
    );
    const docs = names.get("Docs")!;
    expect(docs.get("search")).toBe("docs__search");
    expect(docs.get("read.page")).toBe("docs__read-page");
    // Clashes with read.page after the clean-up: same start, a hash at the end.
    expect(docs.get("read-page")).toMatch(/^docs__read-page-[0-9a-f]{6}$/);
    expect(docs.get(long)).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(names.get("docs")!.get("search")).toBe("docs-2__search");
    const all = [...names.values()].flatMap((m) => [...m.values()]);
    expect(new Set(all).size).toBe(all.length);
    for (const name of all) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe("mcp config", () => {
  const problems = (servers: Record<string, unknown>) => {
    try {
      validateConfigDocument("openclaw.json", { mcp: { servers } }, {});
      return [];
    } catch (err) {
      return (err as { problems?: string[] }).problems ?? [(err as Error).message];
    }
  };

  it("accepts OpenClaw's shapes: stdio, streamable-http, sse and type: http", () => {
    expect(
      problems({
        a: { command: "uvx", args: ["mcp-server-fetch"], env: { API_KEY: "k" }, cwd: "." },
        b: {
          url: "https://mcp.example.com/mcp",
          transport: "streamable-http",
          headers: { Authorization: "x" },
        },
        c: { url: "http://127.0.0.1:3000/sse", transport: "sse" },
        d: { url: "https://mcp.example.com", type: "http", toolFilter: { include: ["read_*"] } },
        e: { enabled: false },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ args: ["x"] }, "mcp.servers.a.command: a stdio server needs a command"],
    [{ transport: "sse" }, "mcp.servers.a.url: a sse server needs a url"],
    [{ url: "file:///etc/passwd" }, "mcp.servers.a.url: an http:// or https:// URL"],
    [{ command: "x", env: { "BAD NAME": "1" } }, 'mcp.servers.a.env["BAD NAME"]: Invalid key'],
  ])("refuses %j with a message naming the key", (server, message) => {
    expect(problems({ a: server }).join("\n")).toContain(message);
  });
});
