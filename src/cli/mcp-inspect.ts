import {
  MCP_DEFAULT_CONNECTION_TIMEOUT_MS,
  MCP_DEFAULT_REQUEST_TIMEOUT_MS,
} from "../agents/mcp/connection.js";
import { probeMcpServer } from "../agents/mcp/doctor.js";
import { qualifyToolNames, serverPrefix } from "../agents/mcp/names.js";
import { type McpServerConfig, mcpTransportOf } from "../config/schema/mcp.js";
import {
  EXIT_FAIL,
  EXIT_OK,
  fail,
  launchOf,
  printJson,
  shown,
  unknownServer,
  withConfig,
} from "./mcp-common.js";
import { oauthStatusFor } from "./mcp-oauth.js";

/**
 * `openclaw mcp show|status|probe`, in OpenClaw's shapes (docs/cli/mcp/json-output.md).
 * What they print comes from the definitions as written (a `${VAR}` stays a reference),
 * with env and header values, credential flags and URL query values masked.
 */

export function mcpShow(name: string | undefined, flags: { json?: boolean }): Promise<number> {
  return withConfig(flags.json, async ({ file, raw }) => {
    if (name !== undefined && !raw[name]) return fail(unknownServer(name, file), flags.json);
    const value =
      name !== undefined
        ? shown(raw[name]!)
        : Object.fromEntries(Object.entries(raw).map(([n, s]) => [n, shown(s)]));
    if (!flags.json) {
      process.stdout.write(
        name !== undefined
          ? `OpenClaw-managed MCP server "${name}" (${file}):\n`
          : `OpenClaw-managed MCP servers (${file}):\n`,
      );
    }
    printJson(value);
    return EXIT_OK;
  });
}

/** One `status --json` row: what the definition says, and which OAuth credentials are stored. */
async function statusRow(name: string, server: McpServerConfig, stateDir: string) {
  const enabled = server.enabled !== false;
  const authStatus = await oauthStatusFor(name, server, stateDir);
  return {
    name,
    configured: true,
    enabled,
    ok: enabled,
    transport: mcpTransportOf(server),
    launch: launchOf(server),
    ...(server.auth ? { auth: server.auth } : {}),
    ...(authStatus ? { authStatus } : {}),
    requestTimeoutMs: server.requestTimeoutMs ?? MCP_DEFAULT_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: server.connectionTimeoutMs ?? MCP_DEFAULT_CONNECTION_TIMEOUT_MS,
    supportsParallelToolCalls: server.supportsParallelToolCalls === true,
    ...(server.toolFilter ? { toolFilter: server.toolFilter } : {}),
    ...(server.toolSearch ? { toolSearch: true } : {}),
  };
}

export function mcpStatus(flags: { json?: boolean; verbose?: boolean }): Promise<number> {
  return withConfig(flags.json, async ({ file, raw, servers, stateDir }) => {
    // The credential file is keyed by the resolved URL (a `${VAR}` in it is substituted).
    const rows = await Promise.all(
      Object.keys(raw)
        .sort()
        .map((name) =>
          statusRow(name, { ...raw[name]!, url: servers[name]?.url ?? raw[name]!.url }, stateDir),
        ),
    );
    if (flags.json) {
      printJson({ path: file, servers: rows });
      return EXIT_OK;
    }
    if (rows.length === 0) {
      process.stdout.write(`No MCP servers in ${file}; add one with openclaw mcp add <name> --command …\n`);
      return EXIT_OK;
    }
    process.stdout.write(`MCP server status (${file}):\n`);
    for (const row of rows) {
      const oauth = row.authStatus
        ? [
            row.authStatus.state === "requires-authorization"
              ? "authorization-required"
              : row.authStatus.state,
          ]
        : [];
      const summary = row.enabled
        ? [
            row.transport,
            ...(row.auth ? [row.auth] : []),
            ...oauth,
            ...(row.toolFilter ? ["tool-filtered"] : []),
          ]
        : ["disabled"];
      process.stdout.write(`- ${row.name}: ${summary.join(" ")}\n`);
      if (!flags.verbose) continue;
      process.stdout.write(`  launch: ${row.launch}\n`);
      if (row.authStatus) process.stdout.write(`  oauth: ${row.authStatus.state}\n`);
      process.stdout.write(
        `  timeouts: connect=${row.connectionTimeoutMs}ms request=${row.requestTimeoutMs}ms\n`,
      );
      if (row.toolFilter) process.stdout.write(`  tools: ${JSON.stringify(row.toolFilter)}\n`);
      if (row.toolSearch) process.stdout.write("  tools reached through tool_search\n");
    }
    return EXIT_OK;
  });
}

interface ProbeDiagnostic {
  serverName: string;
  safeServerName: string;
  launchSummary: string;
  message: string;
}

export function mcpProbe(name: string | undefined, flags: { json?: boolean }): Promise<number> {
  return withConfig(flags.json, async ({ file, servers, raw, env, baseDir, stateDir }) => {
    if (name !== undefined && !servers[name]) return fail(unknownServer(name, file), flags.json);
    if (name !== undefined && servers[name]!.enabled === false) {
      return fail(
        `MCP server "${name}" is disabled in ${file}. Run openclaw mcp configure ${name} --enable before probing it.`,
        flags.json,
      );
    }
    const names = (name !== undefined ? [name] : Object.keys(servers).sort()).filter(
      (n) => servers[n]!.enabled !== false,
    );
    const results = await Promise.all(
      names.map((n) => probeMcpServer(n, servers[n]!, { env, baseDir, stateDir })),
    );
    const authStatuses = await Promise.all(names.map((n) => oauthStatusFor(n, servers[n]!, stateDir)));
    const report: Record<string, unknown> = {};
    const diagnostics: ProbeDiagnostic[] = [];
    const toolsByServer = new Map<string, string[]>();
    names.forEach((n, i) => {
      const result = results[i]!;
      const launch = launchOf(raw[n] ?? servers[n]!);
      if (!result.ok) {
        const diagnostic = { serverName: n, safeServerName: serverPrefix(n), launchSummary: launch };
        if (servers[n]!.auth === "oauth")
          Object.assign(diagnostic, { auth: "oauth", authStatus: authStatuses[i] });
        diagnostics.push({ ...diagnostic, message: result.error });
        return;
      }
      toolsByServer.set(n, result.tools);
      const { capabilities: caps } = result;
      report[n] = {
        launch,
        tools: result.tools.length,
        ...(servers[n]!.auth ? { auth: servers[n]!.auth, authStatus: authStatuses[i] } : {}),
        requestTimeoutMs: servers[n]!.requestTimeoutMs ?? MCP_DEFAULT_REQUEST_TIMEOUT_MS,
        ...(servers[n]!.toolFilter ? { filteredTools: result.hidden } : {}),
        ...(caps.resources ? { resources: true } : {}),
        ...(caps.prompts ? { prompts: true } : {}),
        listChanged: caps.listChanged,
      };
    });
    const qualified = qualifyToolNames(toolsByServer);
    const tools = [...qualified.values()].flatMap((m) => [...m.values()]).sort();
    if (flags.json) printJson({ generatedAt: new Date().toISOString(), servers: report, tools, diagnostics });
    else printProbe(file, names, report, diagnostics);
    const failed = diagnostics[0];
    if (!failed) return EXIT_OK;
    process.stderr.write(`MCP probe failed for "${failed.serverName}" in ${file}: ${failed.message}\n`);
    return EXIT_FAIL;
  });
}

function printProbe(
  file: string,
  names: string[],
  report: Record<string, unknown>,
  diagnostics: ProbeDiagnostic[],
): void {
  if (names.length === 0) {
    process.stdout.write(
      `No enabled MCP servers to probe in ${file}. Add one with openclaw mcp add <name> --command …, or enable a saved one with openclaw mcp configure <name> --enable.\n`,
    );
    return;
  }
  process.stdout.write(`MCP probe (${file}):\n`);
  for (const [n, entry] of Object.entries(report)) {
    const e = entry as { tools: number; filteredTools?: number; resources?: true; prompts?: true };
    const extra = [
      ...(e.filteredTools ? [`${e.filteredTools} hidden by toolFilter`] : []),
      ...(e.resources ? ["resources"] : []),
      ...(e.prompts ? ["prompts"] : []),
    ];
    process.stdout.write(`- ${n}: ${e.tools} tools${extra.length ? `, ${extra.join(", ")}` : ""}\n`);
  }
  for (const d of diagnostics) process.stdout.write(`! ${d.serverName}: ${d.message}\n`);
}
