import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { type McpServerConfig, mcpTransportOf } from "../../config/schema/mcp.js";
import type { Logger } from "../../infra/logger.js";
import { hasUrlCredentials, isCredentialEnvName } from "../../infra/secrets.js";
import { McpServerConnection } from "./connection.js";
import { isHijackEnvName } from "./env.js";
import type { McpServerCapabilityInfo } from "./sdk.js";

export interface DoctorIssue {
  level: "error" | "warning" | "info";
  message: string;
}

/** Header names whose values are credentials (a literal one belongs in `${VAR}`). */
const CREDENTIAL_HEADER = /(auth|key|token|secret|cookie|signature)/i;

function resolvesOnPath(command: string, envPath: string | undefined): boolean {
  const candidates = command.includes("/")
    ? [command]
    : (envPath ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * `openclaw mcp doctor`'s static checks on one saved definition (no connection): the
 * command resolves, the cwd exists, no literal credentials, no env the gateway drops.
 * `raw` is the definition as written (before `${VAR}` substitution), to tell literals apart.
 */
export function checkMcpServer(
  name: string,
  server: McpServerConfig,
  raw: McpServerConfig | undefined,
  opts: { env: NodeJS.ProcessEnv; baseDir: string },
): DoctorIssue[] {
  const issues: DoctorIssue[] = [];
  if (server.enabled === false) {
    issues.push({
      level: "info",
      message: `disabled; enable it with openclaw config set mcp.servers.${name}.enabled true`,
    });
  }
  const literal = (value: string | undefined) => value !== undefined && !/\$\{[A-Z_][A-Z0-9_]*\}/.test(value);
  if (mcpTransportOf(server) === "stdio") {
    if (server.command && !resolvesOnPath(server.command, opts.env.PATH)) {
      issues.push({ level: "error", message: `command ${server.command} is not an executable on PATH` });
    }
    const cwd = server.cwd ?? server.workingDirectory;
    if (cwd !== undefined) {
      const dir = path.resolve(opts.baseDir, cwd);
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch {}
      if (!isDir) issues.push({ level: "error", message: `cwd ${dir} is not a directory` });
    }
    for (const key of Object.keys(server.env ?? {})) {
      if (isHijackEnvName(key)) {
        issues.push({
          level: "warning",
          message: `env ${key} is dropped at start (it changes how programs start)`,
        });
      } else if (isCredentialEnvName(key) && literal(raw?.env?.[key])) {
        issues.push({
          level: "warning",
          message: `env ${key} holds a literal secret; use "\${${key}}" and set it in <state>/.env`,
        });
      }
    }
  } else {
    if (server.url && hasUrlCredentials(server.url)) {
      issues.push({ level: "warning", message: "url holds credentials; send them in headers instead" });
    }
    for (const key of Object.keys(server.headers ?? {})) {
      if (CREDENTIAL_HEADER.test(key) && literal(raw?.headers?.[key])) {
        issues.push({
          level: "warning",
          message: `header ${key} holds a literal secret; use "\${VAR}" and set it in <state>/.env`,
        });
      }
    }
  }
  return issues;
}

const QUIET: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => QUIET,
};

export interface McpProbeSuccess {
  ok: true;
  /** The server's own names of the tools that pass `toolFilter`. */
  tools: string[];
  /** Listed tools the filter hides. */
  hidden: number;
  capabilities: McpServerCapabilityInfo;
}

/** Connects once, lists the tools and disconnects: what `--probe` and `openclaw mcp probe` prove. */
export async function probeMcpServer(
  name: string,
  server: McpServerConfig,
  opts: { env: NodeJS.ProcessEnv; baseDir: string; stateDir?: string },
): Promise<McpProbeSuccess | { ok: false; error: string }> {
  const connection = new McpServerConnection(name, server, { ...opts, log: QUIET, onToolsChanged: () => {} });
  try {
    await connection.start();
    const status = connection.status();
    const capabilities = connection.capabilities();
    if (status.state !== "ready" || !capabilities)
      return { ok: false, error: status.error ?? "could not connect" };
    const tools = connection.tools();
    return {
      ok: true,
      tools: tools.map((t) => t.name),
      hidden: connection.hiddenTools(),
      capabilities,
    };
  } finally {
    await connection.stop();
  }
}
