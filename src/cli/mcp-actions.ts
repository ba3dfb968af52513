import { checkMcpServer, type DoctorIssue, probeMcpServer } from "../agents/mcp/doctor.js";
import { type McpServerConfig, mcpTransportOf } from "../config/schema/mcp.js";
import { editConfig } from "./config-actions.js";
import {
  applyOAuthFlags,
  checkedServer,
  csv,
  EXIT_FAIL,
  EXIT_OK,
  EXIT_USAGE,
  fail,
  launchOf,
  printJson,
  type Servers,
  seconds,
  shown,
  unknownServer,
  withConfig,
} from "./mcp-common.js";
import { oauthIssues, oauthStatusFor } from "./mcp-oauth.js";

export function mcpList(flags: { json?: boolean }): Promise<number> {
  return withConfig(flags.json, async ({ servers, raw }) => {
    const rows = Object.keys(servers)
      .sort()
      .map((name) => {
        const server = servers[name]!;
        return {
          name,
          transport: mcpTransportOf(server),
          enabled: server.enabled !== false,
          launch: launchOf(raw[name] ?? server),
        };
      });
    // OpenClaw's `list --json`: the definitions by name (ours with secrets hidden).
    if (flags.json)
      printJson(Object.fromEntries(rows.map((r) => [r.name, shown(raw[r.name] ?? servers[r.name]!)])));
    else if (rows.length === 0)
      process.stdout.write("no MCP servers saved; add one with `openclaw mcp add <name> --command …`\n");
    else {
      for (const r of rows)
        process.stdout.write(
          `${r.name}\t${r.transport}\t${r.enabled ? "enabled" : "disabled"}\t${r.launch}\n`,
        );
    }
    return EXIT_OK;
  });
}

function pairs(list: unknown, separator: string, what: string): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const item of list as string[]) {
    const at = item.indexOf(separator);
    if (at <= 0)
      throw new Error(`${what} "${item.split(separator)[0]}" needs the form NAME${separator}value`);
    out[item.slice(0, at).trim()] = item.slice(at + separator.length).trim();
  }
  return out;
}

/** The definition `openclaw mcp add`'s flags describe, checked by the config schema. */
function definitionFromFlags(flags: Record<string, unknown>): McpServerConfig {
  const include = csv(flags.include);
  const exclude = csv(flags.exclude);
  const candidate = Object.fromEntries(
    Object.entries({
      command: flags.command,
      args: flags.arg,
      cwd: flags.cwd,
      env: pairs(flags.env, "=", "--env"),
      url: flags.url,
      transport: flags.transport,
      headers: pairs(flags.header, ":", "--header"),
      requestTimeoutMs: seconds(flags.timeout),
      connectionTimeoutMs: seconds(flags.connectTimeout),
      toolFilter:
        include || exclude ? { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) } : undefined,
      toolSearch: flags.toolSearch === true ? true : undefined,
      enabled: flags.disabled === true ? false : undefined,
    }).filter(([, v]) => v !== undefined),
  );
  if (!candidate.command && !candidate.url) throw new Error("give --command (stdio) or --url (remote)");
  applyOAuthFlags(candidate, flags);
  return checkedServer(candidate);
}

export async function mcpAdd(name: string, flags: Record<string, unknown>): Promise<number> {
  const json = flags.json as boolean | undefined;
  let server: McpServerConfig;
  try {
    server = definitionFromFlags(flags);
  } catch (err) {
    return fail((err as Error).message, json, EXIT_USAGE);
  }
  return withConfig(json, async ({ servers, env, baseDir, stateDir }) => {
    if (servers[name]) return fail(`an MCP server named ${name} is saved already; remove it first`, json);
    // An OAuth server cannot connect before `openclaw mcp login`: it is saved unprobed (as in OpenClaw).
    if (flags.probe !== false && server.enabled !== false && server.auth !== "oauth") {
      const probe = await probeMcpServer(name, server, { env, baseDir, stateDir });
      if (!probe.ok)
        return fail(`${name} did not connect: ${probe.error} (fix it, or save anyway with --no-probe)`, json);
      if (!json) process.stdout.write(`${name}: connected, ${probe.tools.length} tools\n`);
    }
    const code = await editConfig((doc) => {
      const mcp = (doc.mcp ?? {}) as { servers?: Servers };
      return { ...doc, mcp: { ...mcp, servers: { ...mcp.servers, [name]: server } } };
    }, `added MCP server ${name}`);
    if (code === EXIT_OK && server.auth === "oauth" && !json)
      process.stdout.write(`Run openclaw mcp login ${name} to authorize this MCP server.
`);
    return code;
  });
}

/** `unset` (OpenClaw's name) and `remove` (ours, kept as an alias). */
export function mcpRemove(name: string): Promise<number> {
  return withConfig(false, async ({ raw, file }) => {
    if (!raw[name]) return fail(unknownServer(name, file), false);
    return editConfig((doc) => {
      const mcp = doc.mcp as { servers: Servers };
      const { [name]: _removed, ...servers } = mcp.servers;
      return { ...doc, mcp: { ...mcp, servers } };
    }, `Removed MCP server "${name}"`);
  });
}

export function mcpDoctor(
  name: string | undefined,
  flags: { probe?: boolean; json?: boolean },
): Promise<number> {
  return withConfig(flags.json, async ({ file, servers, raw, env, baseDir, stateDir }) => {
    if (name && !servers[name]) return fail(unknownServer(name, file), flags.json);
    const names = name ? [name] : Object.keys(servers).sort();
    const reports: { name: string; ok: boolean; issues: DoctorIssue[]; tools?: number }[] = [];
    for (const n of names) {
      const server = servers[n]!;
      const issues = checkMcpServer(n, server, raw[n], { env, baseDir });
      issues.push(...(await oauthIssues(n, server, stateDir)));
      let tools: number | undefined;
      if (flags.probe && server.enabled !== false && !issues.some((i) => i.level === "error")) {
        const probe = await probeMcpServer(n, server, { env, baseDir, stateDir });
        if (probe.ok) tools = probe.tools.length;
        else issues.push({ level: "error", message: `probe failed: ${probe.error}` });
      }
      const ok = server.enabled === false || !issues.some((i) => i.level === "error");
      const authStatus = await oauthStatusFor(n, server, stateDir);
      reports.push({
        name: n,
        ok,
        issues,
        ...(server.auth ? { auth: server.auth } : {}),
        ...(authStatus ? { authStatus } : {}),
        ...(tools !== undefined ? { tools } : {}),
      });
    }
    const ok = reports.every((r) => r.ok);
    if (flags.json)
      process.stdout.write(`${JSON.stringify({ ok, path: file, servers: reports }, null, 2)}\n`);
    else if (reports.length === 0) process.stdout.write("no MCP servers saved\n");
    else {
      for (const r of reports) {
        const probed = r.tools !== undefined ? `, connected with ${r.tools} tools` : "";
        process.stdout.write(`${r.name}: ${r.ok ? "ok" : "problems"}${probed}\n`);
        for (const issue of r.issues) process.stdout.write(`  ${issue.level}: ${issue.message}\n`);
      }
    }
    return ok ? EXIT_OK : EXIT_FAIL;
  });
}
