import { createServer, type Server } from "node:http";
import { auth, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type McpServerConfig, mcpTransportOf } from "../../config/schema/mcp.js";
import { VERSION } from "../../version.js";
import { transportSpec } from "./connection.js";
import { McpOAuthProvider, oauthStoreFor } from "./oauth.js";

/**
 * `openclaw mcp login`: the SDK's OAuth client does the work (discovery from the
 * server's 401, dynamic registration, PKCE, code exchange); this starts it, catches the
 * browser's return on a loopback listener, and finishes it with the code.
 */

/** How long the loopback callback waits for the browser (OpenClaw's 5 minutes). */
export const MCP_OAUTH_CALLBACK_TIMEOUT_MS = 5 * 60_000;
/** Loopback hosts `openclaw mcp login` may listen on; any other redirect means manual completion. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface McpOAuthTarget {
  name: string;
  server: McpServerConfig;
  stateDir: string;
}

function providerFor(target: McpOAuthTarget, onAuthorizationUrl?: (url: URL) => void): McpOAuthProvider {
  const store = oauthStoreFor(target.name, target.server, target.stateDir);
  if (!store) throw new Error(`MCP server "${target.name}" is not configured with auth: "oauth" and a url`);
  return new McpOAuthProvider(store, {
    name: target.name,
    oauth: target.server.oauth,
    mode: "login",
    ...(onAuthorizationUrl ? { onAuthorizationUrl } : {}),
  });
}

export type McpLoginStart =
  | { status: "authorized" }
  | { status: "redirect"; authorizationUrl: string; redirectUrl: string; state: string };

/**
 * Starts a sign-in: connects without the stored tokens, so the server answers 401 and
 * the SDK discovers its authorization server, registers if needed and builds the
 * authorization URL (the PKCE verifier and `state` are stored for `--code`).
 */
export async function startMcpOAuthLogin(target: McpOAuthTarget, timeoutMs: number): Promise<McpLoginStart> {
  let authorizationUrl: URL | undefined;
  const provider = providerFor(target, (url) => {
    authorizationUrl = url;
  });
  const spec = transportSpec(target.server, {
    env: {},
    baseDir: ".",
    name: target.name,
    onStderr: () => {},
  });
  if (spec.kind === "stdio") throw new Error(`MCP server "${target.name}" needs a url for OAuth login`);
  const options = { requestInit: { headers: spec.headers }, authProvider: provider };
  const transport =
    mcpTransportOf(target.server) === "sse"
      ? new SSEClientTransport(new URL(spec.url), options)
      : new StreamableHTTPClientTransport(new URL(spec.url), options);
  const client = new Client({ name: "openclaw-lite", version: VERSION }, { capabilities: {} });
  try {
    await client.connect(transport, { timeout: timeoutMs });
    // It let us in without a token: nothing to sign in to.
    return { status: "authorized" };
  } catch (err) {
    if (!(err instanceof UnauthorizedError) || !authorizationUrl) throw err;
  } finally {
    await client.close().catch(() => {});
  }
  const record = await provider.store.read();
  if (!record.state) throw new Error("the OAuth sign-in could not be started (no state was kept)");
  return {
    status: "redirect",
    authorizationUrl: authorizationUrl.href,
    redirectUrl: provider.redirectUrl,
    state: record.state,
  };
}

/** A code, or the whole redirected URL (`…/oauth/callback?code=…&state=…`), as pasted by the user. */
export function parseAuthorizationInput(input: string): { code: string; state?: string } {
  const text = input.trim();
  if (!/^https?:\/\//i.test(text)) return { code: text };
  const url = new URL(text);
  const error = url.searchParams.get("error");
  if (error) throw new Error(`the authorization server refused the sign-in (${error})`);
  const code = url.searchParams.get("code");
  if (!code)
    throw new Error("that URL has no code parameter; paste the address the browser was sent back to");
  const state = url.searchParams.get("state");
  return state ? { code, state } : { code };
}

/** Exchanges the code for tokens (the SDK checks nothing about `state`; we do, against the stored one). */
export async function completeMcpOAuthLogin(target: McpOAuthTarget, input: string): Promise<void> {
  const { code, state } = parseAuthorizationInput(input);
  const provider = providerFor(target);
  const record = await provider.store.read();
  if (!record.codeVerifier) {
    throw new Error(
      `no sign-in is in progress for "${target.name}"; run openclaw mcp login ${target.name} first`,
    );
  }
  if (state !== undefined && record.state !== undefined && state !== record.state) {
    throw new Error(
      "the redirected URL belongs to another sign-in (state differs); start openclaw mcp login again",
    );
  }
  const result = await auth(provider, { serverUrl: target.server.url ?? "", authorizationCode: code });
  if (result !== "AUTHORIZED") throw new Error("the authorization server did not issue tokens");
}

export interface LoopbackCallback {
  /** Resolves with the code; rejects on an OAuth error, a timeout or `close()`. */
  code: Promise<string>;
  close(): Promise<void>;
}

/**
 * Listens on the redirect URL's loopback host and port for the browser's return. Only
 * a request to that path with the expected `state` counts (anything else gets a 404 or
 * 400, so a page that guesses the port cannot complete someone's sign-in).
 */
export async function listenForCallback(
  redirectUrl: string,
  expectedState: string,
  timeoutMs = MCP_OAUTH_CALLBACK_TIMEOUT_MS,
): Promise<LoopbackCallback | undefined> {
  const url = new URL(redirectUrl);
  if (url.protocol !== "http:" || !LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  let settle!: { resolve(code: string): void; reject(err: Error): void };
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => {});
  const server: Server = createServer((req, res) => {
    const got = new URL(req.url ?? "/", redirectUrl);
    if (req.method !== "GET" || got.pathname !== url.pathname) {
      res.writeHead(404).end();
      return;
    }
    if (got.searchParams.get("state") !== expectedState) {
      res
        .writeHead(400, { "content-type": "text/plain" })
        .end("This sign-in link is not the one in progress.");
      return;
    }
    const error = got.searchParams.get("error");
    const value = got.searchParams.get("code");
    res.writeHead(error || !value ? 400 : 200, { "content-type": "text/plain; charset=utf-8" });
    res.end(
      error || !value ? "Sign-in did not complete; see the terminal." : "Signed in. You can close this tab.",
    );
    if (error || !value)
      settle.reject(new Error(`the authorization server refused the sign-in (${error ?? "no code"})`));
    else settle.resolve(value);
  });
  const host = url.hostname === "[::1]" ? "::1" : url.hostname;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(url.port || 80), host, resolve);
  });
  const timer = setTimeout(
    () => settle.reject(new Error(`no browser returned within ${timeoutMs / 1000} s`)),
    timeoutMs,
  );
  timer.unref();
  return {
    code,
    close: () =>
      new Promise((resolve) => {
        clearTimeout(timer);
        settle.reject(new Error("the callback listener was closed"));
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
