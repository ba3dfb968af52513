import { randomBytes } from "node:crypto";
import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { McpServerConfig } from "../../config/schema/mcp.js";
import { VERSION } from "../../version.js";
import { McpOAuthStore } from "./oauth-store.js";

/** OpenClaw's default loopback callback: where `openclaw mcp login` listens when `oauth.redirectUrl` is unset. */
export const MCP_OAUTH_DEFAULT_REDIRECT_URL = "http://127.0.0.1:8989/oauth/callback";

/** A server with `auth: "oauth"` has no usable credentials: the one fix is a login. */
export class McpAuthorizationRequiredError extends Error {
  constructor(
    readonly server: string,
    reason = "needs OAuth authorization",
  ) {
    super(`MCP server "${server}" ${reason}; run openclaw mcp login ${server}`);
    this.name = "McpAuthorizationRequiredError";
  }
}

export type McpOAuthMode = "runtime" | "login";

/** The credential store of a server that uses OAuth, or undefined when it does not. */
export function oauthStoreFor(
  name: string,
  server: McpServerConfig,
  stateDir: string,
): McpOAuthStore | undefined {
  if (server.auth !== "oauth" || !server.url) return undefined;
  return McpOAuthStore.for(stateDir, name, server.url);
}

/**
 * The SDK's `OAuthClientProvider` over our credential file: the SDK does discovery,
 * registration, PKCE, the code exchange and refreshes; this only keeps what it hands over.
 *
 * "runtime" (the gateway, probes): uses and refreshes stored tokens, but never starts a
 * new sign-in; where the SDK would, it throws `McpAuthorizationRequiredError` (a clear
 * tool error). A refused refresh token marks the record `requires-authorization`.
 * "login" (`openclaw mcp login`): ignores the stored tokens until new ones are saved
 * (they stay usable by the gateway meanwhile), registers the client, keeps the PKCE
 * verifier and `state`, and hands the authorization URL to `onAuthorizationUrl`.
 */
export class McpOAuthProvider implements OAuthClientProvider {
  private ignoreStoredTokens: boolean;
  private pendingState: string | undefined;

  constructor(
    readonly store: McpOAuthStore,
    private readonly opts: {
      name: string;
      oauth?: McpServerConfig["oauth"];
      mode: McpOAuthMode;
      onAuthorizationUrl?: (url: URL) => void | Promise<void>;
    },
  ) {
    this.ignoreStoredTokens = opts.mode === "login";
  }

  get redirectUrl(): string {
    return this.opts.oauth?.redirectUrl ?? MCP_OAUTH_DEFAULT_REDIRECT_URL;
  }

  get clientMetadataUrl(): string | undefined {
    return this.opts.oauth?.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    const scope = this.opts.oauth?.scope;
    return {
      client_name: "OpenClaw Lite",
      software_version: VERSION,
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // A public client: PKCE protects the code; there is no secret to keep on a laptop.
      token_endpoint_auth_method: "none",
      ...(scope ? { scope } : {}),
    };
  }

  /**
   * Where the SDK would start a sign-in. Nothing is marked here: a refresh that failed
   * for a passing reason (a 5xx) ends here too, and the next call tries again; a refused
   * refresh token is marked in `invalidateCredentials("tokens")`.
   */
  private authorizationRequired(): never {
    throw new McpAuthorizationRequiredError(this.opts.name);
  }

  state(): string {
    if (this.opts.mode === "runtime") this.authorizationRequired();
    this.pendingState = randomBytes(16).toString("hex");
    return this.pendingState;
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const record = await this.store.read();
    // The gateway never registers a client: without one there is nothing to refresh with.
    const info = record.clientInformation;
    if (!info && this.opts.mode === "runtime") this.authorizationRequired();
    // A login after oauth.redirectUrl changed: that registration would be refused, register again.
    const registered = (info as { redirect_uris?: unknown } | undefined)?.redirect_uris;
    if (this.opts.mode === "login" && Array.isArray(registered) && !registered.includes(this.redirectUrl)) {
      return undefined;
    }
    return info;
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    await this.store.update((r) => ({ ...r, clientInformation }));
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    if (this.ignoreStoredTokens) return undefined;
    return (await this.store.read()).tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    this.ignoreStoredTokens = false;
    const expiresAt = tokens.expires_in !== undefined ? Date.now() + tokens.expires_in * 1000 : undefined;
    await this.store.update(({ codeVerifier, state, lastAuthorizationUrl, requiresAuthorization, ...r }) => ({
      ...r,
      tokens,
      tokenExpiresAt: expiresAt,
    }));
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (this.opts.mode === "runtime") this.authorizationRequired();
    await this.store.update((r) => ({ ...r, lastAuthorizationUrl: authorizationUrl.href }));
    await this.opts.onAuthorizationUrl?.(authorizationUrl);
  }

  async saveCodeVerifier(codeVerifier: string): Promise<void> {
    if (this.opts.mode === "runtime") this.authorizationRequired();
    const state = this.pendingState;
    await this.store.update((r) => ({ ...r, codeVerifier, state, redirectUrl: this.redirectUrl }));
  }

  async codeVerifier(): Promise<string> {
    const { codeVerifier } = await this.store.read();
    if (!codeVerifier) {
      throw new Error(
        `no sign-in is in progress for "${this.opts.name}"; run openclaw mcp login ${this.opts.name}`,
      );
    }
    return codeVerifier;
  }

  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    await this.store.update((r) => {
      switch (scope) {
        case "all":
          return { serverUrl: r.serverUrl };
        case "client": {
          const { clientInformation, ...rest } = r;
          return rest;
        }
        case "tokens": {
          // The refresh token was refused: only a new sign-in helps.
          const { tokens, tokenExpiresAt, ...rest } = r;
          return this.opts.mode === "runtime" ? { ...rest, requiresAuthorization: true } : rest;
        }
        case "verifier": {
          const { codeVerifier, state, ...rest } = r;
          return rest;
        }
        case "discovery": {
          const { discoveryState, ...rest } = r;
          return rest;
        }
      }
    });
  }

  async saveDiscoveryState(discoveryState: OAuthDiscoveryState): Promise<void> {
    await this.store.update((r) => ({ ...r, discoveryState }));
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    return (await this.store.read()).discoveryState;
  }
}
