import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { DoctorIssue } from "../agents/mcp/doctor.js";
import { oauthStoreFor } from "../agents/mcp/oauth.js";
import type { McpOAuthStatus } from "../agents/mcp/oauth-store.js";
import { type McpServerConfig, mcpTransportOf } from "../config/schema/mcp.js";
import { redactText } from "../infra/redact.js";
import { EXIT_OK, fail, unknownServer, withConfig } from "./mcp-common.js";

/**
 * `openclaw mcp login|logout` and the OAuth part of `status` / `doctor`, with OpenClaw's
 * names and wording (docs/cli/mcp/transports.md "OAuth workflow"). Credentials stay in
 * <state>/credentials/mcp-oauth (0600); nothing here prints a token.
 */

/** Loaded only by `login`: the SDK's OAuth client and transports. */
const loginFlow = () => import("../agents/mcp/oauth-login.js");

/** How long starting the sign-in (the first request, discovery, registration) may take. */
const LOGIN_START_TIMEOUT_MS = 30_000;

/** `authStatus` of a server with `auth: "oauth"`, undefined for any other. */
export async function oauthStatusFor(
  name: string,
  server: McpServerConfig,
  stateDir: string,
): Promise<McpOAuthStatus | undefined> {
  return oauthStoreFor(name, server, stateDir)?.status();
}

/** `doctor`'s OAuth checks: OpenClaw's two warnings and its note on a static Authorization header. */
export async function oauthIssues(
  name: string,
  server: McpServerConfig,
  stateDir: string,
): Promise<DoctorIssue[]> {
  if (server.auth !== "oauth") return [];
  const issues: DoctorIssue[] = [];
  const status = await oauthStatusFor(name, server, stateDir);
  if (status?.state === "requires-authorization") {
    issues.push({
      level: "warning",
      message: `OAuth credentials require additional authorization; run openclaw mcp login ${name}`,
    });
  } else if (status?.state !== "authorized") {
    issues.push({
      level: "warning",
      message: `OAuth credentials are not authorized; run openclaw mcp login ${name}`,
    });
  }
  if (Object.keys(server.headers ?? {}).some((key) => key.toLowerCase() === "authorization")) {
    issues.push({
      level: "warning",
      message: "OAuth is enabled and the static Authorization header is ignored",
    });
  }
  return issues;
}

/** Opens the URL in a browser where one can be shown (a desktop session on a terminal); never fails. */
function openBrowser(url: string, env: NodeJS.ProcessEnv): void {
  if (!process.stdout.isTTY) return;
  const command =
    process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["cmd", "/c", "start", '""', url]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ["xdg-open", url]
          : undefined;
  if (!command) return;
  try {
    const child = spawn(command[0]!, command.slice(1), { detached: true, stdio: "ignore" });
    child.on("error", () => {});
    child.unref();
  } catch {}
}

/** A line pasted on stdin (the redirected URL or the code), for a browser on another machine. */
function pastedLine(): { line: Promise<string>; close(): void } {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const line = new Promise<string>((resolve) => {
    rl.on("line", (text) => {
      if (text.trim()) resolve(text.trim());
    });
  });
  return { line, close: () => rl.close() };
}

export function mcpLogin(name: string, flags: { code?: string }): Promise<number> {
  return withConfig(false, async ({ servers, file, stateDir, env }) => {
    const server = servers[name];
    if (!server) return fail(unknownServer(name, file), false);
    const problem = loginProblem(name, server);
    if (problem) return fail(problem, false);
    const target = { name, server, stateDir };
    const flow = await loginFlow();
    const saved = `MCP OAuth credentials saved for "${name}".\n`;
    try {
      if (flags.code !== undefined) {
        await flow.completeMcpOAuthLogin(target, flags.code);
        process.stdout.write(saved);
        return EXIT_OK;
      }
      const started = await flow.startMcpOAuthLogin(
        target,
        server.connectionTimeoutMs ?? LOGIN_START_TIMEOUT_MS,
      );
      if (started.status === "authorized") {
        process.stdout.write(`MCP server "${name}" accepted the connection without signing in.\n`);
        return EXIT_OK;
      }
      const manual = `openclaw mcp login ${name} --code <code or redirected URL>`;
      const callback = await flow
        .listenForCallback(started.redirectUrl, started.state)
        .catch((err: Error) => {
          process.stdout.write(`Could not start the local OAuth callback (${err.message}).\n`);
          return undefined;
        });
      process.stdout.write(`Open this URL to authorize "${name}":\n${started.authorizationUrl}\n`);
      openBrowser(started.authorizationUrl, env);
      const paste = pastedLine();
      try {
        if (callback) process.stdout.write("Waiting for the browser to return to OpenClaw...\n");
        process.stdout.write(
          `If the browser runs elsewhere, paste the address it was sent back to here, or run ${manual}.\n`,
        );
        const input = await (callback ? Promise.race([callback.code, paste.line]) : paste.line);
        await flow.completeMcpOAuthLogin(target, input);
      } finally {
        paste.close();
        await callback?.close();
      }
      process.stdout.write(saved);
      return EXIT_OK;
    } catch (err) {
      return fail(`OAuth login for "${name}" failed: ${redactText((err as Error).message)}`, false);
    }
  });
}

/** Why `login` cannot run for this server (OpenClaw's wording), or undefined. */
function loginProblem(name: string, server: McpServerConfig): string | undefined {
  if (server.oauth?.identity === "per-requester")
    return `MCP server "${name}" uses per-requester OAuth, which is not supported here; remove oauth.identity to sign in once for everyone.`;
  if (server.auth !== "oauth") return `MCP server "${name}" is not configured with auth: "oauth".`;
  if (!server.url || mcpTransportOf(server) === "stdio")
    return `MCP server "${name}" needs a URL for OAuth login.`;
  return undefined;
}

export function mcpLogout(name: string): Promise<number> {
  return withConfig(false, async ({ servers, file, stateDir }) => {
    const server = servers[name];
    if (!server) return fail(unknownServer(name, file), false);
    // As in OpenClaw: the name and URL find the credentials even after auth: "oauth" was removed.
    const store = server.url ? oauthStoreFor(name, { ...server, auth: "oauth" }, stateDir) : undefined;
    if (!store) return fail(`MCP server "${name}" needs a valid HTTP transport for OAuth logout.`, false);
    const removed = await store.clear();
    process.stdout.write(
      removed
        ? `MCP OAuth credentials cleared for "${name}".\n`
        : `No MCP OAuth credentials were stored for "${name}".\n`,
    );
    return EXIT_OK;
  });
}
