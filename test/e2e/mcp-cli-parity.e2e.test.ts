import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { STDIO_SERVER } from "../fakes/mcp/http.js";
import { runCli, startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";

/**
 * OpenClaw's `openclaw mcp show|status|probe|set|tools|configure|unset|reload|login|logout`
 * against our built CLI, with the shapes of OpenClaw's docs/cli/mcp/json-output.md.
 */

const fixture = useFakeModelGateways();
const { running, clients } = fixture;

const stdio = (...args: string[]) => ({ command: process.execPath, args: [STDIO_SERVER, ...args] });
const savedServers = (stateDir: string) =>
  JSON.parse(readFileSync(path.join(stateDir, "openclaw.json"), "utf8")).mcp.servers;

function cliOn(servers: Record<string, unknown>) {
  const stateDir = stateDirWith({ gateway: { mode: "local" }, mcp: { servers } });
  const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
  return {
    stateDir,
    file: path.join(stateDir, "openclaw.json"),
    mcp: (...args: string[]) => runCli(["mcp", ...args], env),
  };
}

interface Recorded {
  config: Record<string, unknown>;
  exitCode: number;
  stdout: { servers: Record<string, Record<string, unknown>>; diagnostics: object[] } & Record<
    string,
    unknown
  >;
}
/** `openclaw mcp status|probe --json` recorded from OpenClaw 2026.9.6 (the real CLI on the same fake). */
const recorded = (name: string): Recorded =>
  JSON.parse(
    readFileSync(path.join(import.meta.dirname, "../fixtures/openclaw-mcp", `${name}.json`), "utf8"),
  );
const openclawStatus = recorded("status");
const openclawProbe = recorded("probe");

/** Our output with this machine's paths as the recorded fixtures write them. */
function placeholders(text: string, file: string): unknown {
  const json = text.split(process.execPath).join("<node>").split(STDIO_SERVER).join("<stdio-server>");
  return JSON.parse(json.split(file).join("<config>"));
}

/** Fields of OpenClaw's probe we leave out (no Codex runtime: docs/mcp.md says why). */
function withoutCodex(report: Recorded["stdout"]) {
  for (const server of Object.values(report.servers)) {
    delete server.codexApprovalMode;
    delete server.approvalHint;
  }
  return report;
}

describe("openclaw mcp (OpenClaw's subcommands)", () => {
  it("status --json and probe --json equal what OpenClaw 2026.9.6 printed for the same config", async () => {
    const config = JSON.parse(
      JSON.stringify(openclawStatus.config)
        .split("<node>")
        .join(process.execPath)
        .split("<stdio-server>")
        .join(STDIO_SERVER),
    );
    const { mcp, file } = cliOn(config);
    const status = await mcp("status", "--json");
    expect([status.code, placeholders(status.stdout, file)]).toEqual([
      openclawStatus.exitCode,
      openclawStatus.stdout,
    ]);
    const probe = await mcp("probe", "--json");
    const ours = placeholders(probe.stdout, file) as Recorded["stdout"];
    const theirs = withoutCodex(structuredClone(openclawProbe.stdout));
    expect(probe.code).toBe(openclawProbe.exitCode);
    expect({ ...ours, generatedAt: "<time>" }).toEqual({
      ...theirs,
      // The error text is the SDK's or ours, not a contract.
      diagnostics: theirs.diagnostics.map((d) => ({ ...d, message: expect.any(String) })),
    });
  });

  it("status --json: OpenClaw's row shape, defaults filled in, without connecting", async () => {
    const { mcp, file } = cliOn({
      files: { ...stdio(), toolFilter: { include: ["echo"] }, requestTimeoutMs: 20_000 },
      off: {
        url: "http://127.0.0.1:9/mcp",
        transport: "sse",
        enabled: false,
        supportsParallelToolCalls: true,
      },
    });
    const status = await mcp("status", "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({
      path: file,
      servers: [
        {
          name: "files",
          configured: true,
          enabled: true,
          ok: true,
          transport: "stdio",
          launch: `${process.execPath} ${STDIO_SERVER}`,
          requestTimeoutMs: 20_000,
          connectionTimeoutMs: 30_000,
          supportsParallelToolCalls: false,
          toolFilter: { include: ["echo"] },
        },
        {
          name: "off",
          configured: true,
          enabled: false,
          ok: false,
          transport: "sse",
          launch: "http://127.0.0.1:9/mcp",
          requestTimeoutMs: 60_000,
          connectionTimeoutMs: 30_000,
          supportsParallelToolCalls: true,
        },
      ],
    });
    const text = await mcp("status", "--verbose");
    expect(text.stdout).toContain("- files: stdio tool-filtered\n");
    expect(text.stdout).toContain("- off: disabled\n");
    expect(text.stdout).toContain("timeouts: connect=30000ms request=20000ms");
  });

  it("probe --json connects: tools under their agent names, capabilities, filtered count, diagnostics", async () => {
    const { mcp, file } = cliOn({
      docs: { ...stdio("--resources"), toolFilter: { include: ["echo", "add"] } },
      plain: stdio(),
      broken: { command: process.execPath, args: ["-e", "process.exit(7)"], connectionTimeoutMs: 5000 },
      off: { ...stdio(), enabled: false },
    });
    const probe = await mcp("probe", "--json");
    expect(probe.code).toBe(1);
    expect(probe.stderr).toMatch(/^MCP probe failed for "broken" in .*openclaw\.json: /);
    const report = JSON.parse(probe.stdout);
    expect(Date.parse(report.generatedAt)).not.toBeNaN();
    expect(Object.keys(report.servers).sort()).toEqual(["docs", "plain"]);
    expect(report.servers.docs).toEqual({
      launch: `${process.execPath} ${STDIO_SERVER} --resources`,
      tools: 2,
      requestTimeoutMs: 60_000,
      filteredTools: 8,
      resources: true,
      listChanged: { tools: true, resources: true, prompts: false },
    });
    // No `resources` / `prompts` keys when the server does not advertise them.
    expect(report.servers.plain).toEqual({
      launch: `${process.execPath} ${STDIO_SERVER}`,
      tools: 10,
      requestTimeoutMs: 60_000,
      listChanged: { tools: true, resources: false, prompts: false },
    });
    expect(report.tools).toContain("docs__add");
    expect(report.tools).toContain("plain__hang");
    expect(report.tools).not.toContain("docs__hang");
    expect(report.tools).toEqual([...report.tools].sort());
    expect(report.diagnostics).toEqual([
      {
        serverName: "broken",
        safeServerName: "broken",
        launchSummary: `${process.execPath} -e process.exit(7)`,
        message: expect.any(String),
      },
    ]);

    const one = await mcp("probe", "docs");
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`MCP probe (${file}):\n- docs: 2 tools, 8 hidden by toolFilter, resources\n`);
    const disabled = await mcp("probe", "off", "--json");
    expect(disabled.code).toBe(1);
    expect(JSON.parse(disabled.stdout)).toEqual({
      ok: false,
      error: {
        type: "cli_error",
        message: `MCP server "off" is disabled in ${file}. Run openclaw mcp configure off --enable before probing it.`,
      },
    });
    const unknown = await mcp("show", "nope", "--json");
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).error.message).toBe(
      `No MCP server named "nope" in ${file}. Run openclaw mcp list to see configured servers.`,
    );
  });

  it("set, tools, configure and unset edit one server; bad input is one clear error", async () => {
    const { mcp, stateDir } = cliOn({ keep: stdio() });
    const set = await mcp("set", "docs", '{"type":"http","url":"http://127.0.0.1:9/mcp"}');
    expect(set.stdout).toContain('Saved MCP server "docs"');
    expect(savedServers(stateDir).docs).toEqual({
      url: "http://127.0.0.1:9/mcp",
      transport: "streamable-http",
    });
    expect(JSON.parse((await mcp("show", "docs", "--json")).stdout)).toEqual(savedServers(stateDir).docs);

    for (const [value, message] of [
      ["[1]", "MCP server config must be a JSON object."],
      ["not json", "MCP server config must be a JSON object."],
      ['{"command":5}', "Config invalid after MCP set (mcp.servers.bad.command: "],
    ]) {
      const bad = await mcp("set", "bad", value!);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(message);
    }

    // A definition pasted back from `show` keeps the secrets `show` hid.
    const secretServer = { ...stdio("--token=set-secret-1"), env: { API_TOKEN: "set-secret-2" } };
    expect((await mcp("set", "sec", JSON.stringify(secretServer))).code).toBe(0);
    const pasted = JSON.parse((await mcp("show", "sec", "--json")).stdout);
    expect(JSON.stringify(pasted)).not.toMatch(/set-secret/);
    const back = await mcp("set", "sec", JSON.stringify({ ...pasted, requestTimeoutMs: 5000 }));
    expect(back.stderr).toBe("");
    expect(savedServers(stateDir).sec).toEqual({ ...secretServer, requestTimeoutMs: 5000 });
    const forged = await mcp(
      "set",
      "other",
      JSON.stringify({ command: "x", env: { K: "__OPENCLAW_REDACTED__" } }),
    );
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain("no stored secret matches it there");

    expect((await mcp("tools", "keep", "--include", "echo,sleep")).code).toBe(0);
    expect((await mcp("tools", "keep", "--exclude", "hang")).code).toBe(0);
    expect(savedServers(stateDir).keep.toolFilter).toEqual({ include: ["echo", "sleep"], exclude: ["hang"] });
    expect((await mcp("tools", "keep", "--clear")).code).toBe(0);
    expect(savedServers(stateDir).keep.toolFilter).toBeUndefined();
    const none = await mcp("tools", "keep");
    expect([none.code, none.stderr]).toEqual([1, "error: Specify --include, --exclude, or --clear.\n"]);

    const configure = await mcp("configure", "keep", "--disable", "--timeout", "20", "--include", "echo");
    expect(configure.code).toBe(0);
    expect(savedServers(stateDir).keep).toEqual({
      ...stdio(),
      enabled: false,
      requestTimeoutMs: 20_000,
      toolFilter: { include: ["echo"] },
    });
    const enable = await mcp("configure", "keep", "--enable", "--clear-timeouts", "--probe");
    expect(enable.stdout).toContain("keep: connected, 1 tools");
    expect(savedServers(stateDir).keep).toEqual({ ...stdio(), toolFilter: { include: ["echo"] } });
    const oauth = await mcp("configure", "keep", "--auth", "oauth");
    expect(oauth.code).toBe(1);
    expect(oauth.stderr).toContain(
      'keep.auth: auth: "oauth" is for remote servers (set url), not stdio ones',
    );
    const remote = await mcp("configure", "docs", "--auth", "oauth", "--oauth-scope", "docs.read");
    expect(remote.code).toBe(0);
    expect(savedServers(stateDir).docs).toMatchObject({ auth: "oauth", oauth: { scope: "docs.read" } });
    expect((await mcp("configure", "docs", "--clear-auth")).code).toBe(0);
    expect(savedServers(stateDir).docs.auth).toBeUndefined();
    expect(savedServers(stateDir).docs.oauth).toBeUndefined();

    expect((await mcp("unset", "docs")).code).toBe(0);
    expect(savedServers(stateDir).docs).toBeUndefined();
    const again = await mcp("unset", "docs");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('No MCP server named "docs"');
  });

  it("login refuses a server without auth: oauth; logout of nothing stored says so", async () => {
    const { mcp, stateDir } = cliOn({ docs: { url: "http://127.0.0.1:9/mcp" } });
    const before = readFileSync(path.join(stateDir, "openclaw.json"), "utf8");
    const login = await mcp("login", "docs");
    expect([login.code, login.stdout]).toEqual([1, ""]);
    expect(login.stderr).toBe('error: MCP server "docs" is not configured with auth: "oauth".\n');
    const logout = await mcp("logout", "docs");
    expect([logout.code, logout.stdout]).toEqual([0, 'No MCP OAuth credentials were stored for "docs".\n']);
    expect(readFileSync(path.join(stateDir, "openclaw.json"), "utf8")).toBe(before);
  });

  it("reload reconnects the running gateway's servers (a new process each)", async () => {
    const stateDir = stateDirWith(
      baseConfig(fixture.anthropic.url, { mcp: { servers: { tools: stdio() } } }),
    );
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-mcp-reload" });
    const gw = await startGateway(["--port", "0"], env);
    running.push(gw);
    const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
    clients.push(client);
    await gw.waitForLine(/mcp tools: connected, 10 tools/);
    type Status = { servers: { name: string; state: string; pid?: number }[] };
    const before = ((await client.request("mcp.status")) as Status).servers[0]!;
    expect(before.state).toBe("ready");

    const reload = await runCli(["mcp", "reload"], env);
    expect(reload.stderr).toBe("");
    expect(reload.stdout).toBe("Reconnected 1 MCP server in the running gateway.\n");
    const after = ((await client.request("mcp.status")) as Status).servers[0]!;
    expect(after.state).toBe("ready");
    expect(after.pid).toEqual(expect.any(Number));
    expect(after.pid).not.toBe(before.pid);
  });
});
