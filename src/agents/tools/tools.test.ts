import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/cli.js";
import { EXEC_OUTPUT_CAP } from "./exec-tool.js";
import { createToolSet, runTool, type ToolContext, toolDefinitions } from "./index.js";
import { isPrivateAddress } from "./web-address.js";
import { WEB_FETCH_MAX_BYTES } from "./web-fetch.js";

let workspace: string;
let outside: string;
const ctx = (): ToolContext => ({
  workspace,
  agentId: "main",
  sessionKey: "agent:main:main",
  signal: new AbortController().signal,
});
const tools = createToolSet({ web: { fetch: { allowPrivateNetwork: true } } });
const run = (name: string, args: unknown, c = ctx()) => runTool(tools, name, args, c);
const out = (r: { content: { text: string }[] }) => r.content.map((c) => c.text).join("");

beforeAll(() => {
  workspace = tempDir("ws-");
  outside = tempDir("outside-");
  writeFileSync(path.join(outside, "secret.txt"), "TOP SECRET");
  writeFileSync(path.join(workspace, "notes.md"), "line1\nline2\nline3\n");
  symlinkSync(path.join(outside, "secret.txt"), path.join(workspace, "link-to-secret"));
  symlinkSync(outside, path.join(workspace, "link-to-outside-dir"));
  symlinkSync(path.join(outside, "new-file.txt"), path.join(workspace, "dangling"));
  mkdirSync(path.join(workspace, "sub"));
  symlinkSync(path.join(workspace, "notes.md"), path.join(workspace, "sub", "inner-link"));
});

describe("file tools stay inside the workspace", () => {
  it("read, write and edit work on workspace files", async () => {
    expect(out(await run("read", { path: "notes.md", offset: 2, limit: 1 }))).toBe("line2");
    expect((await run("write", { path: "dir/new.txt", content: "hello" })).isError).toBeUndefined();
    expect(readFileSync(path.join(workspace, "dir/new.txt"), "utf8")).toBe("hello");
    expect(
      (await run("edit", { path: "dir/new.txt", oldText: "hello", newText: "bye" })).isError,
    ).toBeUndefined();
    expect(readFileSync(path.join(workspace, "dir/new.txt"), "utf8")).toBe("bye");
    // A symlink that stays inside the workspace is fine.
    expect(out(await run("read", { path: "sub/inner-link" }))).toContain("line1");
  });

  it.each([
    ["read", { path: "../outside/secret.txt" }, "outside the workspace"],
    ["read", { path: "../../../../etc/passwd" }, "outside the workspace"],
    ["read", { path: "/etc/passwd" }, "outside the workspace"],
    ["read", { path: "link-to-secret" }, "leads outside the workspace"],
    ["read", { path: "link-to-outside-dir/secret.txt" }, "leads outside the workspace"],
    ["write", { path: "link-to-outside-dir/planted.txt", content: "x" }, "leads outside the workspace"],
    ["write", { path: "link-to-secret", content: "overwrite" }, "leads outside the workspace"],
    ["write", { path: "dangling", content: "x" }, "symlink to a missing target"],
    ["write", { path: "sub/../../escape.txt", content: "x" }, "outside the workspace"],
    ["edit", { path: "link-to-secret", oldText: "TOP", newText: "NOT" }, "leads outside the workspace"],
    ["read", { path: "a\0b" }, "NUL byte"],
    ["read", { path: "" }, "path is empty"],
  ])("%s %j is refused", async (tool, args, reason) => {
    const result = await run(tool, args);
    expect(result.isError).toBe(true);
    expect(out(result)).toContain(reason);
  });

  it("nothing outside was read or changed", () => {
    expect(readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("TOP SECRET");
    expect(() => readFileSync(path.join(outside, "planted.txt"))).toThrow();
    expect(() => readFileSync(path.join(outside, "new-file.txt"))).toThrow();
  });

  it("bad arguments are reported to the model, not thrown", async () => {
    const result = await run("read", { file: "notes.md" });
    expect(result.isError).toBe(true);
    expect(out(result)).toMatch(/^invalid arguments for read: /);
    expect(out(await run("rm_rf", {}))).toBe("unknown or disallowed tool: rm_rf");
  });
});

describe("exec", () => {
  it("runs in the workspace and reports the exit code", async () => {
    const result = await run("exec", { command: "pwd; exit 3" });
    expect(result.isError).toBe(true);
    expect(out(result)).toBe(
      `exit code 3\n${await import("node:fs").then((f) => f.realpathSync(workspace))}\n`,
    );
  });

  it("caps huge output, keeping head and tail", async () => {
    const result = await run("exec", { command: "head -c 5000000 /dev/zero | tr '\\0' 'a'; echo; echo END" });
    const text = out(result);
    expect(text.length).toBeLessThan(EXEC_OUTPUT_CAP + 200);
    expect(text).toContain("bytes of output elided");
    expect(text.trimEnd().endsWith("END")).toBe(true);
  });

  it("kills the whole process group on timeout", async () => {
    const started = Date.now();
    const result = await run("exec", { command: "sleep 30 & sleep 30; echo never", timeoutSec: 1 });
    expect(out(result)).toMatch(/^killed: timed out after 1 s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("does not pass the gateway's secrets to commands", async () => {
    process.env.OPENCLAW_GATEWAY_TOKEN = "leak-me-not";
    process.env.ANTHROPIC_API_KEY = "sk-leak";
    try {
      expect(
        out(await run("exec", { command: 'echo "[$OPENCLAW_GATEWAY_TOKEN][$ANTHROPIC_API_KEY]"' })),
      ).toContain("[][]");
    } finally {
      delete process.env.OPENCLAW_GATEWAY_TOKEN;
      delete process.env.ANTHROPIC_API_KEY;
    }
  });
});

describe("web_fetch", () => {
  let base: string;
  const server = createServer((req, res) => {
    if (req.url === "/page") {
      res.setHeader("content-type", "text/html");
      res.end("<html><script>evil()</script><h1>Title</h1><p>Body &amp; more</p></html>");
    } else if (req.url === "/huge") {
      res.end(Buffer.alloc(WEB_FETCH_MAX_BYTES * 2, 97));
    } else if (req.url === "/gzip-bomb") {
      // 8 MB of "a" compressed to a few KB: the cap applies to what it inflates to.
      res.setHeader("content-encoding", "gzip");
      res.end(gzipSync(Buffer.alloc(WEB_FETCH_MAX_BYTES * 4, 97)));
    } else if (req.url === "/gzip") {
      res.setHeader("content-encoding", "gzip");
      res.setHeader("content-type", "text/plain");
      res.end(gzipSync("compressed text"));
    } else {
      res.statusCode = 302;
      res.setHeader("location", "/page");
      res.end();
    }
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("returns HTML as text and follows redirects", async () => {
    const text = out(await run("web_fetch", { url: `${base}/redirect` }));
    expect(text).toBe(`HTTP 200 ${base}/page\n\nTitle\nBody & more`);
  });

  it.each(["/huge", "/gzip-bomb"])("cuts bodies over the size limit (%s)", async (path) => {
    const text = out(await run("web_fetch", { url: `${base}${path}` }));
    expect(text).toContain(`[response over ${WEB_FETCH_MAX_BYTES} bytes; cut]`);
  });

  it("decodes compressed bodies", async () => {
    expect(out(await run("web_fetch", { url: `${base}/gzip` }))).toBe(
      `HTTP 200 ${base}/gzip\n\ncompressed text`,
    );
  });

  it("refuses private and loopback addresses by default, and non-http schemes", async () => {
    const strict = createToolSet({});
    const refused = await runTool(strict, "web_fetch", { url: `${base}/page` }, ctx());
    expect(out(refused)).toContain("private or loopback address");
    // A name goes through the system resolver inside the connection's lookup.
    const byName = await runTool(strict, "web_fetch", { url: base.replace("127.0.0.1", "localhost") }, ctx());
    expect(out(byName)).toContain("localhost is or resolves to a private or loopback address");
    expect(out(await runTool(strict, "web_fetch", { url: "file:///etc/passwd" }, ctx()))).toContain(
      "only http and https",
    );
    expect(
      ["10.1.2.3", "169.254.169.254", "::1", "fd00::1", "192.168.1.1", "::ffff:127.0.0.1"].every(
        isPrivateAddress,
      ),
    ).toBe(true);
    expect(isPrivateAddress("93.184.216.34")).toBe(false);
  });
});

describe("tool policy", () => {
  const names = (p: Parameters<typeof createToolSet>[0]) =>
    createToolSet(p)
      .map((t) => t.name)
      .sort();
  it.each([
    [
      {},
      [
        "edit",
        "exec",
        "memory_get",
        "memory_search",
        "message",
        "read",
        "session_status",
        "web_fetch",
        "write",
      ],
    ],
    [{ profile: "minimal" as const }, ["session_status"]],
    [{ profile: "minimal" as const, allow: ["group:fs"] }, ["edit", "read", "session_status", "write"]],
    [
      { profile: "coding" as const, deny: ["exec"] },
      ["edit", "memory_get", "memory_search", "read", "session_status", "web_fetch", "write"],
    ],
    [
      { deny: ["bash", "group:web"] },
      ["edit", "memory_get", "memory_search", "message", "read", "session_status", "write"],
    ],
    [{ deny: ["group:memory"] }, ["edit", "exec", "message", "read", "session_status", "web_fetch", "write"]],
    [{ allow: ["*"], deny: ["*"] }, []],
  ])("%j → %j", (policy, expected) => {
    expect(names(policy)).toEqual(expected);
  });

  it("describes parameters as JSON Schema for the model", () => {
    const [read] = toolDefinitions(
      createToolSet({ profile: "minimal", allow: ["read"] }).filter((t) => t.name === "read"),
    );
    expect(read).toMatchObject({ name: "read", parameters: { type: "object", required: ["path"] } });
  });
});
