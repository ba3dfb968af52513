import path from "node:path";
import { checkMcpServer, type DoctorIssue, probeMcpServer } from "../agents/mcp/doctor.js";
import { ConfigError, loadConfig } from "../config/load.js";
import { type McpServerConfig, mcpServerSchema, mcpTransportOf } from "../config/schema/mcp.js";
import { redactText } from "../infra/redact.js";
import { editConfig, resolvePaths } from "./config-actions.js";

const EXIT_OK = 0;
const EXIT_FAIL = 1;
const EXIT_USAGE = 2;

type Servers = Record<string, McpServerConfig>;

/** A failure as one line, or OpenClaw's JSON error envelope with --json. */
function fail(message: string, json: boolean | undefined, code = EXIT_FAIL): number {
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { type: "cli_error", message } })}\n`);
  else process.stderr.write(`error: ${message}\n`);
  return code;
}

/** The saved servers: resolved (what runs) and as written (to spot literal secrets). */
async function loadServers() {
  const paths = await resolvePaths();
  const snapshot = await loadConfig(paths.file, paths.env);
  const document = snapshot.document as { mcp?: { servers?: Servers } };
  return {
    file: paths.file,
    env: paths.env,
    baseDir: path.dirname(paths.file),
    servers: (snapshot.config.mcp?.servers ?? {}) as Servers,
    raw: document.mcp?.servers ?? {},
  };
}

/** How a server is started or reached, safe to print (URL credentials and query values masked). */
function launchOf(server: McpServerConfig): string {
  const transport = mcpTransportOf(server);
  const text =
    transport === "stdio" ? [server.command, ...(server.args ?? [])].join(" ") : `${transport} ${server.url}`;
  return redactText(text);
}

async function withConfig(
  json: boolean | undefined,
  body: (saved: Awaited<ReturnType<typeof loadServers>>) => Promise<number>,
) {
  try {
    return await body(await loadServers());
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message.split("\n").join("; "), json);
    throw err;
  }
}

export function mcpList(flags: { json?: boolean }): Promise<number> {
  return withConfig(flags.json, async ({ file, servers }) => {
    const rows = Object.keys(servers)
      .sort()
      .map((name) => {
        const server = servers[name]!;
        return {
          name,
          transport: mcpTransportOf(server),
          enabled: server.enabled !== false,
          launch: launchOf(server),
        };
      });
    if (flags.json) process.stdout.write(`${JSON.stringify({ path: file, servers: rows }, null, 2)}\n`);
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

const csv = (text: unknown) =>
  typeof text === "string"
    ? text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const seconds = (text: unknown) => (typeof text === "string" ? Math.round(Number(text) * 1000) : undefined);

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
  const parsed = mcpServerSchema().safeParse(candidate);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]!;
    throw new Error(`${problem.path.join(".") || "server"}: ${problem.message}`);
  }
  return parsed.data;
}

export async function mcpAdd(name: string, flags: Record<string, unknown>): Promise<number> {
  const json = flags.json as boolean | undefined;
  let server: McpServerConfig;
  try {
    server = definitionFromFlags(flags);
  } catch (err) {
    return fail((err as Error).message, json, EXIT_USAGE);
  }
  return withConfig(json, async ({ servers, env, baseDir }) => {
    if (servers[name]) return fail(`an MCP server named ${name} is saved already; remove it first`, json);
    if (flags.probe !== false && server.enabled !== false) {
      const probe = await probeMcpServer(name, server, { env, baseDir });
      if (!probe.ok)
        return fail(`${name} did not connect: ${probe.error} (fix it, or save anyway with --no-probe)`, json);
      if (!json) process.stdout.write(`${name}: connected, ${probe.tools.length} tools\n`);
    }
    return editConfig((doc) => {
      const mcp = (doc.mcp ?? {}) as { servers?: Servers };
      return { ...doc, mcp: { ...mcp, servers: { ...mcp.servers, [name]: server } } };
    }, `added MCP server ${name}`);
  });
}

export function mcpRemove(name: string): Promise<number> {
  return withConfig(false, async ({ raw }) => {
    if (!raw[name]) return fail(`no MCP server named ${name} is saved (see openclaw mcp list)`, false);
    return editConfig((doc) => {
      const mcp = doc.mcp as { servers: Servers };
      const { [name]: _removed, ...servers } = mcp.servers;
      return { ...doc, mcp: { ...mcp, servers } };
    }, `removed MCP server ${name}`);
  });
}

export function mcpDoctor(
  name: string | undefined,
  flags: { probe?: boolean; json?: boolean },
): Promise<number> {
  return withConfig(flags.json, async ({ file, servers, raw, env, baseDir }) => {
    if (name && !servers[name])
      return fail(`no MCP server named ${name} is saved (see openclaw mcp list)`, flags.json);
    const names = name ? [name] : Object.keys(servers).sort();
    const reports: { name: string; ok: boolean; issues: DoctorIssue[]; tools?: number }[] = [];
    for (const n of names) {
      const server = servers[n]!;
      const issues = checkMcpServer(n, server, raw[n], { env, baseDir });
      let tools: number | undefined;
      if (flags.probe && server.enabled !== false && !issues.some((i) => i.level === "error")) {
        const probe = await probeMcpServer(n, server, { env, baseDir });
        if (probe.ok) tools = probe.tools.length;
        else issues.push({ level: "error", message: `probe failed: ${probe.error}` });
      }
      const ok = server.enabled === false || !issues.some((i) => i.level === "error");
      reports.push({ name: n, ok, issues, ...(tools !== undefined ? { tools } : {}) });
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
