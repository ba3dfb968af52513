import path from "node:path";
import { ConfigError, loadConfig } from "../config/load.js";
import { type McpServerConfig, mcpServerSchema, mcpTransportOf } from "../config/schema/mcp.js";
import { REDACTED, redactArgs, redactConfig, redactText } from "../infra/redact.js";
import { resolvePaths } from "./config-actions.js";

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

export type Servers = Record<string, McpServerConfig>;

/** A failure as one line, or OpenClaw's JSON error envelope with --json. */
export function fail(message: string, json: boolean | undefined, code = EXIT_FAIL): number {
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { type: "cli_error", message } })}\n`);
  else process.stderr.write(`error: ${message}\n`);
  return code;
}

export const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** OpenClaw's wording for a name that is not saved. */
export const unknownServer = (name: string, file: string) =>
  `No MCP server named "${name}" in ${file}. Run openclaw mcp list to see configured servers.`;

export type SavedServers = Awaited<ReturnType<typeof loadServers>>;

/** The saved servers: resolved (what runs) and as written (to spot literal secrets, to show). */
async function loadServers() {
  const paths = await resolvePaths();
  const snapshot = await loadConfig(paths.file, paths.env);
  const document = snapshot.document as { mcp?: { servers?: Servers } };
  return {
    file: paths.file,
    env: paths.env,
    stateDir: paths.stateDir,
    baseDir: path.dirname(paths.file),
    servers: (snapshot.config.mcp?.servers ?? {}) as Servers,
    raw: document.mcp?.servers ?? {},
  };
}

/**
 * How a server is started or reached, safe to print (credential flags, URL credentials and
 * query values masked): the command line, or the URL alone as OpenClaw 2026.9.6 prints it.
 */
export function launchOf(server: McpServerConfig): string {
  return mcpTransportOf(server) === "stdio"
    ? redactArgs([server.command ?? "", ...(server.args ?? [])]).join(" ")
    : redactText(server.url ?? "");
}

/** One definition safe to print: `redactConfig` (env, headers, URL secrets) plus credential flags in args. */
export function shown(server: McpServerConfig): McpServerConfig {
  const redacted = redactConfig(server).value as McpServerConfig;
  return server.args ? { ...redacted, args: redactArgs(server.args, REDACTED) } : redacted;
}

/** Runs `body` on the saved servers; an invalid config is one error line (or the JSON envelope). */
export async function withConfig(json: boolean | undefined, body: (saved: SavedServers) => Promise<number>) {
  try {
    return await body(await loadServers());
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message.split("\n").join("; "), json);
    throw err;
  }
}

/** A comma-separated flag value as a list (`--include 'search,read_*'`). */
export const csv = (text: unknown) =>
  typeof text === "string"
    ? text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

/** A `--timeout <seconds>` flag in milliseconds (the config's unit). */
export const seconds = (text: unknown) =>
  typeof text === "string" ? Math.round(Number(text) * 1000) : undefined;

/** `candidate` checked by the config schema; throws the first problem as one line. */
export function checkedServer(candidate: unknown): McpServerConfig {
  const parsed = mcpServerSchema().safeParse(candidate);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]!;
    throw new Error(`${problem.path.join(".") || "server"}: ${problem.message}`);
  }
  return parsed.data;
}

/**
 * OpenClaw's OAuth flags of `add` and `configure` (--auth oauth, --oauth-scope,
 * --oauth-redirect-url, --oauth-client-metadata-url, --clear-auth) applied to `next`;
 * `configure` merges into the saved `oauth`, `add` starts from none.
 */
export function applyOAuthFlags(next: Record<string, unknown>, flags: Record<string, unknown>): void {
  if (flags.auth !== undefined && flags.auth !== "oauth")
    throw new Error('Invalid --auth value. Use "oauth".');
  if (flags.clearAuth === true) {
    delete next.auth;
    delete next.oauth;
  }
  if (flags.auth === "oauth") next.auth = "oauth";
  const oauth = Object.fromEntries(
    Object.entries({
      scope: flags.oauthScope,
      redirectUrl: flags.oauthRedirectUrl,
      clientMetadataUrl: flags.oauthClientMetadataUrl,
    })
      .filter(([, v]) => typeof v === "string" && v.trim() !== "")
      .map(([k, v]) => [k, (v as string).trim()]),
  );
  if (Object.keys(oauth).length) next.oauth = { ...(next.oauth as object | undefined), ...oauth };
}
