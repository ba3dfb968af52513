import { probeMcpServer } from "../agents/mcp/doctor.js";
import type { McpServerConfig } from "../config/schema/mcp.js";
import { mcpTransportOf } from "../config/schema/mcp.js";
import { REDACTED, RedactedValueError, redactArgs, restoreRedacted } from "../infra/redact.js";
import { editConfig, resolvePaths, runningGateway } from "./config-actions.js";
import {
  applyOAuthFlags,
  checkedServer,
  csv,
  EXIT_OK,
  EXIT_USAGE,
  fail,
  type Servers,
  seconds,
  unknownServer,
  withConfig,
} from "./mcp-common.js";

/**
 * `openclaw mcp set|tools|configure|reload|login|logout`: OpenClaw's edits of one saved
 * server. Like `add`, they go through the running gateway when there is one (its MCP
 * servers follow at once) or edit openclaw.json (a gateway started later reads it).
 */

/** Writes `server` as `mcp.servers.<name>`, keeping the other servers. */
function saveServer(name: string, server: Record<string, unknown> | undefined, describe: string) {
  return editConfig((doc) => {
    const mcp = (doc.mcp ?? {}) as { servers?: Servers };
    const { [name]: _old, ...others } = mcp.servers ?? {};
    const servers = server ? { ...others, [name]: server } : others;
    return { ...doc, mcp: { ...mcp, servers } };
  }, describe);
}

/** Arguments that equal the stored ones as `show` masks them (`--token=<marker>`) get the stored value back. */
function withStoredArgs(candidate: Record<string, unknown>, stored: McpServerConfig | undefined) {
  const args = candidate.args;
  if (!Array.isArray(args) || !stored?.args) return candidate;
  const masked = redactArgs(stored.args, REDACTED);
  return {
    ...candidate,
    args: args.map((arg, i) => (arg === masked[i] && arg !== stored.args![i] ? stored.args![i] : arg)),
  };
}

/** `set <name> <json>`: the whole definition. CLI-native `type` becomes OpenClaw's `transport`. */
export function mcpSet(name: string, text: string): Promise<number> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {}
  if (!value || typeof value !== "object" || Array.isArray(value))
    return Promise.resolve(fail("MCP server config must be a JSON object.", false));
  const { type, ...rest } = value as Record<string, unknown>;
  const candidate: Record<string, unknown> =
    type === undefined || rest.transport !== undefined
      ? { ...rest }
      : { ...rest, transport: mcpTransportOf({ type: type as "http", url: rest.url as string }) };
  return withConfig(false, async ({ raw }) => {
    let server: Record<string, unknown>;
    try {
      // A definition pasted from `mcp show` keeps its stored secrets where it shows the marker.
      server = (
        JSON.stringify(candidate).includes(REDACTED)
          ? restoreRedacted(withStoredArgs(candidate, raw[name]), raw[name], ["mcp", "servers", name])
          : candidate
      ) as Record<string, unknown>;
      checkedServer(server);
    } catch (err) {
      const where = err instanceof RedactedValueError ? "" : `mcp.servers.${name}.`;
      return fail(`Config invalid after MCP set (${where}${(err as Error).message}).`, false);
    }
    return saveServer(name, server, `Saved MCP server "${name}"`);
  });
}

type Filter = NonNullable<McpServerConfig["toolFilter"]>;

/** The tool filter after `--clear`, `--include`, `--exclude` (each replaces its own list). */
function nextFilter(current: Filter | undefined, flags: Record<string, unknown>): Filter | undefined {
  const base = flags.clear === true || flags.clearTools === true ? {} : { ...current };
  const include = csv(flags.include);
  const exclude = csv(flags.exclude);
  if (include) base.include = include;
  if (exclude) base.exclude = exclude;
  return base.include || base.exclude ? base : undefined;
}

/** Writes `server` with its `toolFilter` set to `filter` (removed when undefined). */
function withFilter(server: McpServerConfig, filter: Filter | undefined): Record<string, unknown> {
  const { toolFilter: _old, ...rest } = server;
  return filter ? { ...rest, toolFilter: filter } : rest;
}

/** `tools <name> [--include csv] [--exclude csv] [--clear]`: which of its tools the agents get. */
export function mcpTools(name: string, flags: Record<string, unknown>): Promise<number> {
  return withConfig(false, async ({ raw, file }) => {
    if (!raw[name]) return fail(unknownServer(name, file), false);
    if (flags.include === undefined && flags.exclude === undefined && flags.clear !== true)
      return fail("Specify --include, --exclude, or --clear.", false);
    const server = withFilter(raw[name]!, nextFilter(raw[name]!.toolFilter, flags));
    return saveServer(name, server, `Updated MCP tool selection for "${name}"`);
  });
}

/** OpenClaw `configure` flags for features we do not have, and what to do instead. */
const UNSUPPORTED_CONFIGURE: Record<string, string> = {
  approval: "Codex tool approval modes do not apply here (agent tools follow tools.allow / tools.deny)",
  clientCert: "mTLS client certificates are not supported yet",
  clientKey: "mTLS client certificates are not supported yet",
  clearTls: "TLS settings are not supported (verification is always on)",
  parallel: "tool calls to one MCP server run one at a time here",
};

/** `configure <name>`: enablement, tool filter and timeouts, without replacing the definition. */
export function mcpConfigure(name: string, flags: Record<string, unknown>): Promise<number> {
  const unsupported = Object.keys(UNSUPPORTED_CONFIGURE).find((key) => flags[key] !== undefined);
  if (unsupported) {
    const flag = unsupported.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return Promise.resolve(fail(`--${flag} is not supported: ${UNSUPPORTED_CONFIGURE[unsupported]}.`, false));
  }
  if (flags.enable === true && flags.disable === true)
    return Promise.resolve(fail("Give --enable or --disable, not both.", false));
  return withConfig(false, async ({ raw, file, env, baseDir, stateDir }) => {
    if (!raw[name]) return fail(unknownServer(name, file), false);
    const next: Record<string, unknown> = withFilter(raw[name]!, nextFilter(raw[name]!.toolFilter, flags));
    if (flags.enable === true) delete next.enabled;
    if (flags.disable === true) next.enabled = false;
    if (flags.clearTimeouts === true) {
      delete next.requestTimeoutMs;
      delete next.connectionTimeoutMs;
    }
    if (flags.timeout !== undefined) next.requestTimeoutMs = seconds(flags.timeout);
    if (flags.connectTimeout !== undefined) next.connectionTimeoutMs = seconds(flags.connectTimeout);
    try {
      applyOAuthFlags(next, flags);
    } catch (err) {
      return fail((err as Error).message, false, EXIT_USAGE);
    }
    if (JSON.stringify(next) === JSON.stringify(raw[name]) && flags.probe !== true)
      return fail("Nothing to change; see openclaw mcp configure --help for the flags.", false);
    let server: McpServerConfig;
    try {
      server = checkedServer(next);
    } catch (err) {
      return fail(
        `Config invalid after MCP configure (mcp.servers.${name}.${(err as Error).message}).`,
        false,
      );
    }
    if (flags.probe === true && server.enabled !== false) {
      const probe = await probeMcpServer(name, server, { env, baseDir, stateDir });
      if (!probe.ok) return fail(`${name} did not connect: ${probe.error}; nothing was saved.`, false);
      process.stdout.write(`${name}: connected, ${probe.tools.length} tools\n`);
    }
    return saveServer(name, next, `Updated MCP server "${name}"`);
  });
}

/** `reload`: the running gateway reconnects every enabled server from the current config. */
export async function mcpReload(): Promise<number> {
  const paths = await resolvePaths();
  const client = await runningGateway(paths);
  if (!client) {
    process.stdout.write(
      "No gateway is running; it connects the saved MCP servers when it starts (and follows config edits while it runs).\n",
    );
    return EXIT_OK;
  }
  try {
    const { restarted } = (await client.request("mcp.reload")) as { restarted: number };
    process.stdout.write(
      `Reconnected ${restarted} MCP server${restarted === 1 ? "" : "s"} in the running gateway.\n`,
    );
    return EXIT_OK;
  } finally {
    await client.close();
  }
}
