import { type McpServerConfig, mcpTransportOf } from "../../config/schema/mcp.js";
import { oauthStoreFor } from "./oauth.js";
import type { McpOAuthRecord } from "./oauth-store.js";

/**
 * Sign-in from the Control UI: the same SDK flow as `openclaw mcp login` (oauth-login.ts,
 * same credential file), but the browser returns to the gateway's own callback route
 * instead of a loopback listener. Each sign-in in progress is remembered here by its
 * OAuth `state`: single-use, bound to the server, gone after `MCP_OAUTH_SIGN_IN_TTL_MS`.
 */

/** How long an authorization URL handed to the Control UI stays good for (OpenClaw's 10 minutes). */
export const MCP_OAUTH_SIGN_IN_TTL_MS = 10 * 60_000;
/** Sign-ins in progress at once; one more forgets the oldest (each is also one per server). */
const MAX_PENDING = 16;
/** How long starting the sign-in (the first request, discovery, registration) may take. */
const START_TIMEOUT_MS = 30_000;

/** What the Control UI shows for a server with `auth: "oauth"`. */
export type McpSignInState = "signed-in" | "needs-sign-in" | "expired";

export function signInStateOf(record: McpOAuthRecord, now = Date.now()): McpSignInState {
  if (record.requiresAuthorization) return "expired";
  if (!record.tokens) return "needs-sign-in";
  const lapsed = record.tokenExpiresAt !== undefined && record.tokenExpiresAt <= now;
  return lapsed && !record.tokens.refresh_token ? "expired" : "signed-in";
}

interface PendingSignIn {
  name: string;
  /** The server's definition when the sign-in started, with the redirect URL used. */
  server: McpServerConfig;
  expiresAt: number;
}

export type McpSignInStart =
  | { status: "authorized" }
  | { status: "redirect"; authorizationUrl: string; expiresAt: number };

export type McpSignInResult =
  | { ok: true; name: string }
  | { ok: false; reason: "unknown-state" | "refused" | "changed" | "failed"; name?: string; error?: string };

/** Why this server cannot sign in from the Control UI, or undefined. */
export function browserSignInProblem(name: string, server: McpServerConfig | undefined): string | undefined {
  if (!server) return `no MCP server is named "${name}"`;
  if (server.auth !== "oauth") return `MCP server "${name}" is not configured with auth: "oauth"`;
  if (!server.url || mcpTransportOf(server) === "stdio")
    return `MCP server "${name}" needs a URL for OAuth sign-in`;
  if (server.oauth?.identity === "per-requester")
    return `MCP server "${name}" uses per-requester OAuth, which is not supported here`;
  if (server.enabled === false) return `MCP server "${name}" is disabled; enable it before signing in`;
  return undefined;
}

export class McpBrowserSignIns {
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(private readonly stateDir: string) {}

  /**
   * Starts a sign-in whose browser comes back to `redirectUrl`: registers the client for
   * that URL if needed, keeps the PKCE verifier in the server's credential file and the
   * `state` here, and returns the provider's authorization URL.
   */
  async start(name: string, server: McpServerConfig, redirectUrl: string): Promise<McpSignInStart> {
    const target = {
      name,
      server: { ...server, oauth: { ...server.oauth, redirectUrl } },
      stateDir: this.stateDir,
    };
    const { startMcpOAuthLogin } = await import("./oauth-login.js");
    const started = await startMcpOAuthLogin(target, server.connectionTimeoutMs ?? START_TIMEOUT_MS);
    if (started.status === "authorized") return started;
    const now = Date.now();
    // The credential file holds one verifier per server: an older sign-in of it is void.
    for (const [state, entry] of this.pending) {
      if (entry.name === name || entry.expiresAt <= now) this.pending.delete(state);
    }
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const expiresAt = now + MCP_OAUTH_SIGN_IN_TTL_MS;
    this.pending.set(started.state, { name, server: target.server, expiresAt });
    return { status: "redirect", authorizationUrl: started.authorizationUrl, expiresAt };
  }

  /**
   * The browser came back (`callback` is the whole URL it requested). The `state` is
   * used up whatever happens next; tokens are stored only for a known, unexpired state
   * whose server is still configured as it was, and a code the provider exchanges.
   */
  async complete(
    callback: URL,
    current: (name: string) => McpServerConfig | undefined,
  ): Promise<McpSignInResult> {
    const state = callback.searchParams.get("state") ?? "";
    const entry = this.pending.get(state);
    if (!entry) return { ok: false, reason: "unknown-state" };
    this.pending.delete(state);
    const { name } = entry;
    if (entry.expiresAt <= Date.now()) return { ok: false, reason: "unknown-state" };
    if (callback.searchParams.has("error") || !callback.searchParams.get("code"))
      return { ok: false, reason: "refused", name };
    const now = current(name);
    if (!now || now.url !== entry.server.url || now.auth !== "oauth" || now.enabled === false)
      return { ok: false, reason: "changed", name };
    try {
      const { completeMcpOAuthLogin } = await import("./oauth-login.js");
      await completeMcpOAuthLogin({ name, server: entry.server, stateDir: this.stateDir }, callback.href);
      return { ok: true, name };
    } catch (err) {
      return { ok: false, reason: "failed", name, error: (err as Error).message };
    }
  }

  /** `openclaw mcp logout` from the Control UI: the server's credential file removed. */
  async signOut(name: string, server: McpServerConfig): Promise<boolean> {
    for (const [state, entry] of this.pending) if (entry.name === name) this.pending.delete(state);
    // As the CLI: the name and URL find the credentials even after auth: "oauth" was removed.
    const store = server.url ? oauthStoreFor(name, { ...server, auth: "oauth" }, this.stateDir) : undefined;
    return (await store?.clear()) ?? false;
  }

  /** The sign-in state of every `auth: "oauth"` server (one small file read each). */
  async states(servers: Record<string, McpServerConfig>): Promise<Map<string, McpSignInState>> {
    const states = new Map<string, McpSignInState>();
    for (const [name, server] of Object.entries(servers)) {
      const store = oauthStoreFor(name, server, this.stateDir);
      if (store) states.set(name, signInStateOf(await store.read()));
    }
    return states;
  }
}
