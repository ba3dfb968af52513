import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeMcpHttp, STDIO_SERVER, startFakeMcpHttp } from "../fakes/mcp/http.js";
import { runCli, testEnv } from "../helpers/cli.js";
import { stateDirWith } from "../helpers/config.js";

/**
 * `openclaw mcp show|status|probe|list|doctor` print definitions and launch lines: none of
 * them may print an env value, a header value, a credential flag's value, a URL's query
 * value or a `${VAR}` argument's resolved value. (OpenClaw's own `mcp show` prints env
 * and header values as written; ours hides them like config.get does.)
 */

const SECRETS = {
  env: "mcp-cli-env-secret-4f3e2d",
  header: "Bearer mcp-cli-header-9a8b7c",
  flagEquals: "mcp-cli-flag-eq-1a2b3c",
  flagNext: "mcp-cli-flag-next-5d6e7f",
  query: "mcp-cli-query-8h9i0j",
  substituted: "mcp-cli-substituted-2k3l4m",
};

let http: FakeMcpHttp;
beforeAll(async () => {
  http = await startFakeMcpHttp();
});
afterAll(() => http.close());

function mcpCli() {
  const stateDir = stateDirWith({
    gateway: { mode: "local" },
    mcp: {
      servers: {
        local: {
          command: process.execPath,
          args: [
            STDIO_SERVER,
            `--token=${SECRETS.flagEquals}`,
            "--api-key",
            SECRETS.flagNext,
            "${MCP_POS_ARG}",
          ],
          env: { SERVICE_TOKEN: SECRETS.env, PLAIN_SETTING: SECRETS.env },
        },
        remote: { url: http.url, headers: { Authorization: SECRETS.header } },
        query: { url: `http://127.0.0.1:9/mcp?token=${SECRETS.query}`, connectionTimeoutMs: 3000 },
      },
    },
  });
  const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, MCP_POS_ARG: SECRETS.substituted });
  return (...args: string[]) => runCli(["mcp", ...args], env);
}

describe("openclaw mcp never prints an MCP server's secrets", () => {
  it("show, status, probe, list and doctor hide env, header, flag, query and substituted values", async () => {
    const mcp = mcpCli();
    const outputs: string[] = [];
    for (const args of [
      ["show"],
      ["show", "--json"],
      ["show", "local", "--json"],
      ["show", "remote"],
      ["status", "--json"],
      ["status", "--verbose"],
      ["probe", "--json"],
      ["probe"],
      ["list", "--json"],
      ["doctor", "--json"],
    ]) {
      const result = await mcp(...args);
      outputs.push(`${args.join(" ")}\n${result.stdout}\n${result.stderr}`);
    }
    const all = outputs.join("\n");
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
    expect(all).not.toContain(SECRETS.header.slice("Bearer ".length));

    // The probe really connected with the header (so hiding it is not hiding a failure).
    const probe = JSON.parse(
      outputs
        .find((o) => o.startsWith("probe --json"))!
        .split("\n")
        .slice(1)
        .join("\n")
        .split("\nMCP probe failed")[0]!,
    );
    expect(probe.servers.remote.tools).toBe(10);
    expect(http.headers.some((h) => h.authorization === SECRETS.header)).toBe(true);
    expect(probe.diagnostics.map((d: { serverName: string }) => d.serverName)).toEqual(["query"]);
    // What is shown instead: masks and the `${VAR}` reference as written.
    expect(all).toContain('"SERVICE_TOKEN": "__OPENCLAW_REDACTED__"');
    expect(all).toContain("--token=***");
    expect(all).toContain("--api-key *** ${MCP_POS_ARG}");
    expect(all).toContain("mcp?token=***");
  });
});
