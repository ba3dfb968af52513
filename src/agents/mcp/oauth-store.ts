import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { isErrnoCode, writeFileAtomic } from "../../infra/fs.js";
import { registerSecret } from "../../infra/secrets.js";

/**
 * MCP OAuth credentials of one server (name + URL), one owner-only JSON file each under
 * `<state>/credentials/mcp-oauth/`: never in openclaw.json, never in a log. The SDK's
 * OAuth client reads and writes them through `McpOAuthProvider` (oauth.ts).
 */

/** What is kept for one server: the SDK's objects stored unchanged (they carry `issuer`). */
export interface McpOAuthRecord {
  serverUrl: string;
  tokens?: OAuthTokens;
  /** When the access token expires (ms since epoch), from `expires_in` when it was saved. */
  tokenExpiresAt?: number;
  clientInformation?: OAuthClientInformationMixed;
  /** PKCE verifier and `state` of the login in progress (`openclaw mcp login --code` needs them). */
  codeVerifier?: string;
  state?: string;
  redirectUrl?: string;
  discoveryState?: OAuthDiscoveryState;
  lastAuthorizationUrl?: string;
  /** The server refused the stored credentials and they could not be refreshed: sign in again. */
  requiresAuthorization?: boolean;
}

export type McpOAuthState =
  | "authorized"
  | "requires-authorization"
  | "pending-authorization"
  | "unauthenticated";

/** OpenClaw's `authStatus` (docs/cli/mcp/json-output.md): which parts exist, never their values. */
export interface McpOAuthStatus {
  hasTokens: boolean;
  requiresAuthorization: boolean;
  hasClientInformation: boolean;
  hasCodeVerifier: boolean;
  hasDiscoveryState: boolean;
  hasLastAuthorizationUrl: boolean;
  state: McpOAuthState;
  expiresAt?: number;
}

/** The file of one server's credentials: its name (readable) plus a hash of name and URL. */
export function mcpOAuthFile(stateDir: string, name: string, url: string): string {
  const hash = createHash("sha256").update(`${name}\n${url}`).digest("hex").slice(0, 16);
  const safe = name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  return path.join(stateDir, "credentials", "mcp-oauth", `${safe}-${hash}.json`);
}

/** Registers the secret values, so a log line or error that repeats one shows *** instead. */
function registerSecrets(record: McpOAuthRecord): void {
  for (const value of [
    record.tokens?.access_token,
    record.tokens?.refresh_token,
    record.tokens?.id_token,
    record.clientInformation?.client_secret,
    record.codeVerifier,
  ]) {
    if (value) registerSecret(value);
  }
}

/**
 * One server's credential file. Updates in this process run one at a time (read, change,
 * write whole); a write is atomic (temp file + rename), so another process (the CLI while
 * the gateway runs) sees the old record or the new one, never half of one.
 */
export class McpOAuthStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly serverUrl: string,
  ) {}

  static for(stateDir: string, name: string, url: string): McpOAuthStore {
    return new McpOAuthStore(mcpOAuthFile(stateDir, name, url), url);
  }

  async read(): Promise<McpOAuthRecord> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if (isErrnoCode(err, "ENOENT")) return { serverUrl: this.serverUrl };
      throw err;
    }
    let record: McpOAuthRecord;
    try {
      record = JSON.parse(text) as McpOAuthRecord;
    } catch {
      // A damaged file holds nothing usable: the user signs in again.
      return { serverUrl: this.serverUrl };
    }
    registerSecrets(record);
    return record;
  }

  /** Applies `change` to the current record and writes the result (0600, in a 0700 folder). */
  update(change: (record: McpOAuthRecord) => McpOAuthRecord): Promise<void> {
    const next = this.queue.then(async () => {
      const record = change(await this.read());
      registerSecrets(record);
      const dir = path.dirname(this.file);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      await writeFileAtomic(this.file, `${JSON.stringify(record, null, 2)}\n`, 0o600);
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** `openclaw mcp logout`: every credential of this server gone. */
  async clear(): Promise<boolean> {
    await this.queue;
    try {
      await rm(this.file);
      return true;
    } catch (err) {
      if (isErrnoCode(err, "ENOENT")) return false;
      throw err;
    }
  }

  async status(): Promise<McpOAuthStatus> {
    return oauthStatusOf(await this.read());
  }
}

export function oauthStatusOf(record: McpOAuthRecord): McpOAuthStatus {
  const parts = {
    hasTokens: record.tokens !== undefined,
    requiresAuthorization: record.requiresAuthorization === true,
    hasClientInformation: record.clientInformation !== undefined,
    hasCodeVerifier: record.codeVerifier !== undefined,
    hasDiscoveryState: record.discoveryState !== undefined,
    hasLastAuthorizationUrl: record.lastAuthorizationUrl !== undefined,
  };
  if (parts.requiresAuthorization) return { ...parts, state: "requires-authorization" };
  if (parts.hasTokens) {
    return {
      ...parts,
      state: "authorized",
      ...(record.tokenExpiresAt !== undefined ? { expiresAt: record.tokenExpiresAt } : {}),
    };
  }
  const pending = parts.hasClientInformation || parts.hasCodeVerifier || parts.hasDiscoveryState;
  return { ...parts, state: pending ? "pending-authorization" : "unauthenticated" };
}
