import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { STDIO_SERVER } from "../fakes/mcp/http.js";
import { runCli, testEnv } from "../helpers/cli.js";
import { stateDirWith } from "../helpers/config.js";

/** `openclaw mcp list|add|remove|doctor` on a state dir with no gateway running (the file is edited). */
describe("openclaw mcp", () => {
  it("adds (after a probe), lists, checks and removes a stdio server", async () => {
    const stateDir = stateDirWith({ gateway: { mode: "local" } });
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const add = await runCli(
      [
        "mcp",
        "add",
        "tools",
        "--command",
        process.execPath,
        "--arg",
        STDIO_SERVER,
        "--env",
        "API_TOKEN=literal-secret-123",
        "--include",
        "echo,add",
      ],
      env,
    );
    expect(add.stderr).toBe("");
    expect(add.stdout).toContain("tools: connected, 2 tools");
    expect(add.code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(stateDir, "openclaw.json"), "utf8"));
    expect(saved.mcp.servers.tools).toEqual({
      command: process.execPath,
      args: [STDIO_SERVER],
      env: { API_TOKEN: "literal-secret-123" },
      toolFilter: { include: ["echo", "add"] },
    });

    const list = await runCli(["mcp", "list", "--json"], env);
    // OpenClaw's shape: the definitions by name; env values hidden.
    expect(JSON.parse(list.stdout)).toEqual({
      tools: { ...saved.mcp.servers.tools, env: { API_TOKEN: "__OPENCLAW_REDACTED__" } },
    });

    const doctor = await runCli(["mcp", "doctor", "--probe", "--json"], env);
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout);
    expect(report).toMatchObject({ ok: true, servers: [{ name: "tools", ok: true, tools: 2 }] });
    expect(report.servers[0].issues).toEqual([
      expect.objectContaining({
        level: "warning",
        message: expect.stringContaining("env API_TOKEN holds a literal secret"),
      }),
    ]);
    expect(doctor.stdout).not.toContain("literal-secret-123");

    expect((await runCli(["mcp", "remove", "tools"], env)).code).toBe(0);
    const again = await runCli(["mcp", "remove", "tools"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No MCP server named "tools" in ${path.join(stateDir, "openclaw.json")}`);
  });

  it("refuses a server that does not start, and reports static problems without connecting", async () => {
    const stateDir = stateDirWith({
      gateway: { mode: "local" },
      mcp: { servers: { gone: { command: "no-such-mcp-server-binary", cwd: "/no/such/dir" } } },
    });
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const add = await runCli(["mcp", "add", "broken", "--command", "no-such-mcp-server-binary"], env);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/broken did not connect: .*--no-probe/);
    const doctor = await runCli(["mcp", "doctor", "gone"], env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain("error: command no-such-mcp-server-binary is not an executable on PATH");
    expect(doctor.stdout).toContain("error: cwd /no/such/dir is not a directory");
    const usage = await runCli(["mcp", "add", "x", "--url", "ftp://example.com"], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("url: an http:// or https:// URL");
  });
});
